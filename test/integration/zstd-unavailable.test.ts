/**
 * A Node without zstd in node:zlib (before 22.15 / 23.8), staged in-process by taking zlib's
 * zstd functions away (and syncing node:zlib's ESM exports to that): a producer configured with
 * zstd fails at construction with a ConfigError instead of crashing the process from a timer,
 * codec calls throw CodecUnavailableError, and a zstd batch read from the real broker gives a
 * CodecUnavailableError naming its partition (not "Corrupt zstd data") at every poll, while the
 * other partitions go on; nothing is skipped once the codec is back.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { CodecUnavailableError, ConfigError, Consumer, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import {
  Compression,
  compress,
  compressSync,
  decompress,
  decompressSync,
  zstdAvailable,
} from '../../src/protocol/codecs/index.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';

const zlib = createRequire(import.meta.url)('node:zlib') as Record<string, unknown>;
const ZSTD_FUNCTIONS = [
  'zstdCompress',
  'zstdCompressSync',
  'zstdDecompress',
  'zstdDecompressSync',
  'createZstdCompress',
  'createZstdDecompress',
];
const saved = new Map(ZSTD_FUNCTIONS.map((name) => [name, zlib[name]]));

function takeZstdAway(): void {
  for (const name of ZSTD_FUNCTIONS) delete zlib[name];
  syncBuiltinESMExports();
}

function giveZstdBack(): void {
  for (const [name, fn] of saved) zlib[name] = fn;
  syncBuiltinESMExports();
}

afterEach(giveZstdBack);

describe('without zstd in node:zlib', () => {
  it('is detected, and every zstd codec call throws CodecUnavailableError', async () => {
    expect(zstdAvailable()).toBe(true);
    const packed = compressSync(Compression.zstd, Buffer.from('hello'));
    takeZstdAway();
    expect(zstdAvailable()).toBe(false);
    expect(() => compressSync(Compression.zstd, Buffer.from('x'))).toThrow(CodecUnavailableError);
    await expect(compress(Compression.zstd, Buffer.from('x'))).rejects.toBeInstanceOf(CodecUnavailableError);
    // Reading used to say "Corrupt zstd data: zlib.zstdDecompressSync is not a function".
    expect(() => decompressSync(Compression.zstd, packed)).toThrow(CodecUnavailableError);
    await expect(decompress(Compression.zstd, packed)).rejects.toMatchObject({
      codec: 'zstd',
      packageName: null,
    });
    expect(() => compressSync(Compression.gzip, Buffer.from('x'))).not.toThrow();
  });

  it('a producer configured with zstd fails at construction with a ConfigError', async () => {
    takeZstdAway();
    expect(() => new Producer({ bootstrapServers: brokers(), compressionType: 'zstd' })).toThrow(ConfigError);
    expect(() => new Producer({ bootstrapServers: brokers(), compressionType: 'zstd' })).toThrow(
      /compressionType/,
    );
    const lz4 = new Producer({ bootstrapServers: brokers(), compressionType: 'lz4' });
    await lz4.close();
  });

  it('a zstd batch from the broker fails its partition with CodecUnavailableError at every poll, the others go on, and nothing is lost once zstd is back', async () => {
    const cluster = new Cluster({ bootstrapServers: brokers() });
    await cluster.connect();
    const topic = uniqueTopic('zstd-less');
    await createTopic(cluster, topic, 2);
    await cluster.close();
    const zstd = new Producer({ bootstrapServers: brokers(), compressionType: 'zstd' });
    await zstd.send(Array.from({ length: 5 }, (_, i) => ({ topic, partition: 0, value: `z${i}` })));
    await zstd.close();
    const plain = new Producer({ bootstrapServers: brokers() });
    await plain.send(Array.from({ length: 5 }, (_, i) => ({ topic, partition: 1, value: `p${i}` })));
    await plain.close();

    takeZstdAway();
    const c = new Consumer({ bootstrapServers: brokers(), autoOffsetReset: 'earliest', fetchMaxWaitMs: 100 });
    try {
      c.assign([
        { topic, partition: 0 },
        { topic, partition: 1 },
      ]);
      const got: string[] = [];
      const errors: unknown[] = [];
      for (let i = 0; i < 12 && (errors.length < 3 || got.length < 5); i++) {
        try {
          for (const b of await c.poll({ timeoutMs: 500 }))
            for (const r of b.records) got.push(String(r.value));
        } catch (err) {
          errors.push(err);
        }
      }
      expect(got).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
      expect(errors.length).toBeGreaterThanOrEqual(3);
      for (const err of errors) {
        expect(err).toBeInstanceOf(CodecUnavailableError);
        expect(err).toMatchObject({ codec: 'zstd', topic, partition: 0 });
      }
      expect(c.position({ topic, partition: 0 })).toBe(0n);

      giveZstdBack();
      const after: string[] = [];
      for (let i = 0; i < 10 && after.length < 5; i++) {
        for (const b of await c.poll({ timeoutMs: 500 }))
          for (const r of b.records) after.push(String(r.value));
      }
      expect(after).toEqual(['z0', 'z1', 'z2', 'z3', 'z4']);
    } finally {
      await c.close();
    }
  });
});
