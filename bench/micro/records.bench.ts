/**
 * Record layer micro-benchmarks: RecordBatch v2 encode and decode of 1000 records of 100-byte
 * values (16-byte keys), per codec, and CRC-32C in JS against the native package over 1 MiB.
 *
 *   npx tsx bench/micro/records.bench.ts
 *
 * Each suite prints benny's ops/s, then the same numbers as records/s and MB/s (of uncompressed
 * batch bytes) or GB/s.
 */
import { add, complete, cycle, suite } from 'benny';
import type { Summary } from 'benny/lib/internal/common-types.js';
import { Compression, compressionName } from '../../src/protocol/codecs/index.js';
import { crc32c, crc32cJs, crc32cNative } from '../../src/protocol/crc32c.js';
import { decodeRecordBatches, RecordBatchBuilder } from '../../src/protocol/records/record-batch.js';

const RECORDS = 1000;
const T0 = 1_700_000_000_000;
const keys = Array.from({ length: RECORDS }, (_, i) => Buffer.from(`key-${String(i).padStart(12, '0')}`));
const values = Array.from({ length: RECORDS }, (_, i) => {
  const v = Buffer.allocUnsafe(100);
  for (let j = 0; j < 100; j++) v[j] = 97 + ((i * 7 + j * 13) % 26);
  return v;
});
const headers = [{ key: 'trace-id', value: Buffer.from('0123456789abcdef') }];

function fill(builder: RecordBatchBuilder, withHeaders = false): void {
  for (let i = 0; i < RECORDS; i++) builder.append(T0 + i, keys[i], values[i], withHeaders ? headers : null);
}

const uncompressedSize = (() => {
  const b = new RecordBatchBuilder();
  fill(b);
  return b.sizeInBytes;
})();

function report(unitBytes: number, perOp: number, unit: 'MB/s' | 'GB/s') {
  return (s: Summary) => {
    for (const r of s.results) {
      const rate = unit === 'MB/s' ? (r.ops * unitBytes) / 1e6 : (r.ops * unitBytes) / 1e9;
      const records = perOp > 1 ? `  ${((r.ops * perOp) / 1e6).toFixed(2)} M records/s` : '';
      console.log(`  ${r.name.padEnd(28)}${records}  ${rate.toFixed(unit === 'MB/s' ? 0 : 2)} ${unit}`);
    }
  };
}

const codecs = [Compression.none, Compression.lz4, Compression.snappy, Compression.zstd, Compression.gzip];
const builders = new Map(codecs.map((c) => [c, new RecordBatchBuilder({ compression: c }, 256 * 1024)]));
const batches = new Map(
  codecs.map((c) => {
    const b = new RecordBatchBuilder({ compression: c });
    fill(b);
    return [c, b.finish()];
  }),
);

console.log(`batch: ${RECORDS} records, ${uncompressedSize} bytes uncompressed`);
for (const c of codecs)
  console.log(`  ${compressionName(c).padEnd(7)} ${batches.get(c)!.length} bytes on the wire`);

await suite(
  `RecordBatch encode (${RECORDS} x 100 B)`,
  ...codecs.map((c) =>
    add(`encode ${compressionName(c)}`, () => {
      const b = builders.get(c)!.reset({ compression: c });
      fill(b);
      return b.finish();
    }),
  ),
  add('encode none, 1 header/record', () => {
    const b = builders.get(Compression.none)!.reset();
    fill(b, true);
    return b.finish();
  }),
  cycle(),
  complete(report(uncompressedSize, RECORDS, 'MB/s')),
);

await suite(
  `RecordBatch decode (${RECORDS} x 100 B)`,
  ...codecs.map((c) => add(`decode ${compressionName(c)}`, () => decodeRecordBatches(batches.get(c)!))),
  add('decode none, no CRC check', () =>
    decodeRecordBatches(batches.get(Compression.none)!, { verifyCrc: false }),
  ),
  cycle(),
  complete(report(uncompressedSize, RECORDS, 'MB/s')),
);

const MiB = Buffer.allocUnsafe(1024 * 1024);
for (let i = 0; i < MiB.length; i++) MiB[i] = (i * 2654435761) >>> 24;
const small = MiB.subarray(0, 1024);

await suite(
  'CRC-32C over 1 MiB',
  add('crc32c JS (slice-by-16)', () => crc32cJs(MiB)),
  ...(crc32cNative ? [add('crc32c native (@node-rs/crc32)', () => crc32cNative!(MiB))] : []),
  add('crc32c (dispatching)', () => crc32c(MiB)),
  cycle(),
  complete(report(MiB.length, 1, 'GB/s')),
);

await suite(
  'CRC-32C over 1 KiB',
  add('crc32c JS (slice-by-16)', () => crc32cJs(small)),
  ...(crc32cNative ? [add('crc32c native (@node-rs/crc32)', () => crc32cNative!(small))] : []),
  cycle(),
  complete(report(small.length, 1, 'GB/s')),
);
