/**
 * Reliability scenario 4 (issue 15), an outage: the only broker killed (SIGKILL) for longer than
 * deliveryTimeoutMs + maxBlockMs while a producer sends and a group consumer polls as an
 * application does, then restarted on its data. Every send made during the outage settles by
 * its deadline with a typed error; the client's CPU over the outage stays under 5 % of a core
 * (measured with process.cpuUsage: this file runs in a process of its own); afterwards the same
 * producer and consumer, never restarted, deliver and read again, and every acknowledged record
 * reaches the consumer.
 */
import { describe, expect, it } from 'vitest';
import { Consumer, KafkawireError, Producer } from '../../src/index.js';
import { uniqueTopic } from '../harness/kafka.js';
import { ownBroker, ownTopic } from '../helpers/own-broker.js';
import { waitFor } from '../helpers/topics.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a broker outage longer than deliveryTimeoutMs + maxBlockMs', () => {
  const broker = ownBroker();

  it('settles every send by its deadline, costs little CPU, and the same clients work again', async () => {
    const kafka = broker();
    const topic = await ownTopic(kafka.bootstrap, 'outage-both', 3);
    const deliveryTimeoutMs = 6_000;
    const maxBlockMs = 3_000;
    const producer = new Producer({
      bootstrapServers: kafka.bootstrap,
      deliveryTimeoutMs,
      maxBlockMs,
      requestTimeoutMs: 2_000,
      lingerMs: 5,
    });
    const consumer = new Consumer({
      bootstrapServers: kafka.bootstrap,
      groupId: uniqueTopic('outage-both-g'),
      autoOffsetReset: 'earliest',
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
    });
    const seen = new Set<string>();
    let polling = true;
    consumer.subscribe([topic]);
    const loop = (async () => {
      while (polling) {
        try {
          for (const b of await consumer.poll({ timeoutMs: 500 }))
            for (const r of b.records) seen.add(String(r.value));
        } catch {
          // an application's retry loop: poll again
        }
      }
    })();
    try {
      const before = Array.from({ length: 1000 }, (_, i) => `before-${i}`);
      await producer.send(before.map((value) => ({ topic, value })));
      await waitFor(() => seen.size === 1000, 'the records from before the outage', 30_000);

      await kafka.killNode(1);
      const killedAt = Date.now();
      // Sends during the outage: each settles by maxBlockMs + deliveryTimeoutMs, typed.
      const during = Array.from({ length: 100 }, (_, i) => {
        const sentAt = Date.now();
        return producer.send({ topic, value: `during-${i}` }).then(
          () => ({ ok: true, ms: Date.now() - sentAt, error: null as unknown }),
          (error: unknown) => ({ ok: false, ms: Date.now() - sentAt, error }),
        );
      });
      await sleep(1_000);
      const cpuFrom = process.cpuUsage();
      const wallFrom = Date.now();
      const outcomes = await Promise.all(during);
      while (Date.now() - killedAt < deliveryTimeoutMs + maxBlockMs + 3_000) await sleep(250);
      const cpu = process.cpuUsage(cpuFrom);
      const share = (cpu.user + cpu.system) / 1000 / (Date.now() - wallFrom);
      for (const o of outcomes) {
        expect(o.ok).toBe(false);
        expect(o.error).toBeInstanceOf(KafkawireError);
        expect(o.ms).toBeLessThan(maxBlockMs + deliveryTimeoutMs + 1_500);
      }
      // A producer waiting and a consumer polling a dead broker for about 11 s.
      expect(share).toBeLessThan(0.05);

      await kafka.startNode(1);
      const after = Array.from({ length: 1000 }, (_, i) => `after-${i}`);
      await producer.send(after.map((value) => ({ topic, value })));
      await waitFor(() => after.every((v) => seen.has(v)), 'the records from after the outage', 60_000);
      expect(seen.size).toBe(2000); // nothing sent during the outage was written
    } finally {
      polling = false;
      await loop;
      await consumer.close().catch(() => {});
      await producer.close().catch(() => {});
    }
  }, 180_000);
});
