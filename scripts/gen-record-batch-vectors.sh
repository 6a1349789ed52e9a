#!/usr/bin/env bash
# Regenerates test/conformance/fixtures/record-batches.json: RecordBatch v2 bytes built by
# kafka-clients' MemoryRecordsBuilder for every codec (lz4-java, snappy-java, zstd-jni, JDK gzip),
# and the records Java reads back from them. Fetches the jars into the cache when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
KAFKA_VERSION=4.3.1
LIBS="${KAFKA_LIBS:-$HOME/.cache/kafkawire/kafka-$KAFKA_VERSION/libs}"
if [ ! -f "$LIBS/kafka-clients-$KAFKA_VERSION.jar" ]; then
  mvn -q -B -f scripts/kafka-jars/pom.xml dependency:copy-dependencies \
    -DoutputDirectory="$LIBS" -DincludeScope=runtime
fi
jar() { ls "$LIBS"/"$1"-*.jar | head -n1; }
CP="$LIBS/kafka-clients-$KAFKA_VERSION.jar:$(jar slf4j-api):$(jar lz4-java):$(jar snappy-java):$(jar zstd-jni)"
java -cp "$CP" test/conformance/java/RecordBatchVectors.java "$@" > test/conformance/fixtures/record-batches.json.tmp
mv test/conformance/fixtures/record-batches.json.tmp test/conformance/fixtures/record-batches.json
echo "wrote test/conformance/fixtures/record-batches.json ($(grep -c '"name"' test/conformance/fixtures/record-batches.json) cases)"
