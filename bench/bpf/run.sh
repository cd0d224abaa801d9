#!/bin/sh
# Gannet eBPF datapath benchmarks. Needs root, bpffs, clang, libbpf1, iproute2 and
# iptables (apt-get install -y iptables) for the kube-proxy comparison.
#   bench/bpf/run.sh                 # full run (~2-4 min)
#   BENCH_OPTS="-Dbench.calls=5000 -Dbench.parts=packet,program" bench/bpf/run.sh   # subset
#   BENCH_MAIN=NodePortXdpBench bench/bpf/run.sh   # a node port with Local per packet: XDP vs TC
set -eu
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
# One reactor build, never `install`: the class path is the reactor's own target/ directories,
# so a run neither writes ~/.m2 nor picks up another checkout's jars.
./mvnw -q -B -pl bpf -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-cp.txt \
    -Dmdep.includeScope=test >/dev/null
out="bench/bpf/target"
mkdir -p "$out"
cp="bpf/target/classes:bpf/target/test-classes:$(cat bpf/target/bench-cp.txt)"
"$JAVA_HOME/bin/javac" -nowarn -cp "$cp" -d "$out" bench/bpf/src/*.java
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Dgannet.bpf.objects=bpf/target/classes/bpf ${BENCH_OPTS:-} -cp "$out:$cp" "${BENCH_MAIN:-DatapathBench}"
