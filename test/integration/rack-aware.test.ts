/**
 * Rack-aware fetching (KIP-392) on a 3-node cluster whose brokers sit in racks r1, r2, r3 with
 * Kafka's RackAwareReplicaSelector: a consumer with `clientRack` set to a follower's rack reads
 * its records from that follower (counted per broker on `kafkawire:consumer:fetch`), and when
 * that follower is stopped it goes back to the leader and still reads every record once, in order.
 * A consumer without `clientRack` reads from the leader only.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, DIAGNOSTICS_CHANNELS, type FetchMessage, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { uniqueTopic } from '../harness/kafka.js';
import { type KafkaCluster, startKafka } from '../harness/launcher.js';
import { createTopic, waitFor } from '../helpers/topics.js';

let kafka: KafkaCluster;
let cluster: Cluster;
beforeAll(async () => {
  kafka = await startKafka({
    nodes: 3,
    properties: (node) => ({
      'broker.rack': `r${node.id}`,
      'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector',
    }),
  });
  cluster = new Cluster({ bootstrapServers: kafka.bootstrap, requestTimeoutMs: 5000 });
  await cluster.connect();
}, 180_000);
afterAll(async () => {
  await cluster?.close();
  await kafka?.stop();
}, 60_000);

/** Record bytes fetched per broker while `fn` runs. */
async function bytesByNode<T>(fn: () => Promise<T>): Promise<{ result: T; bytes: Map<number, number> }> {
  const bytes = new Map<number, number>();
  const onFetch = (m: unknown) => {
    const f = m as FetchMessage;
    bytes.set(f.nodeId, (bytes.get(f.nodeId) ?? 0) + f.bytes);
  };
  subscribe(DIAGNOSTICS_CHANNELS.fetch, onFetch);
  try {
    return { result: await fn(), bytes };
  } finally {
    unsubscribe(DIAGNOSTICS_CHANNELS.fetch, onFetch);
  }
}

async function produce(topic: string, from: number, n: number): Promise<void> {
  const p = new Producer({ bootstrapServers: kafka.bootstrap, acks: -1, lingerMs: 0 });
  await p.send(Array.from({ length: n }, (_, i) => ({ topic, partition: 0, value: `v${from + i}` })));
  await p.close();
}

async function read(c: Consumer, n: number, into: string[]): Promise<void> {
  const until = Date.now() + 30_000;
  let got = 0;
  while (got < n && Date.now() < until) {
    for (const b of await c.poll({ timeoutMs: 300 })) {
      for (const r of b.records) into.push(String(r.value));
      got += b.records.length;
    }
  }
  expect(got).toBe(n);
}

const values = (from: number, n: number) => Array.from({ length: n }, (_, i) => `v${from + i}`);

describe('rack-aware fetching (KIP-392)', () => {
  it('reads from the follower in its rack, and from the leader once that follower is gone', async () => {
    const topic = uniqueTopic('rack');
    await createTopic(cluster, topic, 1, 3);
    const leader = cluster.leaderFor(topic, 0) as number;
    const follower = [1, 2, 3].find((id) => id !== leader) as number;
    await produce(topic, 0, 500);
    const c = new Consumer({
      bootstrapServers: kafka.bootstrap,
      autoOffsetReset: 'earliest',
      clientRack: `r${follower}`,
      fetchMaxWaitMs: 100,
      metadataMaxAgeMs: 60_000,
    });
    const got: string[] = [];
    try {
      c.assign([{ topic, partition: 0 }]);
      const first = await bytesByNode(() => read(c, 500, got));
      expect(first.bytes.get(follower) ?? 0).toBeGreaterThan(500 * 3); // the records came from the follower
      expect(first.bytes.get(leader) ?? 0).toBe(0); // the leader only named it
      // Counted from the stop on: the consumer fetches ahead of the polls, during the produce too.
      const second = await bytesByNode(async () => {
        await kafka.stopNode(follower);
        await produce(topic, 500, 300);
        await read(c, 300, got);
      });
      expect(second.bytes.get(follower) ?? 0).toBe(0);
      const others = [...second.bytes].filter(([id]) => id !== follower).reduce((s, [, b]) => s + b, 0);
      expect(others).toBeGreaterThan(300 * 3);
      expect(got).toEqual(values(0, 800)); // every record once, in order
    } finally {
      await c.close();
      await kafka.startNode(follower);
      await waitFor(async () => (await cluster.refresh()).brokers.has(follower), 'the follower back');
    }
  });

  it('reads from the leader only without clientRack', async () => {
    const topic = uniqueTopic('rack-none');
    await createTopic(cluster, topic, 1, 3);
    const leader = cluster.leaderFor(topic, 0) as number;
    await produce(topic, 0, 200);
    const c = new Consumer({
      bootstrapServers: kafka.bootstrap,
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 100,
    });
    const got: string[] = [];
    try {
      c.assign([{ topic, partition: 0 }]);
      const { bytes } = await bytesByNode(() => read(c, 200, got));
      expect([...bytes.keys()].filter((id) => (bytes.get(id) ?? 0) > 0)).toEqual([leader]);
      expect(got).toEqual(values(0, 200));
    } finally {
      await c.close();
    }
  });
});
