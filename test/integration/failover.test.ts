import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer } from '../../src/consumer/consumer.js';
import { Cluster } from '../../src/network/cluster.js';
import { Producer } from '../../src/producer/producer.js';
import { Metadata } from '../../src/protocol/apis/index.js';
import { ConnectionError } from '../../src/protocol/errors.js';
import { useThreeNodeCluster } from '../harness/cluster3.js';
import { uniqueTopic } from '../harness/kafka.js';
import { expectExactlyOnceInOrder, produceStream } from '../helpers/stream-check.js';
import { createTopic, waitFor } from '../helpers/topics.js';

const kafka = useThreeNodeCluster();

describe('cluster view on a 3-node cluster', () => {
  let cluster: Cluster;
  const topic = uniqueTopic('failover');

  beforeAll(async () => {
    cluster = new Cluster({ bootstrapServers: kafka.bootstrap(), requestTimeoutMs: 5000 });
    await cluster.connect();
    await createTopic(cluster, topic, 6, 3);
  });
  afterAll(() => cluster.close());

  it('negotiates ApiVersions with each of the three brokers', async () => {
    for (const id of [1, 2, 3]) {
      const conn = await cluster.connectionTo(id);
      expect(conn.versionFor(Metadata), `broker ${id}`).toBe(12);
      const md = await conn.send(Metadata, { topics: [{ name: topic }] });
      expect(md.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    }
  });

  it('sees all three brokers and replicas on each', () => {
    expect([...cluster.metadata.brokers.keys()].sort()).toEqual([1, 2, 3]);
    for (const p of cluster.metadata.topics.get(topic)?.partitions ?? []) {
      expect(p.replicas.sort()).toEqual([1, 2, 3]);
    }
  });

  it('drops a stopped node, fails requests to it retriably, and routes to the new leader after refresh', async () => {
    const victim = cluster.leaderFor(topic, 0);
    expect(victim).toBeDefined();
    const nodeId = victim as number;
    // Make sure a live connection to the victim exists, so we see it die rather than fail to open.
    await cluster.sendTo(nodeId, Metadata, { topics: [{ name: topic }] });

    await kafka.cluster().stopNode(nodeId);

    const err = await cluster
      .sendTo(nodeId, Metadata, { topics: [{ name: topic }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).retriable).toBe(true);
    expect(cluster.isStale).toBe(true);

    await waitFor(async () => {
      const md = await cluster.refresh();
      return !md.brokers.has(nodeId) && (cluster.leaderFor(topic, 0) ?? nodeId) !== nodeId;
    }, `broker ${nodeId} to leave the metadata and partition 0 to get a new leader`);

    const newLeader = cluster.leaderFor(topic, 0) as number;
    const res = await cluster.sendTo(newLeader, Metadata, { topics: [{ name: topic }] });
    const p0 = res.topics[0].partitions.find((p) => p.partitionIndex === 0);
    expect(p0?.leaderId).toBe(newLeader);
    expect(p0?.isrNodes).not.toContain(nodeId);

    await kafka.cluster().startNode(nodeId);
    await waitFor(
      async () => (await cluster.refresh()).brokers.has(nodeId),
      `broker ${nodeId} to come back`,
      60_000,
    );
    await cluster.sendTo(nodeId, Metadata, { topics: [{ name: topic }] });
  });
});

describe('idempotent producer on a 3-node cluster', () => {
  let cluster: Cluster;
  afterAll(() => cluster?.close());

  it('writes every acknowledged record exactly once, in order, when a partition leader is killed and restarted', async () => {
    cluster = new Cluster({ bootstrapServers: kafka.bootstrap(), requestTimeoutMs: 5000 });
    await cluster.connect();
    const topic = uniqueTopic('leader-kill');
    await createTopic(cluster, topic, 3, 3);
    const victim = cluster.leaderFor(topic, 0) as number;
    const producer = new Producer({
      bootstrapServers: kafka.bootstrap(),
      acks: 'all',
      lingerMs: 2,
      requestTimeoutMs: 5_000,
      deliveryTimeoutMs: 90_000,
      retryBackoffMaxMs: 500,
    });
    await producer.connect();
    const total = 30_000;
    const result = await produceStream(producer, topic, total, 10_000, async () => {
      await kafka.cluster().killNode(victim);
      await new Promise((r) => setTimeout(r, 2000));
      await kafka.cluster().startNode(victim);
    });
    await producer.close();
    expect(result.failed).toEqual([]);
    expect(result.acked).toBe(total);
    await cluster.refresh([topic]);
    await expectExactlyOnceInOrder(cluster, topic, 3, total);
  });
});

describe('fetch budget across brokers', () => {
  it('reads partitions of every broker when the first one fetched has nothing to give', async () => {
    const cluster = new Cluster({ bootstrapServers: kafka.bootstrap(), requestTimeoutMs: 5000 });
    await cluster.connect();
    const topic = uniqueTopic('fetch-share');
    await createTopic(cluster, topic, 3, 1);
    await cluster.refresh([topic]);
    const leaders = [0, 1, 2].map((p) => cluster.leaderFor(topic, p));
    await cluster.close();
    expect(new Set(leaders).size, `leaders ${leaders.join(',')}`).toBe(3);
    const producer = new Producer({ bootstrapServers: kafka.bootstrap(), lingerMs: 5 });
    const perPartition = [0, 2000, 2000];
    for (let p = 0; p < 3; p++)
      await producer.send(
        Array.from({ length: perPartition[p] }, (_, i) => ({ topic, partition: p, value: `${i}` })),
      );
    await producer.close();
    // Partition 0 (empty) comes first: its broker's loop used to take the whole fetchMaxBytes on
    // every fetch, long-polling at the end of the partition, and the other two brokers' loops
    // found no room left, for good.
    const consumer = new Consumer({
      bootstrapServers: kafka.bootstrap(),
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 500,
    });
    try {
      consumer.assign([0, 1, 2].map((partition) => ({ topic, partition })));
      for (let partition = 0; partition < 3; partition++) consumer.seek({ topic, partition }, 0n);
      const read = [0, 0, 0];
      const deadline = Date.now() + 30_000;
      while (read.some((n, p) => n < perPartition[p]) && Date.now() < deadline)
        for (const b of await consumer.poll({ timeoutMs: 500 })) read[b.partition] += b.records.length;
      expect(read).toEqual(perPartition);
    } finally {
      await consumer.close();
    }
  }, 60_000);
});
