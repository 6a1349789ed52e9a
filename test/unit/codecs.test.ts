import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Compression,
  compress,
  compressionName,
  compressSync,
  decompress,
  decompressSync,
} from '../../src/protocol/codecs/index.js';
import { ConfigError, ProtocolError } from '../../src/protocol/errors.js';

const require = createRequire(import.meta.url);
const snappy = require('snappy') as { compressSync(b: Uint8Array): Buffer };
const lz4 = require('lz4-napi') as {
  compressFrameSync(b: Buffer, o?: { contentChecksum?: boolean; blockChecksums?: boolean }): Buffer;
  decompressFrameSync(b: Buffer): Buffer;
};

const codecs = [Compression.none, Compression.gzip, Compression.snappy, Compression.lz4, Compression.zstd];

function pattern(length: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed) % 251;
  return b;
}

const samples: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from([42])],
  ['text', Buffer.from('the quick brown fox jumps over the lazy dog '.repeat(50))],
  ['200 KB of a pattern', pattern(200_000)],
  ['100 KB of random bytes', randomBytes(100_000)],
  ['exactly 64 KiB', pattern(65_536, 3)],
  ['exactly 32 KiB', pattern(32_768, 4)],
];

/** The records section of a Java-built batch from the golden fixture. */
function javaRecords(name: string): Buffer {
  const fixture = JSON.parse(
    readFileSync(new URL('../conformance/fixtures/record-batches.json', import.meta.url), 'utf8'),
  );
  const c = fixture.cases.find((x: { name: string }) => x.name === name);
  return Buffer.from(c.hex, 'hex').subarray(61);
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

describe('compression codecs', () => {
  it('uses the codec ids of the batch attributes', () => {
    expect(Compression).toEqual({ none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 });
    expect(codecs.map(compressionName)).toEqual(['none', 'gzip', 'snappy', 'lz4', 'zstd']);
  });

  for (const codec of codecs) {
    for (const [name, data] of samples) {
      it(`round-trips ${name} through ${compressionName(codec)}, sync and async`, async () => {
        const packed = compressSync(codec, data);
        expect(decompressSync(codec, packed).equals(data)).toBe(true);
        const packedAsync = await compress(codec, data);
        expect((await decompress(codec, packedAsync)).equals(data)).toBe(true);
      });
    }

    it(`${compressionName(codec)} refuses output over the limit, and accepts output exactly at it`, async () => {
      const data = pattern(150_000);
      const packed = compressSync(codec, data);
      expect(decompressSync(codec, packed, data.length).length).toBe(data.length);
      expectProtocolError(() => decompressSync(codec, packed, data.length - 1), /limit/);
      expectProtocolError(() => decompressSync(codec, packed, 1000), /limit/);
      await expect(decompress(codec, packed, 1000)).rejects.toBeInstanceOf(ProtocolError);
    });
  }

  it('stops a 64 MiB zstd bomb at a 1 MiB limit without allocating the 64 MiB', () => {
    // 64 MiB of zeros compresses to a few KB; decompressing it whole would take 64 MiB.
    const chunk = Buffer.alloc(64 * 1024 * 1024);
    const bomb = compressSync(Compression.zstd, chunk);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    expectProtocolError(() => decompressSync(Compression.zstd, bomb, 1024 * 1024), /limit/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
  });

  it('honours gzip and zstd levels', () => {
    const data = Buffer.from('level test '.repeat(5000));
    const fast = compressSync(Compression.gzip, data, 1);
    const best = compressSync(Compression.gzip, data, 9);
    expect(decompressSync(Compression.gzip, fast).equals(data)).toBe(true);
    expect(best.length).toBeLessThanOrEqual(fast.length);
    expect(decompressSync(Compression.zstd, compressSync(Compression.zstd, data, 19)).equals(data)).toBe(
      true,
    );
  });

  it('refuses unknown codec ids: ProtocolError when reading, ConfigError when writing', () => {
    expectProtocolError(() => decompressSync(5, Buffer.from([1, 2, 3])), /codec/);
    expect(() => compressSync(7, Buffer.from([1]))).toThrow(ConfigError);
  });

  describe('snappy', () => {
    it('writes snappy-java xerial framing with 32 KiB chunks', () => {
      const data = pattern(100_000);
      const packed = compressSync(Compression.snappy, data);
      expect(packed.subarray(0, 16).toString('hex')).toBe('82534e41505059000000000100000001');
      let p = 16;
      let chunks = 0;
      while (p < packed.length) {
        p += 4 + packed.readInt32BE(p);
        chunks++;
      }
      expect(p).toBe(packed.length);
      expect(chunks).toBe(Math.ceil(data.length / 32_768));
    });

    it('reads a raw snappy block without framing', () => {
      const data = Buffer.from('raw block, as some non-Java clients send '.repeat(20));
      expect(decompressSync(Compression.snappy, snappy.compressSync(data)).equals(data)).toBe(true);
    });

    it('reads xerial streams concatenated back to back', () => {
      const a = pattern(40_000, 1);
      const b = Buffer.from('second stream');
      const joined = Buffer.concat([
        compressSync(Compression.snappy, a),
        compressSync(Compression.snappy, b),
      ]);
      expect(decompressSync(Compression.snappy, joined).equals(Buffer.concat([a, b]))).toBe(true);
    });

    it("reads snappy-java's framing as Kafka's Java producer writes it", () => {
      const records = decompressSync(Compression.snappy, javaRecords('snappy-large-values'));
      expect(records.length).toBeGreaterThan(170_000);
    });

    it('refuses a raw block that declares more than the limit before decompressing', () => {
      // Preamble 0xffffffff0f = 4 GiB declared, followed by garbage.
      expectProtocolError(
        () => decompressSync(Compression.snappy, Buffer.from('ffffffff0f00', 'hex'), 1024 * 1024),
        /limit/,
      );
    });

    it('refuses truncated framing', () => {
      const packed = compressSync(Compression.snappy, pattern(50_000));
      for (const cut of [10, 17, 21, packed.length - 1]) {
        expectProtocolError(() => decompressSync(Compression.snappy, packed.subarray(0, cut)));
      }
    });
  });

  describe('lz4', () => {
    it("writes the frame header of Java's KafkaLZ4BlockOutputStream and blocks of at most 64 KiB", () => {
      const data = pattern(200_000);
      const packed = compressSync(Compression.lz4, data);
      expect(packed.subarray(0, 7).toString('hex')).toBe('04224d18604082');
      expect(javaRecords('lz4-basic').subarray(0, 7).toString('hex')).toBe('04224d18604082');
      let p = 7;
      let blocks = 0;
      for (;;) {
        const word = packed.readUInt32LE(p);
        p += 4;
        if (word === 0) break;
        p += word & 0x7fffffff;
        blocks++;
      }
      expect(p).toBe(packed.length);
      expect(blocks).toBe(Math.ceil(data.length / 65_536));
    });

    it('stores incompressible blocks uncompressed, flagged by the high bit', () => {
      const data = randomBytes(1000);
      const packed = compressSync(Compression.lz4, data);
      expect(packed.readUInt32LE(7)).toBe((0x80000000 | 1000) >>> 0);
      expect(packed.subarray(11, 1011).equals(data)).toBe(true);
    });

    it('writes frames the reference lz4 frame decoder reads', () => {
      const data = pattern(300_000);
      expect(lz4.decompressFrameSync(compressSync(Compression.lz4, data)).equals(data)).toBe(true);
    });

    it('reads frames with 4 MiB blocks, block checksums and a content checksum', () => {
      const data = pattern(300_000, 9);
      for (const options of [{}, { contentChecksum: true, blockChecksums: true }]) {
        expect(decompressSync(Compression.lz4, lz4.compressFrameSync(data, options)).equals(data)).toBe(true);
      }
    });

    it('reads a frame after a skippable frame', () => {
      const skippable = Buffer.from('502a4d18030000000a0b0c', 'hex');
      const data = Buffer.from('after skippable');
      const joined = Buffer.concat([skippable, compressSync(Compression.lz4, data)]);
      expect(decompressSync(Compression.lz4, joined).equals(data)).toBe(true);
    });

    it('refuses dependent blocks and dictionaries as Java does', () => {
      const packed = Buffer.from(compressSync(Compression.lz4, Buffer.from('x')));
      packed[4] = 0x40; // version 01, dependent blocks
      expectProtocolError(() => decompressSync(Compression.lz4, packed), /dependent/);
      packed[4] = 0x61; // dictionary id
      expectProtocolError(() => decompressSync(Compression.lz4, packed), /dictionary/);
    });

    it('refuses a block larger than the frame declares', () => {
      const packed = Buffer.from(compressSync(Compression.lz4, pattern(1000)));
      packed.writeUInt32LE(70_000, 7);
      expectProtocolError(() => decompressSync(Compression.lz4, packed), /exceeds/);
    });
  });

  it('turns any corrupt input into a ProtocolError, never another error or a crash', () => {
    const valid = codecs.map((codec) => compressSync(codec, pattern(5000)));
    fc.assert(
      fc.property(
        fc.constantFrom(...codecs),
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.boolean(),
        (codec, garbage, flips, useValid) => {
          const data = useValid ? Buffer.from(valid[codec]) : Buffer.from(garbage);
          for (const [at, v] of flips) if (data.length) data[at % data.length] = v;
          try {
            const out = decompressSync(codec, data, 1024 * 1024);
            expect(out.length).toBeLessThanOrEqual(1024 * 1024);
          } catch (err) {
            expect(err).toBeInstanceOf(ProtocolError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
