/**
 * The producer through outages, against a real broker of its own (stopped for longer than
 * deliveryTimeoutMs + maxBlockMs) and a peer that accepts connections but never answers:
 * every send settles by its deadline, the same producer delivers again once the broker is back,
 * a failure repeated on every attempt is reported once with a count, and one connection attempt
 * serves every waiting send.
 */
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '../../src/producer/producer.js';
import { TimeoutError } from '../../src/protocol/errors.js';
import { ownBroker, ownTopic } from '../helpers/own-broker.js';

describe('idempotent producer through an outage longer than deliveryTimeoutMs + maxBlockMs', () => {
  const broker = ownBroker();

  it('settles every send queued during the outage by its delivery timeout, then delivers again with the same producer', async () => {
    const kafka = broker();
    const topic = await ownTopic(kafka.bootstrap, 'outage', 3);
    const deliveryTimeoutMs = 6_000;
    const maxBlockMs = 3_000;
    const producer = new Producer({
      bootstrapServers: kafka.bootstrap,
      deliveryTimeoutMs,
      maxBlockMs,
      requestTimeoutMs: 2_000,
      lingerMs: 5,
      retryBackoffMaxMs: 500,
      reconnectBackoffMaxMs: 500,
    });
    const errors: (Error & { repeated?: number })[] = [];
    producer.on('error', (e) => errors.push(e));
    try {
      await producer.send({ topic, value: 'before' });
      await kafka.stopNode(1);
      const outageStart = Date.now();

      // 300 sends over 3 s of the outage, none awaited: each must settle by its own deadline.
      const late: string[] = [];
      const settled: Promise<'ok' | 'failed'>[] = [];
      for (let i = 0; i < 300; i++) {
        const sentAt = Date.now();
        settled.push(
          producer.send({ topic, key: `k${i % 7}`, value: `during-${i}` }).then(
            () => 'ok' as const,
            (err: unknown) => {
              // Settled within deliveryTimeoutMs (or maxBlockMs waiting for metadata) plus slack.
              if (Date.now() - sentAt > deliveryTimeoutMs + 2_000) late.push(`${i}: ${String(err)}`);
              return 'failed' as const;
            },
          ),
        );
        if (i % 30 === 29) await new Promise((r) => setTimeout(r, 300));
      }
      const outcomes = await Promise.all(settled);
      expect(late).toEqual([]);
      expect(outcomes.filter((o) => o === 'failed').length).toBe(300);

      // Out for longer than deliveryTimeoutMs + maxBlockMs in all, then back on its data.
      const outFor = Date.now() - outageStart;
      if (outFor < deliveryTimeoutMs + maxBlockMs + 1_000)
        await new Promise((r) => setTimeout(r, deliveryTimeoutMs + maxBlockMs + 1_000 - outFor));
      const errorsDuringOutage = errors.length;
      await kafka.startNode(1);

      // The same producer delivers again: fresh records, fresh batches, a producer id again.
      const after = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          producer.send({ topic, key: `k${i % 7}`, value: `after-${i}` }),
        ),
      );
      expect(after).toHaveLength(200);
      for (const md of after) expect(md.offset).toBeGreaterThanOrEqual(0n);
      // A failure that repeats on every attempt is reported once, then with a count, not per attempt.
      expect(errorsDuringOutage).toBeLessThan(10);
    } finally {
      await producer.close({ timeoutMs: 5_000 });
    }
  }, 120_000);
});

describe('sends waiting for a first connection that never completes', () => {
  let server: net.Server;
  let port = 0;
  let accepted = 0;
  const sockets: net.Socket[] = [];

  beforeAll(async () => {
    // Accepts and never answers: every connection attempt ends by connectTimeoutMs.
    server = net.createServer((s) => {
      accepted++;
      sockets.push(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('share one connection attempt, and each rejects by its own maxBlockMs', async () => {
    const producer = new Producer({
      bootstrapServers: `127.0.0.1:${port}`,
      connectTimeoutMs: 1_000,
      maxBlockMs: 3_000,
      reconnectBackoffMs: 200,
      reconnectBackoffMaxMs: 1_000,
    });
    try {
      const started = Date.now();
      const times = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          producer.send({ topic: 't', value: `v${i}` }).then(
            () => -1,
            (err: unknown) => {
              expect(err).toBeInstanceOf(TimeoutError);
              return Date.now() - started;
            },
          ),
        ),
      );
      // Each rejected near its maxBlockMs (they were sent together), none after N connect timeouts.
      for (const t of times) {
        expect(t).toBeGreaterThanOrEqual(2_900);
        expect(t).toBeLessThan(4_500);
      }
      // Connection attempts: a handful (one at a time, backing off), not one per send.
      expect(accepted).toBeLessThanOrEqual(4);
    } finally {
      await producer.close({ timeoutMs: 1_000 });
    }
  }, 30_000);
});
