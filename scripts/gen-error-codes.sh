#!/usr/bin/env bash
# Regenerates src/protocol/error-codes.ts from org.apache.kafka.common.protocol.Errors in the
# kafka-clients jar (the version pinned in scripts/kafka-jars/pom.xml, or $KAFKA_VERSION).
# Needs Java 17+ and Node; the generated file is committed, so the library never needs Java.
# Usage: bash scripts/gen-error-codes.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$root/scripts/kafka-jars/pom.xml")}"
libs="$HOME/.cache/kafkawire/kafka-$version/libs"
out="$root/src/protocol/error-codes.ts"

if [ ! -f "$libs/kafka-clients-$version.jar" ]; then
  if [ -f "$root/scripts/kafka.sh" ]; then
    bash "$root/scripts/kafka.sh" fetch
  else
    mvn -q -B -f "$root/scripts/kafka-jars/pom.xml" -Dkafka.version="$version" dependency:copy-dependencies \
      -DoutputDirectory="$libs" -DincludeScope=runtime
  fi
fi

# Errors' static initialiser needs slf4j-api; without a binding slf4j warns on stderr, which we drop.
slf4j="$(ls "$libs"/slf4j-api-*.jar | head -n 1)"
json="$(mktemp)"
tmp="$(mktemp)"
trap 'rm -f "$json" "$tmp"' EXIT

java -cp "$libs/kafka-clients-$version.jar:$slf4j" "$root/scripts/gen-error-codes/GenErrorCodes.java" \
  >"$json" 2> >(grep -v '^SLF4J:' >&2)
node "$root/scripts/gen-error-codes/emit-ts.mjs" "$version" <"$json" >"$tmp"
cat "$tmp" >"$out" # not mv: keep the file's mode rather than mktemp's 0600
echo "wrote $out ($(grep -c "^  \[" "$out") codes, Kafka $version)"
