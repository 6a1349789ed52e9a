/**
 * Diagnostics channels against the real broker: a subscriber to `kafkawire:request` sees every
 * request a producer and a consumer make, with the API, the negotiated version, bytes each way and
 * latency, and `kafkawire:connection:connect` / `:close` bracket each connection.
 */
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CloseMessage,
  type ConnectMessage,
  Consumer,
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
});
