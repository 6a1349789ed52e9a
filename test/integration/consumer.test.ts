import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ConfigError, KafkaError } from '../../src/protocol/errors.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

async function produce(
  topic: string,
  partitions: number,
  perPartition: number,
  compressionType: 'none' | 'lz4' = 'none',
) {
  const producer = new Producer({ bootstrapServers: brokers(), compressionType });
  try {
    for (let p = 0; p < partitions; p++) {
      await producer.send(
        Array.from({ length: perPartition }, (_, i) => ({
          topic,
          partition: p,
          key: `k${i}`,
          value: `p${p}-${i}`,
        })),
      );
    }
  } finally {
    await producer.close();
  }
}

/** Polls until `count` records arrived (or fails after timeoutMs); returns them per partition. */
async function consumeCount(consumer: Consumer, count: number, timeoutMs = 30_000) {
  const got = new Map<number, string[]>();
  let n = 0;
  const until = Date.now() + timeoutMs;
  while (n < count && Date.now() < until) {
    for (const b of await consumer.poll({ timeoutMs: 500 })) {
      const list = got.get(b.partition) ?? [];
      for (const r of b.records) list.push(r.value?.toString() ?? 'null');
      got.set(b.partition, list);
      n += b.records.length;
    }
  }
  return { got, n };
}

describe('Consumer with manual assignment against the real broker', () => {
  it('reads every record of every assigned partition once, in order, with every codec', async () => {
    for (const codec of ['none', 'lz4'] as const) {
      const topic = uniqueTopic(`consume-${codec}`);
      await createTopic(cluster, topic, 3);
      await produce(topic, 3, 2000, codec);
      const consumer = new Consumer({
        bootstrapServers: brokers(),
        autoOffsetReset: 'earliest',
        maxPollRecords: 333,
      });
      try {
        consumer.assign([0, 1, 2].map((partition) => ({ topic, partition })));
        const { got, n } = await consumeCount(consumer, 6000);
        expect(n).toBe(6000);
        for (let p = 0; p < 3; p++) {
          expect(got.get(p)).toEqual(Array.from({ length: 2000 }, (_, i) => `p${p}-${i}`));
        }
        expect(consumer.position({ topic, partition: 1 })).toBe(2000n);
        // Nothing more arrives.
        expect(await consumer.poll({ timeoutMs: 300 })).toEqual([]);
      } finally {
        await consumer.close();
      }
    }
  });

  it('never returns more than maxPollRecords, and starts at the end with autoOffsetReset latest', async () => {
    const topic = uniqueTopic('latest');
    await createTopic(cluster, topic, 1);
    await produce(topic, 1, 100);
    const consumer = new Consumer({ bootstrapServers: brokers(), maxPollRecords: 7 });
    try {
      consumer.assign([{ topic, partition: 0 }]);
      expect(await consumer.poll({ timeoutMs: 1000 })).toEqual([]);
      expect(consumer.position({ topic, partition: 0 })).toBe(100n);
      await produce(topic, 1, 20);
      let total = 0;
      while (total < 20) {
        const batches = await consumer.poll({ timeoutMs: 5000 });
        const n = batches.reduce((a, b) => a + b.records.length, 0);
        expect(n).toBeLessThanOrEqual(7);
        expect(n).toBeGreaterThan(0);
        total += n;
      }
      expect(total).toBe(20);
    } finally {
      await consumer.close();
    }
  });

  it('seeks, pauses and resumes', async () => {
    const topic = uniqueTopic('seek');
    await createTopic(cluster, topic, 2);
    await produce(topic, 2, 50);
    const consumer = new Consumer({ bootstrapServers: brokers(), autoOffsetReset: 'earliest' });
    try {
      const p0 = { topic, partition: 0 };
      const p1 = { topic, partition: 1 };
      consumer.assign([p0, p1]);
      consumer.pause([p1]);
      consumer.seek(p0, 45);
      const { got } = await consumeCount(consumer, 5, 10_000);
      expect(got.get(0)).toEqual(['p0-45', 'p0-46', 'p0-47', 'p0-48', 'p0-49']);
      expect(got.has(1)).toBe(false);
      expect(consumer.paused()).toEqual([p1]);
      consumer.resume([p1]);
      consumer.seek(p1, 48);
      const more = await consumeCount(consumer, 2, 10_000);
      expect(more.got.get(1)).toEqual(['p1-48', 'p1-49']);
      consumer.seekToBeginning([p0]);
      const again = await consumeCount(consumer, 50, 10_000);
      expect(again.got.get(0)?.[0]).toBe('p0-0');
    } finally {
      await consumer.close();
    }
  });

  it('fails poll with a typed error when there is no offset and autoOffsetReset is none', async () => {
    const topic = uniqueTopic('reset-none');
    await createTopic(cluster, topic, 1);
    const consumer = new Consumer({ bootstrapServers: brokers(), autoOffsetReset: 'none' });
    try {
      consumer.assign([{ topic, partition: 0 }]);
      const err = await consumer.poll({ timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KafkaError);
      expect((err as KafkaError).code).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
      expect((err as KafkaError).topic).toBe(topic);
    } finally {
      await consumer.close();
    }
  });

  it('resets an out-of-range position by the policy', async () => {
    const topic = uniqueTopic('out-of-range');
    await createTopic(cluster, topic, 1);
    await produce(topic, 1, 10);
    const consumer = new Consumer({ bootstrapServers: brokers(), autoOffsetReset: 'earliest' });
    try {
      consumer.assign([{ topic, partition: 0 }]);
      consumer.seek({ topic, partition: 0 }, 1000);
      const { got } = await consumeCount(consumer, 10, 10_000);
      expect(got.get(0)).toHaveLength(10);
    } finally {
      await consumer.close();
    }
  });

  it('async-iterates batches and stops on abort', async () => {
    const topic = uniqueTopic('iterate');
    await createTopic(cluster, topic, 1);
    await produce(topic, 1, 30);
    const consumer = new Consumer({ bootstrapServers: brokers(), autoOffsetReset: 'earliest' });
    const controller = new AbortController();
    let n = 0;
    try {
      consumer.assign([{ topic, partition: 0 }]);
      await consumer.connect();
      await consumer.run({
        signal: controller.signal,
        eachMessage: ({ message }) => {
          expect(message.offset).toBe(BigInt(n));
          if (++n === 30) controller.abort();
        },
      });
      expect(n).toBe(30);
    } finally {
      await consumer.close();
    }
  });

  it('with a groupId, commits given offsets, reads them back, and starts from them when assigned again', async () => {
    const topic = uniqueTopic('assign-commit');
    const groupId = uniqueTopic('g');
    await createTopic(cluster, topic, 2);
    await produce(topic, 2, 10);
    const first = new Consumer({ bootstrapServers: brokers(), groupId, autoOffsetReset: 'earliest' });
    try {
      first.assign([
        { topic, partition: 0 },
        { topic, partition: 1 },
      ]);
      expect((await consumeCount(first, 20)).n).toBe(20);
      await first.commit([
        { topic, partition: 0, offset: 4n },
        { topic, partition: 1, offset: 7 },
      ]);
      expect(
        await first.committed([
          { topic, partition: 1 },
          { topic, partition: 0 },
        ]),
      ).toEqual([
        { topic, partition: 1, offset: 7n },
        { topic, partition: 0, offset: 4n },
      ]);
      await expect(first.commit([{ topic, partition: 0, offset: -1n }])).rejects.toThrow(ConfigError);
    } finally {
      await first.close();
    }
    // Assigned again in the same group: partition 0 resumes at 4 and partition 1 at 7, not at
    // autoOffsetReset's earliest.
    const second = new Consumer({ bootstrapServers: brokers(), groupId, autoOffsetReset: 'earliest' });
    try {
      second.assign([
        { topic, partition: 0 },
        { topic, partition: 1 },
      ]);
      const { got, n } = await consumeCount(second, 9);
      expect(n).toBe(9);
      expect(got.get(0)).toEqual(Array.from({ length: 6 }, (_, i) => `p0-${i + 4}`));
      expect(got.get(1)).toEqual(['p1-7', 'p1-8', 'p1-9']);
      // A partition the group never committed starts by autoOffsetReset.
      expect(await second.committed([{ topic, partition: 5 }])).toEqual([
        { topic, partition: 5, offset: null },
      ]);
    } finally {
      await second.close();
    }
    // A position the application asks for wins over the committed one.
    const third = new Consumer({ bootstrapServers: brokers(), groupId, autoOffsetReset: 'latest' });
    try {
      third.assign([{ topic, partition: 0 }]);
      third.seekToBeginning([{ topic, partition: 0 }]);
      const { got } = await consumeCount(third, 10);
      expect(got.get(0)).toEqual(Array.from({ length: 10 }, (_, i) => `p0-${i}`));
    } finally {
      await third.close();
    }
  });

  it('finds offsets by timestamp, and the first and end offsets of partitions', async () => {
    const topic = uniqueTopic('times');
    await createTopic(cluster, topic, 2);
    const producer = new Producer({ bootstrapServers: brokers() });
    const t0 = 1_700_000_000_000;
    try {
      // Partition 0: timestamps t0, t0+1000, ..., t0+9000; partition 1: nothing.
      await producer.send(
        Array.from({ length: 10 }, (_, i) => ({
          topic,
          partition: 0,
          value: `v${i}`,
          timestamp: t0 + i * 1000,
        })),
      );
    } finally {
      await producer.close();
    }
    const consumer = new Consumer({ bootstrapServers: brokers() });
    try {
      expect(
        await consumer.offsetsForTimes([
          { topic, partition: 0, timestamp: t0 + 2500 },
          { topic, partition: 1, timestamp: t0 },
        ]),
      ).toEqual([
        { topic, partition: 0, found: { offset: 3n, timestamp: t0 + 3000 } },
        { topic, partition: 1, found: null },
      ]);
      expect(await consumer.offsetsForTimes([{ topic, partition: 0, timestamp: t0 + 60_000 }])).toEqual([
        { topic, partition: 0, found: null },
      ]);
      const tps = [
        { topic, partition: 0 },
        { topic, partition: 1 },
      ];
      expect((await consumer.beginningOffsets(tps)).map((o) => o.offset)).toEqual([0n, 0n]);
      expect((await consumer.endOffsets(tps)).map((o) => o.offset)).toEqual([10n, 0n]);
      // Reading from a point in time: seek to what offsetsForTimes found.
      const [{ found }] = await consumer.offsetsForTimes([{ topic, partition: 0, timestamp: t0 + 7000 }]);
      consumer.assign([{ topic, partition: 0 }]);
      consumer.seek({ topic, partition: 0 }, found?.offset ?? 0n);
      const { got } = await consumeCount(consumer, 3);
      expect(got.get(0)).toEqual(['v7', 'v8', 'v9']);
      await expect(
        consumer.endOffsets([{ topic: uniqueTopic('missing'), partition: 0 }]),
      ).rejects.toMatchObject({
        code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      });
      await expect(consumer.offsetsForTimes([{ topic, partition: 0, timestamp: -5 }])).rejects.toThrow(
        ConfigError,
      );
    } finally {
      await consumer.close();
    }
  });

  it('refuses wrong configuration with the option named', () => {
    expect(() => new Consumer({ bootstrapServers: brokers(), autoOffsetReset: 'smallest' as never })).toThrow(
      /autoOffsetReset/,
    );
    expect(() => new Consumer({ bootstrapServers: brokers(), maxPollRecords: 0 })).toThrow(ConfigError);
    expect(() => new Consumer({ bootstrapServers: brokers(), fetchMaxWaitMS: 1 } as never)).toThrow(
      /fetchMaxWaitMs/,
    );
  });
});
