import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Compression } from '../../src/protocol/codecs/index.js';
import { crc32c } from '../../src/protocol/crc32c.js';
import { ConfigError, ProtocolError } from '../../src/protocol/errors.js';
import { sizeOfRecordPayload } from '../../src/protocol/records/layout.js';
import {
  ControlRecordType,
  type DecodedRecord,
  decodeDeferred,
  decodeRecordBatches,
  RECORD_BATCH_OVERHEAD,
  RecordBatchBuilder,
  type RecordInput,
  setProducerState,
} from '../../src/protocol/records/record-batch.js';

const codecs = [Compression.none, Compression.gzip, Compression.snappy, Compression.lz4, Compression.zstd];
const T0 = 1_700_000_000_000;

function sampleRecords(n: number, seed = 0): RecordInput[] {
  const out: RecordInput[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      timestamp: T0 + ((i * 7 + seed) % 50) - 10,
      key: i % 4 === 0 ? null : Buffer.from(`key-${i}-${seed}`),
      value: i % 9 === 0 ? null : Buffer.from(`value ${i} `.repeat(1 + (i % 5))),
      headers: i % 3 === 0 ? [{ key: `h-${i}`, value: i % 2 ? Buffer.from([i & 0xff]) : null }] : undefined,
    });
  }
  return out;
}

function buildBatch(
  records: RecordInput[],
  options: ConstructorParameters<typeof RecordBatchBuilder>[0] = {},
): Buffer {
  const b = new RecordBatchBuilder(options);
  for (const r of records) b.appendRecord(r);
  return b.finish();
}

function plain(r: DecodedRecord) {
  return {
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : Buffer.from(r.key).toString('hex'),
    value: r.value === null ? null : Buffer.from(r.value).toString('hex'),
    headers: r.headers.map((h) => ({
      key: h.key,
      value: h.value === null ? null : Buffer.from(h.value).toString('hex'),
    })),
  };
}

function expected(records: RecordInput[], baseOffset = 0n) {
  return records.map((r, i) => ({
    offset: baseOffset + BigInt(i),
    timestamp: r.timestamp,
    key: r.key === null ? null : Buffer.from(r.key).toString('hex'),
    value: r.value === null ? null : Buffer.from(r.value).toString('hex'),
    headers: (r.headers ?? []).map((h) => ({
      key: h.key,
      value: h.value === null ? null : Buffer.from(h.value).toString('hex'),
    })),
  }));
}

function expectProtocolError(fn: () => unknown, message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ProtocolError);
  if (message) expect((thrown as Error).message).toMatch(message);
}

describe('RecordBatchBuilder and decodeRecordBatches', () => {
  for (const codec of codecs) {
    it(`round-trips records, offsets and timestamps with codec ${codec}`, async () => {
      const records = sampleRecords(100, codec);
      const options = {
        compression: codec,
        baseOffset: 1000n,
        producerId: 5n,
        producerEpoch: 2,
        baseSequence: 10,
      };
      const asyncBuilder = new RecordBatchBuilder(options);
      for (const r of records) asyncBuilder.appendRecord(r);
      const sync = buildBatch(records, options);
      const async = await asyncBuilder.finishAsync();
      // zstd's one-shot (sync) frame records the content size, its streamed (async) one does not.
      expect(decodeRecordBatches(async).batches[0].records.map(plain)).toEqual(expected(records, 1000n));
      if (codec !== Compression.zstd) expect(async.equals(sync)).toBe(true);
      const { batches, bytesRead, truncated } = decodeRecordBatches(sync);
      expect(truncated).toBe(false);
      expect(bytesRead).toBe(sync.length);
      const [batch] = batches;
      expect(batch.records.map(plain)).toEqual(expected(records, 1000n));
      expect(batch).toMatchObject({
        compression: codec,
        baseOffset: 1000n,
        lastOffset: 1099n,
        lastOffsetDelta: 99,
        recordCount: 100,
        producerId: 5n,
        producerEpoch: 2,
        baseSequence: 10,
        baseTimestamp: records[0].timestamp,
        maxTimestamp: Math.max(...records.map((r) => r.timestamp)),
        isTransactional: false,
        isControl: false,
        controlType: null,
      });
    });
  }

  it('finishAsync keeps its records when the builder is reset while compressing', async () => {
    const b = new RecordBatchBuilder({ compression: Compression.gzip });
    const records = sampleRecords(50);
    for (const r of records) b.appendRecord(r);
    const pending = b.finishAsync();
    b.reset({ compression: Compression.gzip });
    for (const r of sampleRecords(10, 99)) b.appendRecord(r);
    const [batch] = decodeRecordBatches(await pending).batches;
    expect(batch.records.map(plain)).toEqual(expected(records));
  });

  it('tracks the exact wire size as records are appended, before any encoding', () => {
    const b = new RecordBatchBuilder();
    expect(b.sizeInBytes).toBe(RECORD_BATCH_OVERHEAD);
    for (const r of sampleRecords(200)) {
      const next = b.sizeOfNext(r.timestamp, r.key, r.value, r.headers);
      const before = b.sizeInBytes;
      expect(b.appendRecord(r)).toBe(next);
      expect(b.sizeInBytes).toBe(before + next);
    }
    expect(b.finish().length).toBe(b.sizeInBytes);
    // The producer's path: key, value and headers sized once, passed to both calls.
    const fast = new RecordBatchBuilder();
    const slow = new RecordBatchBuilder();
    for (const r of sampleRecords(200, 3)) {
      const payload = sizeOfRecordPayload(r.key, r.value, r.headers);
      const next = fast.sizeOfNext(r.timestamp, r.key, r.value, r.headers, payload);
      expect(next).toBe(slow.sizeOfNext(r.timestamp, r.key, r.value, r.headers));
      expect(fast.append(r.timestamp, r.key, r.value, r.headers, payload)).toBe(next);
      slow.appendRecord(r);
    }
    expect(fast.finish()).toEqual(slow.finish());
  });

  it('sizes records with large timestamp deltas, long values and unicode header keys exactly', () => {
    const b = new RecordBatchBuilder();
    const cases: RecordInput[] = [
      { timestamp: T0, key: null, value: null },
      { timestamp: T0 + 2 ** 40, key: Buffer.alloc(200), value: Buffer.alloc(20_000) },
      {
        timestamp: T0 - 2 ** 35,
        key: Buffer.alloc(0),
        value: Buffer.alloc(0),
        headers: [{ key: 'ключ-日本-🚀', value: null }],
      },
      { timestamp: -1, key: null, value: Buffer.alloc(3_000_000) },
    ];
    for (const r of cases) {
      const next = b.sizeOfNext(r.timestamp, r.key, r.value, r.headers);
      expect(b.appendRecord(r)).toBe(next);
    }
    const bytes = b.finish();
    expect(bytes.length).toBe(b.sizeInBytes);
    expect(decodeRecordBatches(bytes).batches[0].records.map(plain)).toEqual(expected(cases));
  });

  it('computes record sizes as Java DefaultRecord.sizeInBytes does', () => {
    // 1 length + 1 attributes + 1 timestampDelta + 1 offsetDelta + 1 key(-1) + 1 value(-1) + 1 headers
    expect(RecordBatchBuilder.sizeOfRecord(0, 0, null, null)).toBe(7);
    // body: 1 + 1 + 1 + (1+3) + (1+5) + 1 = 14, plus a 1-byte length
    expect(RecordBatchBuilder.sizeOfRecord(0, 0, Buffer.from('key'), Buffer.from('value'), [])).toBe(15);
    // offsetDelta 64 and timestampDelta -65 each take two varint bytes
    expect(RecordBatchBuilder.sizeOfRecord(64, -65, null, null)).toBe(9);
  });

  it('refuses a codec id Kafka does not define', () => {
    expect(() => new RecordBatchBuilder({ compression: 5 })).toThrow(ConfigError);
    expect(() => new RecordBatchBuilder().reset({ compression: -1 })).toThrow(ConfigError);
  });

  it('reuses its buffer: a reset builder writes the same bytes again', () => {
    const b = new RecordBatchBuilder({}, 64);
    const records = sampleRecords(300);
    for (const r of records) b.appendRecord(r);
    const first = b.finish();
    b.reset();
    for (const r of records) b.appendRecord(r);
    expect(b.finish().equals(first)).toBe(true);
  });

  it('hands a full uncompressed batch over uncopied, and never writes into it afterwards', () => {
    const b = new RecordBatchBuilder({}, 1024);
    const value = Buffer.alloc(100, 0x61);
    for (let i = 0; i < 8; i++) b.append(1000 + i, null, value);
    const writerBuf = () => (b as unknown as { w: { buf: Buffer } }).w.buf;
    const own = writerBuf();
    const first = b.finish();
    // More than half the builder's buffer: the batch is a view of it, not a copy.
    expect(first.buffer).toBe(own.buffer);
    expect(first.byteOffset).toBe(own.byteOffset);
    const snapshot = Buffer.from(first);
    // An append after finish() (no reset) and the next batch both go to a new buffer.
    // Small enough to fit in the handed-over buffer: without a fresh one they would overwrite it.
    b.append(2000, null, Buffer.alloc(10, 0x62));
    b.reset();
    for (let i = 0; i < 3; i++) b.append(3000 + i, null, Buffer.alloc(100, 0x63));
    const second = b.finish();
    expect(first.equals(snapshot)).toBe(true);
    expect(writerBuf()).not.toBe(own);
    expect(decodeRecordBatches(first).batches[0].records.map((r) => r.timestamp)).toEqual(
      Array.from({ length: 8 }, (_, i) => 1000 + i),
    );
    expect(decodeRecordBatches(second).batches[0].records).toHaveLength(3);
  });

  it('copies a small uncompressed batch into a buffer of its own size', () => {
    const b = new RecordBatchBuilder({}, 16 * 1024);
    b.append(1, null, Buffer.from('x'));
    const own = (b as unknown as { w: { buf: Buffer } }).w.buf;
    const out = b.finish();
    expect(out.buffer === own.buffer && out.byteOffset === own.byteOffset).toBe(false);
    expect(out.byteLength).toBe(RECORD_BATCH_OVERHEAD + 8);
    b.reset();
    b.append(2, null, Buffer.from('y'));
    expect(decodeRecordBatches(out).batches[0].records[0].value?.toString()).toBe('x');
  });

  it('decodes several batches and stops quietly at a partial batch at the end', () => {
    const a = buildBatch(sampleRecords(5), { baseOffset: 0n });
    const b = buildBatch(sampleRecords(7), { baseOffset: 5n, compression: Compression.lz4 });
    const c = buildBatch(sampleRecords(3), { baseOffset: 12n });
    const all = Buffer.concat([a, b, c]);
    const full = decodeRecordBatches(all);
    expect(full.batches.map((x) => x.records.length)).toEqual([5, 7, 3]);
    expect(full.batches[2].records[2].offset).toBe(14n);
    for (let cut = a.length + b.length; cut < all.length; cut++) {
      const partial = decodeRecordBatches(all.subarray(0, cut));
      expect(partial.batches.length).toBe(2);
      expect(partial.bytesRead).toBe(a.length + b.length);
      expect(partial.truncated).toBe(cut > a.length + b.length);
    }
    expect(decodeRecordBatches(Buffer.alloc(0))).toEqual({ batches: [], bytesRead: 0, truncated: false });
  });

  it('refuses a batch whose CRC does not match, unless CRC checks are off', () => {
    const bytes = buildBatch(sampleRecords(10));
    bytes[bytes.length - 3] ^= 0xff;
    expectProtocolError(() => decodeRecordBatches(bytes), /CRC/);
    expect(decodeRecordBatches(bytes, { verifyCrc: false }).batches[0].records.length).toBe(10);
  });

  it('does not include the partition leader epoch in the CRC', () => {
    const bytes = buildBatch(sampleRecords(3));
    bytes.writeInt32BE(12345, 12);
    expect(decodeRecordBatches(bytes).batches[0].partitionLeaderEpoch).toBe(12345);
  });

  it('refuses legacy message formats, or skips them whole when asked', () => {
    const v2 = buildBatch(sampleRecords(2), { baseOffset: 10n });
    // A magic v1 message: offset 9, size 26, crc, magic 1, attributes, timestamp, key -1, value -1.
    const legacy = Buffer.alloc(12 + 26);
    legacy.writeBigInt64BE(9n, 0);
    legacy.writeInt32BE(26, 8);
    legacy.writeInt8(1, 16);
    const both = Buffer.concat([legacy, v2]);
    expectProtocolError(() => decodeRecordBatches(both), /magic 1/);
    const skipped = decodeRecordBatches(both, { skipLegacy: true });
    expect(skipped.legacy).toEqual([{ offset: 9n, magic: 1, sizeInBytes: 38 }]);
    expect(skipped.batches[0].baseOffset).toBe(10n);
    expect(skipped.bytesRead).toBe(both.length);
    const bad = Buffer.from(v2);
    bad.writeInt8(3, 16);
    expectProtocolError(() => decodeRecordBatches(bad, { skipLegacy: true }), /magic 3/);
  });

  it('refuses a batch length too small to hold a header', () => {
    const bytes = buildBatch(sampleRecords(1));
    bytes.writeInt32BE(10, 8);
    expectProtocolError(() => decodeRecordBatches(bytes), /length 10/);
  });

  it('refuses a record count the bytes cannot hold, before allocating for it', () => {
    const bytes = buildBatch(sampleRecords(2));
    bytes.writeInt32BE(2_000_000_000, 57);
    bytes.writeUInt32BE(crc32c(bytes, 21), 17);
    expectProtocolError(() => decodeRecordBatches(bytes), /declares 2000000000 records/);
  });

  it('refuses a batch with bytes left after its records', () => {
    const bytes = buildBatch(sampleRecords(3));
    bytes.writeInt32BE(2, 57);
    bytes.writeUInt32BE(crc32c(bytes, 21), 17);
    expectProtocolError(() => decodeRecordBatches(bytes), /bytes after its 2 records/);
  });

  it('refuses a compressed batch that decompresses past the limit', () => {
    const bytes = buildBatch(sampleRecords(500), { compression: Compression.zstd });
    expectProtocolError(() => decodeRecordBatches(bytes, { maxDecompressedBytes: 1000 }), /limit/);
  });

  it('returns views into the input, not copies', () => {
    const bytes = buildBatch([
      {
        timestamp: T0,
        key: Buffer.from('k'),
        value: Buffer.from('v'),
        headers: [{ key: 'h', value: Buffer.from('x') }],
      },
    ]);
    const [record] = decodeRecordBatches(bytes).batches[0].records;
    expect(record.value!.buffer).toBe(bytes.buffer);
    expect(record.key!.buffer).toBe(bytes.buffer);
    expect(record.headers[0].value!.buffer).toBe(bytes.buffer);
  });

  it('skips records below fromOffset, and whole batches below it without checking them', () => {
    const a = buildBatch(sampleRecords(10), { baseOffset: 0n });
    const b = buildBatch(sampleRecords(10), { baseOffset: 10n, compression: Compression.snappy });
    a[a.length - 1] ^= 0xff; // corrupt, but entirely before fromOffset
    const { batches } = decodeRecordBatches(Buffer.concat([a, b]), { fromOffset: 15n });
    expect(batches[0].records).toEqual([]);
    expect(batches[0].lastOffset).toBe(9n);
    expect(batches[1].records.map((r) => r.offset)).toEqual([15n, 16n, 17n, 18n, 19n]);
  });

  it('defers records on request: headers and CRC now, records on decodeDeferred, as eager decoding gives them', () => {
    const a = buildBatch(sampleRecords(10), { baseOffset: 0n });
    const b = buildBatch(sampleRecords(10, 1), { baseOffset: 10n, compression: Compression.zstd });
    const control = buildBatch(
      [{ timestamp: T0, key: Buffer.from([0, 0, 0, ControlRecordType.commit]), value: null }],
      { baseOffset: 20n, isControl: true, isTransactional: true },
    );
    const c = buildBatch(sampleRecords(5, 2), { baseOffset: 21n });
    const bytes = Buffer.concat([a, b, control, c]);
    const eager = decodeRecordBatches(bytes, { fromOffset: 4n });
    const lazy = decodeRecordBatches(bytes, { fromOffset: 4n, deferRecords: true });
    expect(lazy.batches.map((x) => [x.baseOffset, x.lastOffset, x.recordCount, x.records.length])).toEqual([
      [0n, 9n, 10, 0],
      [10n, 19n, 10, 0],
      [20n, 20n, 1, 1],
      [21n, 25n, 5, 0],
    ]);
    expect(lazy.batches[2].controlType).toBe(ControlRecordType.commit);
    const deferred = lazy.deferred ?? [];
    expect(deferred.map((d) => d?.batch ?? null)).toEqual([
      lazy.batches[0],
      lazy.batches[1],
      null,
      lazy.batches[3],
    ]);
    for (const i of [0, 1, 3]) {
      const d = deferred[i];
      if (!d) throw new Error('expected a deferred batch');
      expect(decodeDeferred(d).records.map(plain)).toEqual(eager.batches[i].records.map(plain));
      expect(decodeDeferred(d).records).toHaveLength(eager.batches[i].records.length); // once only
    }
    // The CRC is checked with the header: a caller moves its fetch position by lastOffset.
    const corrupt = Buffer.from(bytes);
    corrupt[corrupt.length - 1] ^= 0xff;
    // A bad batch ends decoding without a throw: the good ones before it come back.
    const cut = decodeRecordBatches(corrupt, { deferRecords: true });
    expect(cut.batches.map((x) => x.baseOffset)).toEqual([0n, 10n, 20n]);
    expect(cut.error).toBeInstanceOf(ProtocolError);
    expect(cut.error?.message).toMatch(/CRC/);
    expectProtocolError(() => decodeRecordBatches(corrupt), /CRC/); // eager decoding throws
    const past = decodeRecordBatches(corrupt, { deferRecords: true, fromOffset: 26n });
    expect(past.batches).toHaveLength(4);
    expect(past.error).toBeUndefined();
  });

  it('decodes header keys right when records repeat, change or alternate them', () => {
    // Same length, other bytes ('ab' / 'ac' / 'é' is 2 bytes too); alternating; positions.
    const keys = [
      ['ab'],
      ['ab'],
      ['ac'],
      ['é'],
      ['ab', 'ac'],
      ['ac', 'ab'],
      ['ab', 'ab'],
      [''],
      ['x'.repeat(100)],
    ];
    const records = keys.map((ks, i) => ({
      timestamp: T0 + i,
      key: null,
      value: Buffer.from(`v${i}`),
      headers: ks.map((key, j) => ({ key, value: Buffer.from([i, j]) })),
    }));
    for (let round = 0; round < 2; round++) {
      const [batch] = decodeRecordBatches(buildBatch(records)).batches;
      expect(batch.records.map((r) => r.headers.map((h) => h.key))).toEqual(keys);
    }
    // A reused input buffer: the second decode reads the new bytes, not the first ones.
    const bytes = buildBatch([
      { timestamp: T0, key: null, value: null, headers: [{ key: 'zz', value: null }] },
    ]);
    expect(decodeRecordBatches(bytes).batches[0].records[0].headers[0].key).toBe('zz');
    const other = buildBatch([
      { timestamp: T0, key: null, value: null, headers: [{ key: 'zy', value: null }] },
    ]);
    other.copy(bytes);
    expect(decodeRecordBatches(bytes).batches[0].records[0].headers[0].key).toBe('zy');
  });

  it('reports log-append time as every record timestamp', () => {
    const bytes = buildBatch(sampleRecords(3), { timestampType: 1, logAppendTime: T0 + 12345 });
    const [batch] = decodeRecordBatches(bytes).batches;
    expect(batch.timestampType).toBe(1);
    expect(batch.records.map((r) => r.timestamp)).toEqual([T0 + 12345, T0 + 12345, T0 + 12345]);
  });

  it('decodes control batches with their control record type', () => {
    for (const type of [ControlRecordType.abort, ControlRecordType.commit]) {
      const key = Buffer.from([0, 0, 0, type]);
      const value = Buffer.from([0, 0, 0, 0, 0, 7]); // version 0, coordinator epoch 7
      const bytes = buildBatch([{ timestamp: T0, key, value }], {
        isControl: true,
        isTransactional: true,
        producerId: 9n,
        producerEpoch: 1,
      });
      const [batch] = decodeRecordBatches(bytes).batches;
      expect(batch.isControl).toBe(true);
      expect(batch.isTransactional).toBe(true);
      expect(batch.controlType).toBe(type);
    }
    const bad = buildBatch([{ timestamp: T0, key: Buffer.from([0]), value: null }], { isControl: true });
    expectProtocolError(() => decodeRecordBatches(bad), /bad key/);
  });

  it('rewrites producer state in a finished batch with a valid CRC', () => {
    for (const codec of [Compression.none, Compression.zstd]) {
      const bytes = buildBatch(sampleRecords(4), { compression: codec });
      setProducerState(bytes, {
        producerId: 77n,
        producerEpoch: 3,
        baseSequence: 1000,
        isTransactional: true,
      });
      const [batch] = decodeRecordBatches(bytes).batches;
      expect(batch).toMatchObject({
        producerId: 77n,
        producerEpoch: 3,
        baseSequence: 1000,
        isTransactional: true,
      });
      expect(batch.records.length).toBe(4);
    }
  });

  it('leaves the CRC to setProducerState with finish(false): the same bytes, one CRC', async () => {
    for (const codec of [Compression.none, Compression.lz4, Compression.gzip]) {
      const state = { producerId: 91n, producerEpoch: 2, baseSequence: 40, isTransactional: false };
      const once = new RecordBatchBuilder({ compression: codec });
      const twice = new RecordBatchBuilder({ compression: codec });
      for (const r of sampleRecords(5)) {
        once.appendRecord(r);
        twice.appendRecord(r);
      }
      const deferred = once.finish(false);
      expect(deferred.readUInt32BE(17)).toBe(0); // no CRC yet: it would not pass a broker's check
      expectProtocolError(() => decodeRecordBatches(deferred), /CRC/);
      const full = twice.finish();
      setProducerState(deferred, state);
      setProducerState(full, state);
      expect(deferred.equals(full)).toBe(true);
      expect(decodeRecordBatches(deferred).batches[0]).toMatchObject({ producerId: 91n, baseSequence: 40 });
      const asyncDeferred = await (() => {
        const b = new RecordBatchBuilder({ compression: codec });
        for (const r of sampleRecords(5)) b.appendRecord(r);
        return b.finishAsync(false);
      })();
      setProducerState(asyncDeferred, state);
      expect(asyncDeferred.equals(full)).toBe(true);
    }
  });

  it('round-trips arbitrary records with every codec', () => {
    const header = fc.record({
      key: fc.string({ maxLength: 10 }),
      value: fc.option(fc.uint8Array({ maxLength: 20 })),
    });
    const record = fc.record({
      timestamp: fc.integer({ min: -1, max: 2 ** 45 }),
      key: fc.option(fc.uint8Array({ maxLength: 40 })),
      value: fc.option(fc.uint8Array({ maxLength: 300 })),
      headers: fc.array(header, { maxLength: 4 }),
    });
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(...codecs),
        (records, codec) => {
          const inputs = records.map((r) => ({
            ...r,
            key: r.key && Buffer.from(r.key),
            value: r.value && Buffer.from(r.value),
            headers: r.headers.map((h) => ({ key: h.key, value: h.value && Buffer.from(h.value) })),
          }));
          const b = new RecordBatchBuilder({ compression: codec });
          for (const r of inputs) b.appendRecord(r);
          const size = b.sizeInBytes;
          const bytes = b.finish();
          if (codec === Compression.none) expect(bytes.length).toBe(size);
          expect(decodeRecordBatches(bytes).batches[0].records.map(plain)).toEqual(expected(inputs));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('turns random and mutated bytes into batches or a ProtocolError, never another error', () => {
    const valid = codecs.map((codec) => buildBatch(sampleRecords(20, codec), { compression: codec }));
    fc.assert(
      fc.property(
        fc.constantFrom(...valid),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.nat(),
        fc.uint8Array({ maxLength: 200 }),
        fc.boolean(),
        (batch, flips, fixCrc, cut, garbage, useGarbage) => {
          let data: Buffer;
          if (useGarbage) {
            data = Buffer.from(garbage);
          } else {
            data = Buffer.from(batch);
            for (const [at, v] of flips) data[at % data.length] = v;
            // Recomputing the CRC lets mutations reach the record and codec parsers.
            if (fixCrc && data.length > 21) data.writeUInt32BE(crc32c(data, 21), 17);
            data = data.subarray(0, data.length - (cut % 8));
          }
          try {
            const result = decodeRecordBatches(data, { maxDecompressedBytes: 1024 * 1024 });
            expect(result.bytesRead).toBeLessThanOrEqual(data.length);
            for (const b of result.batches) expect(b.records.length).toBeLessThanOrEqual(1024 * 1024);
          } catch (err) {
            if (!(err instanceof ProtocolError)) throw err;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
