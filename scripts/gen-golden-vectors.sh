#!/usr/bin/env bash
# Regenerates the golden vectors test/conformance/fixtures/*.json (every API module, headers, sasl-*)
# with Kafka's own generated message classes (test/conformance/java/GoldenVectors.java), from the
# kafka-clients jar pinned in scripts/kafka-jars/pom.xml (or $KAFKA_VERSION). Needs Java 17+.
# The fixtures are committed, so the tests never need Java; the output is deterministic, so a
# regeneration with the same Kafka version leaves no diff.
# Usage: bash scripts/gen-golden-vectors.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$root/scripts/kafka-jars/pom.xml")}"
libs="${KAFKAWIRE_CACHE:-$HOME/.cache/kafkawire}/kafka-$version/libs"

if [ ! -f "$libs/kafka-clients-$version.jar" ]; then
  if [ -f "$root/scripts/kafka.sh" ] && [ -z "${KAFKA_VERSION:-}" ]; then
    libs="$(bash "$root/scripts/kafka.sh" fetch)" # prints the jar directory
  else
    mvn -q -B -f "$root/scripts/kafka-jars/pom.xml" -Dkafka.version="$version" dependency:copy-dependencies \
      -DoutputDirectory="$libs" -DincludeScope=runtime
  fi
fi

# kafka-clients, slf4j-api (AppInfoParser logs through it) and Jackson (the *JsonConverter classes).
jar() {
  local found
  found="$(ls "$libs"/$1-[0-9]*.jar 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$found" ]; then
    echo "gen-golden-vectors: no $1 jar in $libs" >&2
    exit 1
  fi
  printf '%s' "$found"
}
cp="$libs/kafka-clients-$version.jar:$(jar slf4j-api):$(jar jackson-databind):$(jar jackson-core):$(jar jackson-annotations)"

# Without an slf4j binding slf4j warns on stderr, which we drop.
java -cp "$cp" "$root/test/conformance/java/GoldenVectors.java" "${GOLDEN_OUT:-$root/test/conformance/fixtures}" \
  2> >(grep -v '^SLF4J:' >&2)
