/**
 * Diagnostics channels against the real broker: a subscriber to `kafkawire:request` sees every
 * request a producer and a consumer make, with the API, the negotiated version, bytes each way and
 * latency, and `kafkawire:connection:connect` / `:close` bracket each connection.
 */
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchMessage,
  type CloseMessage,
  type CommitMessage,
  type ConnectMessage,
  Consumer,
  DIAGNOSTICS_CHANNELS,
  type FetchMessage,
  Producer,
  type RebalanceMessage,
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

describe('diagnostics channels against the real broker', () => {
  it('traces the produce and fetch requests of a round trip and brackets each connection', async () => {
    const topic = uniqueTopic('diagnostics');
    await createTopic(cluster, topic, 1);
    const done: RequestMessage[] = [];
    const failed: RequestMessage[] = [];
    const handlers = {
      start: () => {},
      end: () => {},
      asyncStart: () => {},
      asyncEnd: (m: unknown) => done.push(m as RequestMessage),
      error: (m: unknown) => failed.push(m as RequestMessage),
    };
    const connects: ConnectMessage[] = [];
    const closes: CloseMessage[] = [];
    const onConnect = (m: unknown) => connects.push(m as ConnectMessage);
    const onClose = (m: unknown) => closes.push(m as CloseMessage);
    const requests = tracingChannel(DIAGNOSTICS_CHANNELS.request);
    requests.subscribe(handlers);
    subscribe(DIAGNOSTICS_CHANNELS.connect, onConnect);
    subscribe(DIAGNOSTICS_CHANNELS.close, onClose);
    try {
      const producer = new Producer({ bootstrapServers: brokers(), clientId: 'diag-producer' });
      await producer.send(Array.from({ length: 100 }, (_, i) => ({ topic, value: `v${i}` })));
      await producer.close();
      const consumer = new Consumer({ bootstrapServers: brokers(), autoOffsetReset: 'earliest' });
      let read = 0;
      try {
        consumer.assign([{ topic, partition: 0 }]);
        const deadline = Date.now() + 15_000;
        while (read < 100 && Date.now() < deadline) {
          for (const b of await consumer.poll({ timeoutMs: 1000 })) read += b.records.length;
        }
      } finally {
        await consumer.close();
      }
      expect(read).toBe(100);
    } finally {
      requests.unsubscribe(handlers);
      unsubscribe(DIAGNOSTICS_CHANNELS.connect, onConnect);
      unsubscribe(DIAGNOSTICS_CHANNELS.close, onClose);
    }

    const produce = done.filter((m) => m.api === 'Produce');
    expect(produce.length).toBeGreaterThanOrEqual(1);
    for (const m of produce) {
      expect(m.apiKey).toBe(0);
      expect(m.apiVersion).toBeGreaterThanOrEqual(3);
      expect(m.nodeId).toBeGreaterThanOrEqual(0);
      expect(m.requestBytes).toBeGreaterThan(100);
      expect(m.responseBytes).toBeGreaterThan(8);
      expect(m.durationMs).toBeGreaterThanOrEqual(0);
      expect(m.durationMs).toBeLessThan(30_000);
    }
    const fetched = done.filter((m) => m.api === 'Fetch');
    // The records came back in some Fetch: at least one response holds all 100 values' bytes.
    expect(Math.max(...fetched.map((m) => m.responseBytes ?? 0))).toBeGreaterThan(100 * 2);
    expect(done.some((m) => m.api === 'ApiVersions')).toBe(true);
    expect(done.some((m) => m.api === 'Metadata')).toBe(true);
    expect(failed.filter((m) => m.api === 'Produce')).toEqual([]);

    // Every connection the two clients opened was announced, and closed by close().
    const opened = new Set(connects.map((m) => m.connectionId));
    for (const m of done) expect(opened.has(m.connectionId)).toBe(true);
    for (const id of opened) expect(closes.some((m) => m.connectionId === id)).toBe(true);
  });

  it('publishes produce batches, fetches, rebalances and commits of a group round trip', async () => {
    const topic = uniqueTopic('diagnostics-group');
    const groupId = uniqueTopic('diagnostics-g');
    await createTopic(cluster, topic, 2);
    const batches: BatchMessage[] = [];
    const fetches: FetchMessage[] = [];
    const rebalances: RebalanceMessage[] = [];
    const commits: { phase: string; m: CommitMessage }[] = [];
    const onBatch = (m: unknown) => batches.push(m as BatchMessage);
    const onFetch = (m: unknown) => fetches.push(m as FetchMessage);
    const onRebalance = (m: unknown) => rebalances.push(m as RebalanceMessage);
    const commitHandlers = {
      start: (m: CommitMessage) => commits.push({ phase: 'start', m }),
      end: () => {},
      asyncStart: () => {},
      asyncEnd: (m: CommitMessage) => commits.push({ phase: 'asyncEnd', m }),
      error: (m: CommitMessage) => commits.push({ phase: 'error', m }),
    };
    subscribe(DIAGNOSTICS_CHANNELS.produceBatch, onBatch);
    subscribe(DIAGNOSTICS_CHANNELS.fetch, onFetch);
    subscribe(DIAGNOSTICS_CHANNELS.rebalance, onRebalance);
    const commitChannel = tracingChannel<unknown, CommitMessage>(DIAGNOSTICS_CHANNELS.commit);
    commitChannel.subscribe(commitHandlers);
    let read = 0;
    try {
      const producer = new Producer({ bootstrapServers: brokers(), clientId: 'diag-batches' });
      await producer.send(
        Array.from({ length: 50 }, (_, i) => ({ topic, partition: i % 2, value: `v${i}` })),
      );
      await producer.close();
      const consumer = new Consumer({
        bootstrapServers: brokers(),
        clientId: 'diag-group',
        groupId,
        autoOffsetReset: 'earliest',
        enableAutoCommit: false,
      });
      try {
        consumer.subscribe([topic]);
        const deadline = Date.now() + 20_000;
        while (read < 50 && Date.now() < deadline) {
          for (const b of await consumer.poll({ timeoutMs: 1000 })) read += b.records.length;
        }
        await consumer.commit();
      } finally {
        await consumer.close();
      }
    } finally {
      unsubscribe(DIAGNOSTICS_CHANNELS.produceBatch, onBatch);
      unsubscribe(DIAGNOSTICS_CHANNELS.fetch, onFetch);
      unsubscribe(DIAGNOSTICS_CHANNELS.rebalance, onRebalance);
      commitChannel.unsubscribe(commitHandlers);
    }
    expect(read).toBe(50);
    const ours = batches.filter((b) => b.topic === topic);
    expect(ours.reduce((n, b) => n + b.records, 0)).toBe(50);
    for (const b of ours) {
      expect(b).toMatchObject({ clientId: 'diag-batches', attempts: 1 });
      expect(b.error).toBeUndefined();
      expect(b.baseOffset).toBeGreaterThanOrEqual(0n);
      expect(b.bytes).toBeGreaterThan(0);
    }
    const mine = fetches.filter((f) => f.clientId === 'diag-group');
    expect(mine.reduce((n, f) => n + f.bytes, 0)).toBeGreaterThan(50 * 2);
    const phases = rebalances.filter((r) => r.group === groupId).map((r) => r.phase);
    expect(phases.slice(0, 2)).toEqual(['start', 'finish']);
    expect(rebalances.find((r) => r.phase === 'finish')?.assigned).toHaveLength(2);
    const committed = commits.filter((c) => c.m.group === groupId);
    expect(committed.map((c) => c.phase)).toEqual(['start', 'asyncEnd']);
    expect([...committed[0].m.offsets].map((o) => o.offset).reduce((a, b) => a + b, 0n)).toBe(50n);
  });
});
