#!/usr/bin/env bash
# Pack-and-install test: the package as a user gets it, not the source tree.
#
#   bash scripts/pack-test.sh            (KAFKA_BROKERS=host:port to use a running broker;
#                                         without it a local broker is started and stopped)
#
# `npm pack` (which builds dist/ through `prepack`), then a fresh project in a temp folder that
# installs only the tarball (plus typescript and @types/node for the TypeScript check), and there,
# against the broker:
#   1. an ESM JavaScript program: Admin creates a topic, Producer sends, a group Consumer reads
#      every record and commits, the group's lag is 0;
#   2. the same in TypeScript, type-checked with `tsc --strict` against the installed .d.ts files
#      (skipLibCheck off, so the shipped declarations are checked too), then run; it also checks
#      that internals stay out of the main entry and sends one raw request through
#      `kafkawire/protocol`;
#   3. a KafkaJS-style program through `kafkawire/kafkajs`;
#   4. the installed binary: `npx kafkawire --help`, then topics create, produce and consume in a
#      group, and the consumed lines compared with the produced ones.
# Any failure exits non-zero; the temp folder and the broker (if started here) go away on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# node_modules/.bin first: Node 24 and npm's scripts, whatever node is on PATH.
export PATH="$root/node_modules/.bin:$PATH"
work="$(mktemp -d "${TMPDIR:-/tmp}/kafkawire-pack.XXXXXX")"
started_broker=""

cleanup() {
  local rc=$?
  if [[ -n "$started_broker" ]]; then
    bash "$root/scripts/kafka.sh" stop --dir "$work/kafka" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  if ((rc != 0)); then echo "pack-test: FAILED (exit $rc)" >&2; fi
  exit "$rc"
}
trap cleanup EXIT

step() { echo "pack-test: $*"; }

if [[ -z "${KAFKA_BROKERS:-}" ]]; then
  step "KAFKA_BROKERS is not set: starting a local broker"
  bash "$root/scripts/kafka.sh" start --dir "$work/kafka" >"$work/kafka.out" 2>"$work/kafka.err" &
  started_broker=$!
  for _ in $(seq 900); do
    [[ -s "$work/kafka.out" ]] && break
    if ! kill -0 "$started_broker" 2>/dev/null; then
      tail -20 "$work/kafka.err" >&2
      exit 1
    fi
    sleep 0.2
  done
  KAFKA_BROKERS="$(head -1 "$work/kafka.out")"
  [[ -n "$KAFKA_BROKERS" ]] || { echo "pack-test: the broker did not start in 180 s" >&2; exit 1; }
  export KAFKA_BROKERS
fi
step "broker $KAFKA_BROKERS, node $(node --version)"

step "npm pack"
tarball="$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -1)"
tar tzf "$work/$tarball" >"$work/contents"
for f in package/LICENSE package/dist/index.js package/dist/index.d.ts package/dist/protocol-entry.js \
  package/dist/kafkajs/index.js package/dist/kafkajs/index.d.ts package/dist/cli/main.js package/src/index.ts; do
  grep -qx "$f" "$work/contents" || { echo "pack-test: $f is missing from $tarball" >&2; exit 1; }
done
# Every source map must point at a file that is in the tarball.
mkdir -p "$work/unpacked"
tar xzf "$work/$tarball" -C "$work/unpacked"
node -e '
  const fs = require("node:fs"), path = require("node:path");
  const dir = process.argv[1]; let maps = 0;
  const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (p.endsWith(".map")) { maps++;
      for (const s of JSON.parse(fs.readFileSync(p, "utf8")).sources) {
        const target = path.resolve(path.dirname(p), s);
        if (!fs.existsSync(target)) { console.error(`${p} points at missing ${s}`); process.exit(1); }
      } } } };
  walk(path.join(dir, "package", "dist"));
  console.log(`pack-test: ${maps} source maps, every source present`);
' "$work/unpacked"

step "fresh project: npm install $tarball"
app="$work/app"
mkdir -p "$app"
cat >"$app/package.json" <<'JSON'
{ "name": "kafkawire-pack-test", "version": "1.0.0", "private": true, "type": "module" }
JSON
ts_version="$(node -p "require('$root/node_modules/typescript/package.json').version")"
types_version="$(node -p "require('$root/node_modules/@types/node/package.json').version")"
(cd "$app" && npm install --no-audit --no-fund --prefer-offline --loglevel=error \
  "$work/$tarball" "typescript@$ts_version" "@types/node@$types_version")

suffix="$(node -e 'console.log(require("node:crypto").randomBytes(4).toString("hex"))')"

cat >"$app/app.mjs" <<'JS'
// A user's first program, in plain ESM JavaScript.
import { Admin, Consumer, Producer } from 'kafkawire';

const [topic, groupId] = process.argv.slice(2);
const bootstrapServers = process.env.KAFKA_BROKERS;
const count = 500;

const admin = new Admin({ bootstrapServers });
await admin.createTopics([{ name: topic, numPartitions: 3, replicationFactor: 1 }]);

const producer = new Producer({ bootstrapServers, compressionType: 'lz4' });
const records = Array.from({ length: count }, (_, i) => ({ topic, key: `k${i % 7}`, value: `v${i}` }));
const acks = await producer.send(records);
await producer.close();
if (acks.length !== count) throw new Error(`expected ${count} acknowledgements, got ${acks.length}`);

const consumer = new Consumer({ bootstrapServers, groupId, autoOffsetReset: 'earliest', enableAutoCommit: false });
consumer.subscribe([topic]);
const seen = new Set();
const deadline = Date.now() + 60_000;
while (seen.size < count && Date.now() < deadline) {
  for (const batch of await consumer.poll({ timeoutMs: 1000 })) {
    for (const r of batch.records) seen.add(r.value.toString());
  }
}
await consumer.commit();
await consumer.close();
if (seen.size !== count) throw new Error(`consumed ${seen.size} distinct records of ${count}`);
const { total } = await admin.groupLag(groupId);
await admin.close();
if (total !== 0n) throw new Error(`group lag ${total} after commit`);
console.log(`js: produced ${count}, consumed ${count} in group ${groupId}, lag 0`);
JS

cat >"$app/app.ts" <<'TS'
// The same in TypeScript, checked with tsc --strict against the installed declarations.
import * as main from 'kafkawire';
import {
  Admin,
  Consumer,
  type ConsumerBatch,
  KafkaError,
  Producer,
  type ProducerRecord,
  type RecordMetadata,
} from 'kafkawire';
import { type EachMessagePayload, Kafka, type KafkaMessage } from 'kafkawire/kafkajs';
import { Connection, ErrorCode, Metadata } from 'kafkawire/protocol';

const [topic, groupId] = process.argv.slice(2) as [string, string];
const bootstrapServers = process.env.KAFKA_BROKERS ?? '';
const count = 500;

// Internals stay out of the main entry, at compile time and at run time.
// @ts-expect-error Connection is in kafkawire/protocol, not in the client API
const leaked: unknown = main.Connection;
if (leaked !== undefined || 'Reader' in main || 'Cluster' in main) throw new Error('internals leak through kafkawire');

const admin = new Admin({ bootstrapServers });
await admin.createTopics([{ name: topic, numPartitions: 3, replicationFactor: 1 }]);

const producer = new Producer<string, Buffer>({ bootstrapServers, acks: 'all' });
const records: ProducerRecord<string, Buffer>[] = Array.from({ length: count }, (_, i) => ({
  topic,
  key: `k${i % 7}`,
  value: Buffer.from(`v${i}`),
  headers: { n: String(i) },
}));
const acks: RecordMetadata[] = await producer.send(records);
await producer.close();
if (acks.length !== count || typeof acks[0]?.offset !== 'bigint') throw new Error('bad acknowledgements');

const consumer = new Consumer({ bootstrapServers, groupId, autoOffsetReset: 'earliest' });
consumer.subscribe([topic]);
const seen = new Set<string>();
const controller = new AbortController();
await consumer.run({
  signal: controller.signal,
  eachBatch: (batch: ConsumerBatch) => {
    for (const r of batch.records) seen.add(r.value?.toString() ?? '');
    if (seen.size >= count) controller.abort();
  },
});
await consumer.close(); // commits what was handled
if (seen.size !== count) throw new Error(`consumed ${seen.size} distinct records of ${count}`);
const { total } = await admin.groupLag(groupId);

// Calls over several items report an error per item.
const [missing] = await admin.describeTopics([`${topic}-missing`]);
if (!(missing?.error instanceof KafkaError) || missing.error.code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
  throw new Error(`describing a missing topic: ${String(missing?.error)}`);
}
await admin.close();
if (total !== 0n) throw new Error(`group lag ${total} after close`);

// One raw request through kafkawire/protocol.
const [host, port] = bootstrapServers.split(',')[0]!.split(':') as [string, string];
const conn = new Connection({ host, port: Number(port), clientId: 'pack-test' });
await conn.connect();
const md = await conn.send(Metadata, { topics: [{ name: topic }], allowAutoTopicCreation: false });
await conn.close();
if (md.topics[0]?.errorCode !== ErrorCode.NONE || md.topics[0]?.partitions.length !== 3) {
  throw new Error(`raw Metadata answer: ${JSON.stringify(md.topics[0], (_k, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
}
// The KafkaJS entry's declarations type-check too (its program runs below, in JavaScript).
const onMessage = async ({ message }: EachMessagePayload): Promise<void> => {
  const m: KafkaMessage = message;
  void m.offset.length;
};
void new Kafka({ clientId: 'pack-test', brokers: [bootstrapServers] }).consumer({ groupId }).on('consumer.crash', () => {});
void onMessage;
console.log(`ts: produced ${count}, consumed ${count} in group ${groupId}, lag 0; raw Metadata ok`);
TS

cat >"$app/kafkajs-app.mjs" <<'JS'
// A KafkaJS program; only the import line differs from KafkaJS's documented API.
import { Kafka, logLevel } from 'kafkawire/kafkajs';

const [topic, groupId] = process.argv.slice(2);
const kafka = new Kafka({ clientId: 'pack-test', brokers: process.env.KAFKA_BROKERS.split(','), logLevel: logLevel.WARN });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
await admin.disconnect();

const producer = kafka.producer();
await producer.connect();
await producer.send({ topic, messages: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
await producer.disconnect();

const consumer = kafka.consumer({ groupId });
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
let n = 0;
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`consumed ${n} of 50 in 60 s`)), 60_000);
  consumer.run({
    eachMessage: async ({ message }) => {
      if (typeof message.offset !== 'string') throw new Error('offsets are strings in KafkaJS');
      if (++n === 50) { clearTimeout(timer); resolve(); }
    },
  }).catch(reject);
});
await consumer.disconnect();
console.log(`kafkajs: produced 50, consumed 50 in group ${groupId}`);
JS

cat >"$app/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "strict": true,
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "target": "es2023",
    "lib": ["es2023"],
    "types": ["node"],
    "skipLibCheck": false,
    "outDir": "build"
  },
  "files": ["app.ts"]
}
JSON

cd "$app"
step "ESM JavaScript program"
node app.mjs "pack-js-$suffix" "pack-js-$suffix-group"
step "TypeScript program: tsc --strict against the installed types, then run"
npx --no-install tsc -p tsconfig.json
node build/app.js "pack-ts-$suffix" "pack-ts-$suffix-group"
step "KafkaJS program through kafkawire/kafkajs"
node kafkajs-app.mjs "pack-kafkajs-$suffix" "pack-kafkajs-$suffix-group"

step "the installed binary"
npx --no-install kafkawire --help >"$work/help.txt"
grep -q '^Usage: kafkawire' "$work/help.txt" || { cat "$work/help.txt" >&2; exit 1; }
cli_topic="pack-cli-$suffix"
npx --no-install kafkawire topics create "$cli_topic" --partitions 2
printf 'alice:1\nbob:2\ncarol:3\ndave:4\n' >"$work/in.txt"
npx --no-install kafkawire produce -t "$cli_topic" -k : -f "$work/in.txt"
npx --no-install kafkawire consume -t "$cli_topic" -g "$cli_topic-group" -c 4 --format kv -k : | sort >"$work/out.txt"
diff <(sort "$work/in.txt") "$work/out.txt" || { echo "pack-test: the CLI round trip differs" >&2; exit 1; }
npx --no-install kafkawire groups lag "$cli_topic-group" | grep -q '^Total lag: 0$'
step "OK: JavaScript, TypeScript, KafkaJS and CLI against $KAFKA_BROKERS from the installed package"
