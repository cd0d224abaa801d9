#!/usr/bin/env bash
# BFD detection benchmark, Gannet vs FRR bfdd side by side. Run as root from anywhere:
#   bench/bfd/run.sh            full: 300/100/50/10 ms x 3, 10 cuts each; 100 sessions x 120 s x 2 under load
#   bench/bfd/run.sh --quick    3 cuts each, 20 s load phases (~2 minutes)
# Needs: FRR (/usr/lib/frr/bfdd, vtysh), nftables, tcpdump, stress-ng, python3, JDK 21+.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ "$(id -u)" = 0 ] || { echo "run as root (namespaces, nftables, tcpdump)" >&2; exit 1; }
CPFILE=$(mktemp)
trap 'rm -f "$CPFILE"' EXIT
(cd "$REPO" && ./mvnw -q -B -pl bfd -am install -DskipTests \
  && ./mvnw -q -B -pl bfd dependency:build-classpath -Dmdep.outputFile="$CPFILE" -Dmdep.includeScope=runtime) >/dev/null
CP="$REPO/bfd/target/classes:$(cat "$CPFILE")"
exec python3 "$HERE/bench.py" --java "$JAVA_HOME/bin/java" --cp "$CP" "$@"
