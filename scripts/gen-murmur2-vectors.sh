#!/usr/bin/env bash
# Regenerates test/conformance/fixtures/murmur2.json with kafka-clients' own murmur2 and
# partitionForKey (Java 11+ single-file launch). Fetches the jars into the cache when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
KAFKA_VERSION=4.3.1
LIBS="${KAFKA_LIBS:-$HOME/.cache/kafkawire/kafka-$KAFKA_VERSION/libs}"
if [ ! -f "$LIBS/kafka-clients-$KAFKA_VERSION.jar" ]; then
  mvn -q -B -f scripts/kafka-jars/pom.xml dependency:copy-dependencies \
    -DoutputDirectory="$LIBS" -DincludeScope=runtime
fi
# kafka-clients' Utils logs through slf4j, so its API jar must be on the classpath too.
SLF4J="$(ls "$LIBS"/slf4j-api-*.jar | head -n1)"
java -cp "$LIBS/kafka-clients-$KAFKA_VERSION.jar:$SLF4J" test/conformance/java/Murmur2Vectors.java \
  > test/conformance/fixtures/murmur2.json.tmp
mv test/conformance/fixtures/murmur2.json.tmp test/conformance/fixtures/murmur2.json
echo "wrote test/conformance/fixtures/murmur2.json ($(grep -c keyHex test/conformance/fixtures/murmur2.json) vectors)"
