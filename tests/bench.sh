#!/usr/bin/env bash
# Runs the JMH benchmarks (outside the unit tests), built in the reactor (nothing installed):
#   tests/bench.sh                                 all benchmarks
#   tests/bench.sh GemmBenchmark                   one of them
#   tests/bench.sh GemmBenchmark -wi 3 -i 5 -f 1   with JMH options
# The CPU kernels use the Vector API, an incubator module: the JVM and JMH's forks get
# --add-modules jdk.incubator.vector.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$root"
./mvnw -B -q -pl tests -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Ddlc.root="$root" \
  -cp "tests/target/test-classes:$(cat tests/target/bench.classpath)" \
  org.openjdk.jmh.Main "${@:-dev.dlc.bench}"
