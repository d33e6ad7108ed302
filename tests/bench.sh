#!/usr/bin/env bash
# Runs the JMH benchmarks of the front end (outside the unit tests):
#   tests/bench.sh                 all benchmarks
#   tests/bench.sh CheckBenchmark  one of them
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$root"
./mvnw -B -q -DskipTests install
./mvnw -B -q -pl tests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec "$JAVA_HOME/bin/java" -Ddlc.root="$root" -cp "tests/target/test-classes:$(cat tests/target/bench.classpath)" \
  org.openjdk.jmh.Main "${@:-dev.dlc.bench}"
