/**
 * Compression codecs on the records of a batch of JSON values, compress and decompress, at two
 * sizes: a batch of the producer's default batch.size (16 KiB) and a batch of 1,000 records.
 *
 * KafkaJS ships gzip only (snappy, lz4 and zstd are plugins it does not include), so gzip is
 * compared with KafkaJS's `message/compression/gzip` (zlib's async gzip / unzip on the thread
 * pool), against kafkawire's sync path (what `RecordBatchBuilder.finish()` and the fetch decoder
 * run) and its async one (libuv's thread pool, like KafkaJS). The other codecs are kafkawire's
 * alone. Before the cases are built every codec's output is checked to decompress back to the
 * input, and for gzip each side's output by the other side.
 */
import {
  Compression,
  compress,
  compressSync,
  decompress,
  decompressSync,
} from '../../src/protocol/codecs/index.js';
import { RECORD_BATCH_OVERHEAD, RecordBatchBuilder } from '../../src/protocol/records/record-batch.js';
import { type Case, check, type Entry, kafkaJs, makeKeys, T0 } from './lib.js';

interface KjsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

const kjsGzip = kafkaJs<KjsCodec>('protocol/message/compression/gzip');

const EVENTS = ['page_view', 'add_to_cart', 'checkout', 'search', 'login'];

/**
 * About 100 B of JSON per value, from a fixed seed: an event record as applications send them,
 * with the repeated field names and small alphabets that LZ codecs find matches in (random
 * letters, the values of records.bench.ts, give snappy and lz4 almost nothing to match).
 */
function jsonValues(count: number): Buffer[] {
  let s = 0x9e3779b9;
  const next = (n: number): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
  return Array.from({ length: count }, (_, i) =>
    Buffer.from(
      JSON.stringify({
        id: 1_000_000 + i,
        user: `u-${next(100_000)}`,
        type: EVENTS[next(EVENTS.length)],
        path: `/products/${next(10_000)}`,
        ts: T0 + i * 3 + next(3),
        ms: next(2000),
      }),
    ),
  );
}

/** The records of one uncompressed batch of JSON values, up to `maxBatchBytes` (or `maxRecords`). */
function recordsPayload(maxBatchBytes: number, maxRecords: number): { payload: Buffer; records: number } {
  const keys = makeKeys(maxRecords);
  const values = jsonValues(maxRecords);
  const b = new RecordBatchBuilder();
  for (let i = 0; i < maxRecords; i++) {
    if (b.sizeInBytes + b.sizeOfNext(T0 + i, keys[i], values[i]) > maxBatchBytes) break;
    b.append(T0 + i, keys[i], values[i]);
  }
  return { payload: b.finish().subarray(RECORD_BATCH_OVERHEAD), records: b.recordCount };
}

const PAYLOADS = [
  { name: '16 KiB batch', ...recordsPayload(16 * 1024, 1000) },
  { name: '1,000-record batch', ...recordsPayload(Number.POSITIVE_INFINITY, 1000) },
];

const CODECS = [
  { name: 'gzip', id: Compression.gzip },
  { name: 'snappy', id: Compression.snappy },
  { name: 'lz4', id: Compression.lz4 },
  { name: 'zstd', id: Compression.zstd },
];

export async function cases(): Promise<Case[]> {
  const out: Case[] = [];
  for (const { name, payload, records } of PAYLOADS) {
    for (const codec of CODECS) {
      const compressed = compressSync(codec.id, payload);
      check(decompressSync(codec.id, compressed).equals(payload), `${codec.name}: round trip`);
      check(
        (await decompress(codec.id, await compress(codec.id, payload))).equals(payload),
        `${codec.name}: async`,
      );
      const compressEntries: Entry[] = [
        { side: 'kafkawire', path: 'compressSync', fn: () => compressSync(codec.id, payload), main: true },
      ];
      const decompressEntries: Entry[] = [
        {
          side: 'kafkawire',
          path: 'decompressSync',
          fn: () => decompressSync(codec.id, compressed),
          main: true,
        },
      ];
      if (codec.id === Compression.gzip) {
        const kjsCompressed = await kjsGzip.compress({ buffer: payload });
        check(decompressSync(codec.id, kjsCompressed).equals(payload), 'gzip: kafkawire reading KafkaJS');
        check((await kjsGzip.decompress(compressed)).equals(payload), 'gzip: KafkaJS reading kafkawire');
        compressEntries.push(
          { side: 'kafkawire', path: 'compress (thread pool)', fn: () => compress(codec.id, payload) },
          {
            side: 'KafkaJS',
            path: 'gzip.compress (zlib.gzip, thread pool)',
            fn: () => kjsGzip.compress({ buffer: payload }),
          },
        );
        decompressEntries.push(
          { side: 'kafkawire', path: 'decompress (thread pool)', fn: () => decompress(codec.id, compressed) },
          {
            side: 'KafkaJS',
            path: 'gzip.decompress (zlib.unzip, thread pool)',
            fn: () => kjsGzip.decompress(compressed),
          },
        );
      }
      const caseName = `${codec.name}, ${name}: ${records} records, ${payload.length} → ${compressed.length} B`;
      const items = { count: records, unit: 'records' as const };
      out.push(
        {
          group: 'codec compress',
          name: caseName,
          items,
          bytes: payload.length,
          unit: 'MB/s',
          entries: compressEntries,
        },
        {
          group: 'codec decompress',
          name: caseName,
          items,
          bytes: payload.length,
          unit: 'MB/s',
          entries: decompressEntries,
        },
      );
    }
  }
  // Compress cases first, then decompress.
  return [
    ...out.filter((c) => c.group === 'codec compress'),
    ...out.filter((c) => c.group === 'codec decompress'),
  ];
}
