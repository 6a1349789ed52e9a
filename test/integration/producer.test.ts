import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompressionType, Producer, type RecordMetadata } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { BufferFullError, ConfigError, KafkaError, TimeoutError } from '../../src/protocol/errors.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { readAll } from '../helpers/read-back.js';
import { createTopic, requestTopic } from '../helpers/topics.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

describe('Producer against the real broker', () => {
  const codecs: CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
  for (const compressionType of codecs) {
    it(`round-trips keys, null values and headers with ${compressionType}`, async () => {
      const topic = uniqueTopic(`produce-${compressionType}`);
      await createTopic(cluster, topic, 1);
      const producer = new Producer({ bootstrapServers: brokers(), compressionType, lingerMs: 20 });
      try {
        const sent = Array.from({ length: 500 }, (_, i) => ({
          topic,
          key: i % 7 === 0 ? null : `key-${i}`,
          value: i % 11 === 0 ? null : Buffer.from(`value-${i}-`.repeat(1 + (i % 5))),
          headers: i % 3 === 0 ? { trace: `t${i}`, empty: null } : undefined,
          timestamp: 1_700_000_000_000 + i,
        }));
        const mds = await producer.send(sent);
        expect(mds.map((m) => m.offset)).toEqual(sent.map((_, i) => BigInt(i)));
        const { records } = await readAll(cluster, topic, 0);
        expect(records).toHaveLength(sent.length);
        records.forEach((r, i) => {
          const s = sent[i];
          expect(r.offset).toBe(BigInt(i));
          expect(r.key?.toString() ?? null).toBe(s.key);
          expect(r.value === null ? null : Buffer.from(r.value)).toEqual(s.value);
          expect(r.timestamp).toBe(s.timestamp);
          const headers = r.headers.map((h) => [h.key, h.value?.toString() ?? null]);
          expect(headers).toEqual(
            s.headers
              ? [
                  ['trace', `t${i}`],
                  ['empty', null],
                ]
              : [],
          );
        });
      } finally {
        await producer.close();
      }
    });
  }

  it('resolves every send to RecordMetadata with offsets, timestamps and serialized sizes', async () => {
    const topic = uniqueTopic('metadata');
    await createTopic(cluster, topic, 3);
    const producer = new Producer({ bootstrapServers: brokers() });
    try {
      const md = await producer.send({
        topic,
        partition: 2,
        key: 'abc',
        value: Buffer.alloc(10),
        timestamp: 42,
      });
      expect(md).toEqual({
        topic,
        partition: 2,
        offset: 0n,
        timestamp: 42,
        serializedKeySize: 3,
        serializedValueSize: 10,
      } satisfies RecordMetadata);
      const nullKey = await producer.send({ topic, partition: 2, value: null });
      expect(nullKey.offset).toBe(1n);
      expect(nullKey.serializedKeySize).toBe(-1);
      expect(nullKey.serializedValueSize).toBe(-1);
    } finally {
      await producer.close();
    }
  });

  it('reports the broker append time on a LogAppendTime topic', async () => {
    const topic = uniqueTopic('logappend');
    await createTopic(cluster, topic, 1, 1, { 'message.timestamp.type': 'LogAppendTime' });
    const producer = new Producer({ bootstrapServers: brokers() });
    try {
      const before = Date.now();
      const md = await producer.send({ topic, value: 'x', timestamp: 1000 });
      expect(md.timestamp).toBeGreaterThanOrEqual(before - 5000);
      const { records } = await readAll(cluster, topic, 0);
      expect(records[0].timestamp).toBe(md.timestamp);
    } finally {
      await producer.close();
    }
  });

  it('puts keyed records in the partition the Java client picks for the same key', async () => {
    const vectors = JSON.parse(
      readFileSync(path.resolve(import.meta.dirname, '../conformance/fixtures/murmur2.json'), 'utf8'),
    ) as { keyHex: string; partitionFor: Record<string, number> }[];
    const topic = uniqueTopic('keyed');
    await createTopic(cluster, topic, 7);
    const producer = new Producer({ bootstrapServers: brokers() });
    try {
      const mds = await producer.send(
        vectors.map((v) => ({ topic, key: Buffer.from(v.keyHex, 'hex'), value: v.keyHex })),
      );
      mds.forEach((md, i) => {
        expect(md.partition, vectors[i].keyHex).toBe(vectors[i].partitionFor['7']);
      });
      for (let p = 0; p < 7; p++) {
        const { records } = await readAll(cluster, topic, p);
        const expected = vectors.filter((v) => v.partitionFor['7'] === p).map((v) => v.keyHex);
        expect(records.map((r) => r.value?.toString())).toEqual(expected);
      }
    } finally {
      await producer.close();
    }
  });

  it('spreads null-key records in sticky batches across partitions', async () => {
    const topic = uniqueTopic('sticky');
    await createTopic(cluster, topic, 4);
    const producer = new Producer({ bootstrapServers: brokers(), batchSize: 4096, lingerMs: 50 });
    try {
      const mds = await producer.send(
        Array.from({ length: 2000 }, (_, i) => ({ topic, value: `v${i}`.padEnd(100) })),
      );
      const partitions = new Set(mds.map((m) => m.partition));
      expect(partitions.size).toBeGreaterThan(1);
      // Sticky: consecutive records mostly share a partition (switches ≈ bytes / batchSize).
      let switches = 0;
      for (let i = 1; i < mds.length; i++) if (mds[i].partition !== mds[i - 1].partition) switches++;
      expect(switches).toBeLessThan(200);
    } finally {
      await producer.close();
    }
  });

  it('keeps per-partition order and loses nothing when producing to a topic created a moment ago', async () => {
    // Leaders may refuse the first batches (NOT_LEADER) for a moment after creation; batches
    // behind a refused first one must not be written ahead of it.
    const partitions = 4;
    const perPartition = 1500;
    const topics = [uniqueTopic('fresh-a'), uniqueTopic('fresh-b')];
    const producer = new Producer({ bootstrapServers: brokers(), batchSize: 1024, lingerMs: 0 });
    try {
      await producer.connect();
      await Promise.all(topics.map((t) => requestTopic(cluster, t, partitions)));
      const sends = topics.map((topic) =>
        producer.send(
          Array.from({ length: partitions * perPartition }, (_, i) => ({
            topic,
            partition: i % partitions,
            value: `${Math.floor(i / partitions)}`.padStart(60, '.'),
          })),
        ),
      );
      await Promise.all(sends);
      for (const topic of topics) {
        for (let partition = 0; partition < partitions; partition++) {
          const { records } = await readAll(cluster, topic, partition);
          const values = records.map((r) => Number(r.value?.toString().replace(/^\.+/, '')));
          expect(values).toEqual(Array.from({ length: perPartition }, (_, i) => i));
        }
      }
    } finally {
      await producer.close();
    }
  });

  it('acks=0 resolves with offset -1 and the records arrive', async () => {
    const topic = uniqueTopic('acks0');
    await createTopic(cluster, topic, 1);
    const producer = new Producer({ bootstrapServers: brokers(), acks: 0 });
    try {
      const mds = await producer.send(Array.from({ length: 100 }, (_, i) => ({ topic, value: `v${i}` })));
      expect(mds.every((m) => m.offset === -1n)).toBe(true);
      await expect
        .poll(async () => (await readAll(cluster, topic, 0)).records.length, { timeout: 10_000 })
        .toBe(100);
    } finally {
      await producer.close();
    }
  });

  it('acks=1 without idempotence', async () => {
    const topic = uniqueTopic('acks1');
    await createTopic(cluster, topic, 2);
    const producer = new Producer({ bootstrapServers: brokers(), acks: 1 });
    expect(producer.config.enableIdempotence).toBe(false);
    try {
      const mds = await producer.send(
        Array.from({ length: 1000 }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })),
      );
      expect(mds).toHaveLength(1000);
      const total =
        (await readAll(cluster, topic, 0)).records.length + (await readAll(cluster, topic, 1)).records.length;
      expect(total).toBe(1000);
    } finally {
      await producer.close();
    }
  });

  it('stays within bufferMemory when the caller outruns the broker, and settles every send', async () => {
    const topic = uniqueTopic('bounded');
    await createTopic(cluster, topic, 3);
    const bufferMemory = 1024 * 1024;
    const producer = new Producer({
      bootstrapServers: brokers(),
      bufferMemory,
      batchSize: 16384,
      lingerMs: 0,
    });
    await producer.connect();
    const pool = (producer as unknown as { pool: { availableMemory: number; totalMemory: number } }).pool;
    let minAvailable = Number.POSITIVE_INFINITY;
    const sampler = setInterval(() => {
      minAvailable = Math.min(minAvailable, pool.availableMemory);
    }, 1);
    const value = Buffer.alloc(1024, 7);
    const total = 30_000; // 30 MiB through a 1 MiB buffer
    let resolved = 0;
    let rejected = 0;
    let refused = 0;
    const rssBefore = process.memoryUsage().arrayBuffers;
    let peakArrayBuffers = rssBefore;
    const promises: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      promises.push(
        producer.send({ topic, key: String(i), value }).then(
          () => resolved++,
          // Past bufferMemory of waiting sends a send is refused at once (producer-memory.test.ts).
          (err: unknown) => (err instanceof BufferFullError ? refused++ : rejected++),
        ),
      );
      if (i % 1000 === 0) peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
    }
    await Promise.all(promises);
    clearInterval(sampler);
    await producer.close();
    expect(resolved + refused + rejected).toBe(total);
    expect(rejected).toBe(0);
    expect(resolved).toBeGreaterThan(0);
    expect(minAvailable).toBeGreaterThanOrEqual(0);
    expect(pool.totalMemory).toBe(bufferMemory);
    // Batches in memory are bounded by bufferMemory plus the reusable builders (fixed overhead).
    expect(peakArrayBuffers - rssBefore).toBeLessThan(bufferMemory + 8 * 1024 * 1024);
    let read = 0;
    for (let p = 0; p < 3; p++) read += (await readAll(cluster, topic, p)).records.length;
    expect(read).toBe(resolved);
  });

  it('rejects with BufferFullError after maxBlockMs when memory stays full, losing nothing it accepted', async () => {
    const topic = uniqueTopic('blocked');
    await createTopic(cluster, topic, 1);
    // A send that finds the memory taken fails after maxBlockMs (300 ms: long enough for the
    // topic's first metadata answer, which maxBlockMs 0 would not wait for, as in Java; shorter
    // than the linger that keeps the batches, and so the memory, taken).
    const producer = new Producer({
      bootstrapServers: brokers(),
      bufferMemory: 64 * 1024,
      batchSize: 16 * 1024,
      lingerMs: 1000,
      maxBlockMs: 300,
    });
    await producer.connect();
    const value = Buffer.alloc(15 * 1024);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => producer.send({ topic, value })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const full = results.filter((r) => r.status === 'rejected' && r.reason instanceof BufferFullError).length;
    expect(ok + full).toBe(8);
    expect(full).toBeGreaterThan(0);
    await producer.close();
    expect((await readAll(cluster, topic, 0)).records.length).toBe(ok);
  });

  it('fails a send to a topic that does not exist after maxBlockMs', async () => {
    const producer = new Producer({ bootstrapServers: brokers(), maxBlockMs: 500 });
    try {
      const err = await producer.send({ topic: uniqueTopic('missing'), value: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as Error).message).toMatch(/not present in metadata/);
    } finally {
      await producer.close();
    }
  });

  it('rejects exactly the records the broker refuses, with a typed error naming topic and partition', async () => {
    const topic = uniqueTopic('toolarge');
    await createTopic(cluster, topic, 1, 1, { 'max.message.bytes': '2000' });
    const producer = new Producer({ bootstrapServers: brokers(), lingerMs: 0 });
    try {
      // Separate batches: the broker refuses a whole batch, so the small record goes first.
      expect((await producer.send({ topic, value: 'fits' })).offset).toBe(0n);
      const err = await producer.send({ topic, value: Buffer.alloc(5000) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KafkaError);
      expect((err as KafkaError).code).toBe(ErrorCode.MESSAGE_TOO_LARGE);
      expect((err as KafkaError).topic).toBe(topic);
      expect((err as KafkaError).partition).toBe(0);
      expect((err as KafkaError).retriable).toBe(false);
      expect((await producer.send({ topic, value: 'fits too' })).offset).toBe(1n);
      const tooBigForRequest = await producer
        .send({ topic, value: Buffer.alloc(2 * 1024 * 1024) })
        .catch((e: unknown) => e);
      expect((tooBigForRequest as KafkaError).code).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    } finally {
      await producer.close();
    }
  });

  for (const [label, config] of [
    ['idempotent, lz4', { compressionType: 'lz4' }],
    ['acks=1, no idempotence', { acks: 1, enableIdempotence: false }],
  ] as const) {
    it(`splits a batch larger than the topic's max.message.bytes and delivers its records in order (${label})`, async () => {
      const topic = uniqueTopic('split');
      await createTopic(cluster, topic, 1, 1, { 'max.message.bytes': '3000' });
      // Batches of up to 64 KiB, lingering long enough to gather every record in one.
      const producer = new Producer({
        bootstrapServers: brokers(),
        batchSize: 65536,
        lingerMs: 50,
        ...config,
      });
      try {
        await producer.connect();
        // Random bytes: compression cannot bring the 4,000-byte record under the limit.
        const values = Array.from({ length: 300 }, (_, i) => randomBytes(i === 170 ? 4000 : 100));
        const results = await Promise.allSettled(values.map((value) => producer.send({ topic, value })));
        const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [[i, r.reason]] : []));
        expect(refused.map(([i]) => i)).toEqual([170]);
        expect((refused[0][1] as KafkaError).code).toBe(ErrorCode.MESSAGE_TOO_LARGE);
        const offsets = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.offset] : []));
        expect(offsets).toEqual(Array.from({ length: 299 }, (_, i) => BigInt(i)));
        const { records, batches } = await readAll(cluster, topic, 0);
        expect(records.map((r) => Buffer.from(r.value ?? []))).toEqual(values.filter((_, i) => i !== 170));
        expect(batches.length).toBeGreaterThan(10); // 30 KB went out as batches under 3,000 bytes
      } finally {
        await producer.close();
      }
    });
  }

  it('refuses wrong configuration at construction with the option named', () => {
    expect(() => new Producer({ bootstrapServers: brokers(), acks: 1, enableIdempotence: true })).toThrow(
      ConfigError,
    );
    expect(() => new Producer({ bootstrapServers: brokers(), lingerMs: -1 })).toThrow(/lingerMs/);
    expect(() => new Producer({ bootstrapServers: brokers(), batchSize: 1.5 })).toThrow(/batchSize/);
    expect(() => new Producer({ bootstrapServers: brokers(), compressionType: 'brotli' as never })).toThrow(
      /compressionType/,
    );
    expect(() => new Producer({ bootstrapServers: brokers(), lingerms: 5 } as never)).toThrow(
      /did you mean lingerMs/,
    );
    expect(() => new Producer({ bootstrapServers: brokers(), maxInFlightRequestsPerConnection: 6 })).toThrow(
      /maxInFlightRequestsPerConnection/,
    );
  });

  it('flush sends lingering batches now, and close rejects later sends', async () => {
    const topic = uniqueTopic('flush');
    await createTopic(cluster, topic, 1);
    const producer = new Producer({
      bootstrapServers: brokers(),
      lingerMs: 60_000,
      deliveryTimeoutMs: 120_000,
    });
    const pending = producer.send({ topic, value: 'later' });
    const started = Date.now();
    await producer.flush();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await pending).offset).toBe(0n);
    await producer.close();
    await expect(producer.send({ topic, value: 'x' })).rejects.toThrow(/closed/);
  });
});
