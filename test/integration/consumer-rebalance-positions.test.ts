/**
 * Where a subscribed consumer starts when the group's committed offsets are slow to read: the
 * offsets of an open transaction are pending at the group coordinator, so OffsetFetch (with
 * requireStable, KIP-447) answers UNSTABLE_OFFSET_COMMIT until the transaction ends. The consumer
 * must wait for the committed offset, not reset to 'earliest' meanwhile and hand out records from
 * offset 0 (which it did once the join's step ran past poll deadlines: an exactly-once pipeline
 * then copied those records twice and moved the group's committed offset back).
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Admin,
  Consumer,
  type ConsumerBatch,
  DIAGNOSTICS_CHANNELS,
  Producer,
  type RequestMessage,
} from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

describe('subscribed consumer and pending transactional offsets', () => {
  it('starts at the committed offset once the transaction commits, handing out nothing from before it', async () => {
    const topic = uniqueTopic('pending-offsets');
    const groupId = uniqueTopic('pending-offsets-group');
    await createTopic(cluster, topic, 1, 1);
    const plain = new Producer({ bootstrapServers: brokers() });
    await plain.send(Array.from({ length: 100 }, (_, i) => ({ topic, value: `v${i}` })));
    await plain.close();

    const txn = new Producer({
      bootstrapServers: brokers(),
      transactionalId: uniqueTopic('pending-offsets-txn'),
    });
    const consumer = new Consumer({
      bootstrapServers: brokers(),
      groupId,
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      retryBackoffMs: 100,
      retryBackoffMaxMs: 300,
    });
    try {
      await txn.initTransactions();
      txn.beginTransaction();
      await txn.sendOffsetsToTransaction([{ topic, partition: 0, offset: 60n }], {
        groupId,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
      });
      // The offsets are pending now. Join and poll while they are.
      let assignedAt: bigint | null | undefined;
      consumer.subscribe([topic], {
        onPartitionsAssigned: (tps) => {
          if (tps.length > 0) assignedAt = consumer.position(tps[0]);
        },
      });
      const early: ConsumerBatch[] = [];
      const until = Date.now() + 4000;
      while (Date.now() < until) early.push(...(await consumer.poll({ timeoutMs: 200 })));
      expect(early.flatMap((b) => b.records.map((r) => r.offset))).toEqual([]);

      await txn.commitTransaction();
      const seen: bigint[] = [];
      const deadline = Date.now() + 20_000;
      while (seen.length < 40 && Date.now() < deadline)
        for (const b of await consumer.poll({ timeoutMs: 500 }))
          for (const r of b.records) seen.push(r.offset);
      expect(seen[0]).toBe(60n);
      expect(seen).toHaveLength(40);
      expect(assignedAt === null || assignedAt === 60n).toBe(true);
    } finally {
      await consumer.close();
      await txn.close();
    }
  }, 60_000);

  // Each join looked the added partitions' committed offsets up twice: the assignment's kick
  // found the new cursors before their committed offsets were set and sent a second OffsetFetch
  // of all of them (10,000 partitions: 200 kB more on every rebalance).
  // The leader also refreshed the metadata it had just fetched for its subscribe(), to assign.
  it('reads the committed offsets of a new assignment with one OffsetFetch, and no extra Metadata', async () => {
    const topic = uniqueTopic('one-offset-fetch');
    const groupId = uniqueTopic('one-offset-fetch-group');
    await createTopic(cluster, topic, 6, 1);
    const producer = new Producer({ bootstrapServers: brokers() });
    await producer.send(Array.from({ length: 60 }, (_, i) => ({ topic, partition: i % 6, value: `v${i}` })));
    await producer.close();
    const admin = new Admin({ bootstrapServers: brokers() });
    await admin.connect();
    await admin.resetGroupOffsets(groupId, topic, { offset: 4n }, [0]);
    await admin.resetGroupOffsets(groupId, topic, { offset: 7n }, [3]);
    await admin.close();

    let offsetFetches = 0;
    let metadata = 0;
    const counter = {
      start() {},
      end() {},
      asyncStart() {},
      error() {},
      asyncEnd(m: RequestMessage) {
        if (m.api === 'OffsetFetch') offsetFetches++;
        if (m.api === 'Metadata') metadata++;
      },
    };
    const requests = tracingChannel<unknown, RequestMessage>(DIAGNOSTICS_CHANNELS.request);
    requests.subscribe(counter);
    const consumer = new Consumer({ bootstrapServers: brokers(), groupId, autoOffsetReset: 'earliest' });
    try {
      consumer.subscribe([topic]);
      const first = new Map<number, bigint>();
      let count = 0;
      const deadline = Date.now() + 20_000;
      while (count < 60 - 4 - 7 && Date.now() < deadline)
        for (const b of await consumer.poll({ timeoutMs: 500 })) {
          if (!first.has(b.partition)) first.set(b.partition, b.records[0]!.offset);
          count += b.records.length;
        }
      expect(count).toBe(49);
      expect([...first].sort((a, b) => a[0] - b[0])).toEqual([
        [0, 4n],
        [1, 0n],
        [2, 0n],
        [3, 7n],
        [4, 0n],
        [5, 0n],
      ]);
      expect(offsetFetches).toBe(1);
      // The leader assigned from the metadata its subscribe() had just fetched (the first
      // connection's, which names the subscribed topic); it refreshed it again to assign (2).
      expect(metadata).toBe(1);
    } finally {
      requests.unsubscribe(counter);
      await consumer.close();
    }
  }, 60_000);
});
