/**
 * Reliability scenario 8 (issue 15), decoder fuzzing at scale: every response decoder at every
 * version it implements, and the RecordBatch decoder, each fed 1,000,000 generated and mutated
 * frames in `npm run test:soak` (20,000 in `npm test`). A seeded generator (the seed is in the test
 * name, so a failure replays) makes random frames and mutations of real ones: byte flips,
 * truncations, a length or count field overwritten with an absurd value, bytes inserted or cut.
 * Each frame gives a value or a ProtocolError — 0 other exceptions; no frame takes longer than
 * 250 ms (0 hangs); and the heap's used size, sampled every 1,024 frames, never grows more than
 * 96 MiB over its size at the start (allocation bounded, measured by the V8 heap — not only
 * `arrayBuffers`, which an `Array(n)` sized from the input would not touch).
 */
import { describe, expect, it } from 'vitest';
import { IMPLEMENTED_APIS } from '../../src/protocol/apis/index.js';
import { Compression } from '../../src/protocol/codecs/index.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { Reader } from '../../src/protocol/reader.js';
import { decodeRecordBatches, RecordBatchBuilder } from '../../src/protocol/records/record-batch.js';
import { seeds } from '../helpers/fuzz-seeds.js';
import { scaled } from '../helpers/ledger.js';

const FRAMES = scaled(20_000, 1_000_000);
const SEED = 0x5eed1234;
const MiB = 1024 * 1024;
const ABSURD = [0x7fffffff, 0xffffffff, 0x80000000, 0x7ffffffe, 0x00ffffff];

/** xorshift32: fast, seeded, good enough to spread mutations. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** The index of the seed `frame` mutated last (-1: the frame was random bytes). */
let lastSeed = -1;

/** The next frame: random bytes, or one of five mutations of a seed (its index in `lastSeed`). */
function frame(next: () => number, base: readonly Buffer[]): Buffer {
  const kind = next() % 6;
  if (kind === 0 || base.length === 0) {
    lastSeed = -1;
    const b = Buffer.allocUnsafe(next() % 513);
    for (let i = 0; i < b.length; i++) b[i] = next() & 0xff;
    return b;
  }
  lastSeed = next() % base.length;
  const b = Buffer.from(base[lastSeed]);
  if (b.length === 0) return b;
  switch (kind) {
    case 1: {
      // 1-8 byte flips
      const flips = 1 + (next() % 8);
      for (let i = 0; i < flips; i++) b[next() % b.length] = next() & 0xff;
      return b;
    }
    case 2:
      return b.subarray(0, next() % (b.length + 1)); // truncated
    case 3: {
      // a length or count field (any 4 aligned-or-not bytes) made absurd
      if (b.length < 4) return b;
      const at = next() % (b.length - 3);
      b.writeUInt32BE(ABSURD[next() % ABSURD.length], at);
      return b;
    }
    case 4: {
      // bytes inserted
      const at = next() % (b.length + 1);
      const extra = Buffer.allocUnsafe(1 + (next() % 16));
      for (let i = 0; i < extra.length; i++) extra[i] = next() & 0xff;
      return Buffer.concat([b.subarray(0, at), extra, b.subarray(at)]);
    }
    default: {
      // bytes cut out of the middle
      const at = next() % b.length;
      const n = 1 + (next() % 16);
      return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + n))]);
    }
  }
}

interface FuzzResult {
  otherErrors: string[];
  slowestMs: number;
  heapGrowth: number;
  protocolErrors: number;
}

/**
 * Feeds FRAMES frames to `decode`, counting what the issue bounds. Yields to the event loop every
 * 1,024 frames, as a client does between two responses: Node frees the handle of a zlib call that
 * failed synchronously (gunzipSync, zstdDecompressSync on corrupt data) only on a later turn of
 * the event loop, about 2 KB each; a million corrupt gzip/zstd frames in one synchronous loop held
 * 274 MiB that way (the first soak run), freed as soon as the loop turns.
 */
async function fuzz(
  decode: (b: Buffer, pick: number, seed: number) => void,
  base: readonly Buffer[],
  seed: number,
): Promise<FuzzResult> {
  const next = rng(seed);
  const otherErrors: string[] = [];
  let slowestMs = 0;
  let protocolErrors = 0;
  const heapAtStart = process.memoryUsage().heapUsed;
  let heapPeak = heapAtStart;
  for (let i = 0; i < FRAMES; i++) {
    const b = frame(next, base);
    const pick = next();
    const t0 = performance.now();
    try {
      decode(b, pick, lastSeed);
    } catch (err) {
      if (err instanceof ProtocolError) protocolErrors++;
      else if (otherErrors.length < 5)
        otherErrors.push(`frame ${i}: ${String(err)} (${b.toString('hex').slice(0, 200)})`);
    }
    const took = performance.now() - t0;
    if (took > slowestMs) slowestMs = took;
    if ((i & 1023) === 1023) {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      await new Promise((r) => setImmediate(r));
    }
  }
  return { otherErrors, slowestMs, heapGrowth: heapPeak - heapAtStart, protocolErrors };
}

function expectBounded(r: FuzzResult): void {
  expect(r.otherErrors).toEqual([]);
  expect(r.slowestMs).toBeLessThan(250);
  expect(r.heapGrowth).toBeLessThan(96 * MiB);
  // The mutations do reach the checks (a fuzzer whose frames all decode tests nothing).
  expect(r.protocolErrors).toBeGreaterThan(FRAMES / 20);
}

describe(`${FRAMES} frames per decoder (seed ${SEED.toString(16)})`, () => {
  for (const [n, api] of IMPLEMENTED_APIS.entries()) {
    it(`${api.name} v${api.min}-v${api.max}`, async () => {
      const golden = seeds(api.name);
      expect(golden.length, `golden response vectors of ${api.name}`).toBeGreaterThan(0);
      const versions = api.max - api.min + 1;
      // A mutated seed is decoded at its own version half the time; otherwise at any version.
      const r = await fuzz(
        (b, pick, from) => {
          const v = from >= 0 && pick % 2 === 0 ? golden[from].version : api.min + (pick % versions);
          api.decodeResponse(new Reader(b), v);
        },
        golden.map((g) => g.bytes),
        SEED + n,
      );
      expectBounded(r);
    }, 600_000);
  }

  it('RecordBatch (every codec, with and without CRC checks)', async () => {
    const codecs = [
      Compression.none,
      Compression.gzip,
      Compression.snappy,
      Compression.lz4,
      Compression.zstd,
    ];
    const base = codecs.map((compression, c) => {
      const builder = new RecordBatchBuilder({ compression, baseOffset: BigInt(c * 100) });
      for (let i = 0; i < 20; i++)
        builder.appendRecord({
          timestamp: 1_700_000_000_000 + i,
          key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
          value: Buffer.from(`value ${i} `.repeat(1 + (i % 4))),
          headers: i % 2 === 0 ? [{ key: `h${i}`, value: Buffer.from([i]) }] : undefined,
        });
      return builder.finish();
    });
    // Two batches back to back too, as a fetch response's records field holds.
    base.push(Buffer.concat([base[0], base[3]]));
    const r = await fuzz(
      (b, pick) => {
        // Without the CRC check most mutations reach the record and codec parsers.
        decodeRecordBatches(b, { verifyCrc: pick % 4 === 0, maxDecompressedBytes: 4 * MiB });
      },
      base,
      SEED - 1,
    );
    expectBounded(r);
  }, 600_000);
});
