#!/usr/bin/env bash
# Times `gannet profile check` and `gannet profile render --node` on a generated 5,000-host
# profile: end to end through the launcher (JVM start included), then in one JVM (JVM start
# excluded; cold first run and warm median, wall and CPU). Usage: bench/profiles/run.sh [HOSTS]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
hosts="${1:-5000}"
out="$repo/bench/results/profiles"
mkdir -p "$out"
profile="$out/bench-$hosts.yaml"
python3 "$repo/bench/profiles/generate.py" "$hosts" > "$profile"
host="r100-n5"
export BENCH_MD5=bench-key   # the generated profile references env BENCH_MD5
[ -f "$repo/agent/target/gannet.jar" ] || { echo "build first: ./gannet --version (or ./mvnw -pl agent -am install -DskipTests)" >&2; exit 1; }
export GANNET_SKIP_BUILD=1   # time the command, never a build
echo "profile: $profile ($(wc -l < "$profile") lines, $(wc -c < "$profile") bytes), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
# Wall seconds, then CPU seconds (user+sys of every JVM thread: JIT and GC included).
TIMEFORMAT='%R s wall, %U+%S s cpu'
echo -n "baseline: gannet --version (launcher + JVM start):  "; { time "$repo/gannet" --version >/dev/null; } 2>&1
for i in 1 2 3; do
  echo -n "end to end (JVM start included) check:          "; { time "$repo/gannet" profile check "$profile" >/dev/null; } 2>&1
  echo -n "end to end (JVM start included) render --node:  "; { time "$repo/gannet" profile render "$profile" --node "$host" >/dev/null; } 2>&1
done
jdk="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
"$jdk/bin/java" -XX:+UseZGC -cp "$repo/agent/target/gannet.jar:$repo/agent/target/lib/*" \
  "$repo/bench/profiles/ProfileBench.java" "$profile" "$host" 10
