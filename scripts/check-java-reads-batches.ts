/**
 * Proves kafka-clients reads the RecordBatches kafkawire writes: builds batches with every codec
 * (our xerial snappy framing, our lz4 frames, zlib gzip/zstd), has Java's MemoryRecords validate
 * and decode them (test/conformance/java/RecordBatchVectors.java `read`), and compares what Java
 * read with what we wrote. Needs java and the kafka jars (see scripts/gen-record-batch-vectors.sh).
 *
 *   npx tsx scripts/check-java-reads-batches.ts
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Compression } from '../src/protocol/codecs/index.js';
import { RecordBatchBuilder, type RecordInput } from '../src/protocol/records/record-batch.js';

const libs = process.env.KAFKA_LIBS ?? join(homedir(), '.cache/kafkawire/kafka-4.3.1/libs');
const jar = (prefix: string) => join(libs, readdirSync(libs).find((f) => f.startsWith(`${prefix}-`))!);
const classpath = ['kafka-clients', 'slf4j-api', 'lz4-java', 'snappy-java', 'zstd-jni'].map(jar).join(':');

function inputs(): RecordInput[] {
  const out: RecordInput[] = [];
  const t0 = 1_700_000_000_000;
  for (let i = 0; i < 200; i++) {
    out.push({
      timestamp: t0 + (i % 7 === 3 ? -i : i),
      key: i % 11 === 0 ? null : Buffer.from(`key-${i}`),
      value: i % 13 === 0 ? null : Buffer.from(`value ${i} `.repeat(1 + (i % 40))),
      headers:
        i % 5 === 0 ? [{ key: `h${i}-ключ`, value: i % 10 === 0 ? null : Buffer.from([i & 0xff]) }] : [],
    });
  }
  // Over 64 KiB: several lz4 blocks and several snappy-java chunks.
  const big = Buffer.allocUnsafe(150_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 5) % 251;
  out.push({ timestamp: t0, key: Buffer.from('big'), value: big, headers: [] });
  return out;
}

const records = inputs();
const lines: string[] = [];
for (const [name, codec] of Object.entries(Compression)) {
  const b = new RecordBatchBuilder({ compression: codec, producerId: 7n, producerEpoch: 1, baseSequence: 0 });
  for (const r of records) b.appendRecord(r);
  lines.push(`${name} ${b.finish().toString('hex')}`);
}
const file = join(mkdtempSync(join(tmpdir(), 'kafkawire-')), 'batches.txt');
writeFileSync(file, `${lines.join('\n')}\n`);
const json = execFileSync(
  'java',
  ['-cp', classpath, 'test/conformance/java/RecordBatchVectors.java', 'read', file],
  {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  },
);
const hex = (b: Uint8Array | null | undefined) => (b == null ? null : Buffer.from(b).toString('hex'));
let failures = 0;
for (const c of JSON.parse(json).cases) {
  const got = c.batches[0].records;
  let ok = got.length === records.length;
  for (let i = 0; ok && i < records.length; i++) {
    const r = records[i];
    const g = got[i];
    ok =
      g.offset === String(i) &&
      g.timestamp === r.timestamp &&
      g.keyHex === hex(r.key) &&
      (g.valueSha256 ?? g.valueHex) ===
        (r.value && r.value.length > 4096
          ? createHash('sha256').update(r.value).digest('hex')
          : hex(r.value)) &&
      JSON.stringify(g.headers) ===
        JSON.stringify(
          (r.headers ?? []).map((h) => ({ keyHex: hex(Buffer.from(h.key)), valueHex: hex(h.value) })),
        );
  }
  console.log(`${ok ? 'ok  ' : 'FAIL'} Java read our ${c.name} batch (${got.length} records)`);
  if (!ok) failures++;
}
console.log(`${lines.length - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
