import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/network/cluster.js';
import { Producer } from '../../src/producer/producer.js';
import { uniqueTopic } from '../harness/kafka.js';
import { type KafkaCluster, startKafka } from '../harness/launcher.js';
import { expectExactlyOnceInOrder, produceStream } from '../helpers/stream-check.js';
import { createTopic } from '../helpers/topics.js';

// A broker of its own: this test stops and restarts it, which the shared one must not suffer.
describe('idempotent producer across a broker restart (single node)', () => {
  let kafka: KafkaCluster;
  let cluster: Cluster;

  beforeAll(async () => {
    kafka = await startKafka({ nodes: 1 });
    cluster = new Cluster({ bootstrapServers: kafka.bootstrap });
    await cluster.connect();
  });
  afterAll(async () => {
    await cluster?.close();
    await kafka?.stop();
  });

  it('writes every acknowledged record exactly once, in order, when the broker restarts mid-stream', async () => {
    const topic = uniqueTopic('restart');
    await createTopic(cluster, topic, 3);
    const producer = new Producer({
      bootstrapServers: kafka.bootstrap,
      acks: 'all',
      lingerMs: 2,
      requestTimeoutMs: 5_000,
      deliveryTimeoutMs: 90_000,
      retryBackoffMaxMs: 500,
    });
    await producer.connect();
    const total = 30_000;
    const result = await produceStream(producer, topic, total, 10_000, async () => {
      await kafka.stopNode(1);
      await kafka.startNode(1);
    });
    await producer.close();
    expect(result.failed).toEqual([]);
    expect(result.acked).toBe(total);
    await expectExactlyOnceInOrder(cluster, topic, 3, total);
  });
});
