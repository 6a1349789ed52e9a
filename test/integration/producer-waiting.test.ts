/**
 * Sends waiting for a topic's metadata wait in that topic's line: a send to a missing topic
 * holds neither the sends to known topics behind it nor its own deadline, and sends to a topic
 * that appears while they wait are delivered in send order.
 * (The test brokers run with auto.create.topics.enable=false, so a missing topic stays missing.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/admin/admin.js';
import { Cluster } from '../../src/network/cluster.js';
import { Producer } from '../../src/producer/producer.js';
import { TimeoutError } from '../../src/protocol/errors.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';
import { valuesByPartition } from '../helpers/transactions.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

describe('producer sends waiting for metadata', () => {
  it('lets sends to a known topic go on while one send waits for a missing topic', async () => {
    const known = uniqueTopic('waiting-known');
    const missing = uniqueTopic('waiting-missing');
    await createTopic(cluster, known, 2);
    const maxBlockMs = 4_000;
    const producer = new Producer({ bootstrapServers: brokers(), maxBlockMs, lingerMs: 1 });
    try {
      await producer.connect();
      const started = performance.now();
      const stuck = producer.send({ topic: missing, value: 'nowhere' }).then(
        () => 'delivered',
        (err: unknown) => ({ err, at: performance.now() - started }),
      );
      const single = await Promise.all(
        Array.from({ length: 50 }, (_, i) => producer.send({ topic: known, value: `v${i}` })),
      );
      const array = await producer.send([
        { topic: known, partition: 0, value: 'a0' },
        { topic: known, partition: 1, value: 'a1' },
      ]);
      const knownDoneAt = performance.now() - started;
      expect(single).toHaveLength(50);
      expect(array.map((md) => md.partition)).toEqual([0, 1]);
      // Before the fix every send behind the stuck one waited its maxBlockMs too.
      expect(knownDoneAt).toBeLessThan(maxBlockMs / 2);
      const outcome = (await stuck) as { err: unknown; at: number };
      expect(outcome.err).toBeInstanceOf(TimeoutError);
      expect(String((outcome.err as Error).message)).toMatch(/not present in metadata after maxBlockMs/);
      // Kept its own deadline: not before maxBlockMs, not long after.
      expect(outcome.at).toBeGreaterThanOrEqual(maxBlockMs - 50);
      expect(outcome.at).toBeLessThan(maxBlockMs + 1_500);
    } finally {
      await producer.close();
    }
  }, 30_000);

  it('delivers, in send order, the sends to a topic that is created while they wait', async () => {
    const topic = uniqueTopic('waiting-late');
    const producer = new Producer({ bootstrapServers: brokers(), maxBlockMs: 20_000, lingerMs: 1 });
    try {
      await producer.connect();
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < 20; i++) sends.push(producer.send({ topic, partition: 0, value: `m${i}` }));
      sends.push(producer.send([0, 1, 2].map((j) => ({ topic, partition: 0, value: `batch${j}` }))));
      await new Promise((r) => setTimeout(r, 300));
      // A send queued behind the parked ones (not through the line's front) keeps its place too.
      for (let i = 20; i < 25; i++) sends.push(producer.send({ topic, partition: 0, value: `m${i}` }));
      await createTopic(cluster, topic, 1);
      await Promise.all(sends);
      const expected = [
        ...Array.from({ length: 20 }, (_, i) => `m${i}`),
        'batch0',
        'batch1',
        'batch2',
        ...Array.from({ length: 5 }, (_, i) => `m${i + 20}`),
      ];
      expect(await valuesByPartition(cluster, topic, 0)).toEqual([expected]);
    } finally {
      await producer.close();
    }
  }, 60_000);

  // A send to a partition the producer's metadata did not have yet (the topic just grew) failed
  // at once with UNKNOWN_TOPIC_OR_PARTITION; Java's producer waits for it up to max.block.ms.
  it('waits for a partition the topic was just grown to, and times out naming it', async () => {
    const topic = uniqueTopic('waiting-grown');
    await createTopic(cluster, topic, 2);
    const admin = new Admin({ bootstrapServers: brokers() });
    const producer = new Producer({ bootstrapServers: brokers(), maxBlockMs: 20_000, lingerMs: 1 });
    try {
      await Promise.all([admin.connect(), producer.connect()]);
      await producer.send({ topic, partition: 0, value: 'before' }); // metadata: 2 partitions
      const late = producer.send({ topic, partition: 3, value: 'new-partition' });
      const behind = producer.send({ topic, partition: 0, value: 'behind' });
      await new Promise((r) => setTimeout(r, 200));
      expect((await admin.createPartitions({ [topic]: 4 }))[0]?.error).toBeNull();
      const md = await late;
      expect(md.partition).toBe(3);
      await behind;
      expect(await valuesByPartition(cluster, topic, 0)).toEqual([
        ['before', 'behind'],
        [],
        [],
        ['new-partition'],
      ]);

      const short = new Producer({ bootstrapServers: brokers(), maxBlockMs: 1_500, lingerMs: 1 });
      try {
        await short.connect();
        const started = performance.now();
        const err = await short.send({ topic, partition: 9, value: 'nowhere' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(TimeoutError);
        expect((err as Error).message).toMatch(
          new RegExp(`Partition 9 of topic ${topic} with partition count 4`),
        );
        expect(performance.now() - started).toBeGreaterThanOrEqual(1_450);
      } finally {
        await short.close();
      }
    } finally {
      await Promise.all([producer.close(), admin.close()]);
    }
  }, 40_000);
});
