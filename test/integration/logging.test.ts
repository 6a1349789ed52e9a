/**
 * What the clients log, against real brokers: a consumer waiting for a topic that does not exist
 * yet (warn once, info when found, then 'Joined group'), and a producer through a broker stopped
 * for several seconds (one coalesced 'No broker reachable' warning however many refreshes fail,
 * connection retries at attempts 1, 2, 4, 8, ... with their backoff, and 'Brokers reachable
 * again' with how long the outage lasted). Every line carries the client kind and its clientId.
 */
import { describe, expect, it } from 'vitest';
import { Consumer, type Logger, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { ownBroker, ownTopic } from '../helpers/own-broker.js';
import { createTopic } from '../helpers/topics.js';

type Line = { level: string; fields: Record<string, unknown>; message: string };

function recorder(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (fields: object, message: string): void => {
      lines.push({ level, fields: fields as Record<string, unknown>, message });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('consumer logging', () => {
  it('logs a missing topic once, then finding it and joining the group', async () => {
    const cluster = new Cluster({ bootstrapServers: brokers() });
    await cluster.connect();
    const topic = uniqueTopic('log-missing');
    const groupId = uniqueTopic('log-g');
    const rec = recorder();
    const consumer = new Consumer({
      bootstrapServers: brokers(),
      groupId,
      clientId: 'log-test-consumer',
      logger: rec,
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 500,
      fetchMaxWaitMs: 100,
    });
    try {
      consumer.subscribe([topic]);
      for (let i = 0; i < 6; i++) await consumer.poll({ timeoutMs: 250 });
      const missing = rec.lines.filter((l) => l.message.startsWith('Topic not found'));
      expect(missing).toHaveLength(1);
      expect(missing[0]).toMatchObject({
        level: 'warn',
        fields: { client: 'consumer', clientId: 'log-test-consumer', topic, group: groupId },
      });

      await createTopic(cluster, topic, 2);
      const deadline = Date.now() + 20_000;
      while (!rec.lines.some((l) => l.message === 'Joined group' && l.fields.assignedPartitions === 2)) {
        if (Date.now() > deadline) throw new Error(`no 'Joined group' line: ${JSON.stringify(rec.lines)}`);
        await consumer.poll({ timeoutMs: 250 });
      }
      expect(rec.lines.filter((l) => l.message === 'Topic found')).toEqual([
        {
          level: 'info',
          fields: { client: 'consumer', clientId: 'log-test-consumer', topic },
          message: 'Topic found',
        },
      ]);
      expect(rec.lines.find((l) => l.message === 'Joined group')?.fields).toMatchObject({
        group: groupId,
        generation: expect.any(Number),
        memberId: expect.any(String),
        leader: true,
      });
      // Nothing at debug passes the default 'info' level.
      expect(rec.lines.every((l) => l.level !== 'debug')).toBe(true);
    } finally {
      await consumer.close();
      await cluster.close();
    }
  }, 60_000);
});

describe('producer logging through an outage', () => {
  const broker = ownBroker();

  it('warns once while no broker is reachable, logs retries sparsely, and says when brokers are back', async () => {
    const kafka = broker();
    const topic = await ownTopic(kafka.bootstrap, 'log-outage', 1);
    const rec = recorder();
    const producer = new Producer({
      bootstrapServers: kafka.bootstrap,
      clientId: 'log-test-producer',
      logger: rec,
      maxBlockMs: 1_000,
      deliveryTimeoutMs: 3_000,
      requestTimeoutMs: 1_000,
      retryBackoffMaxMs: 200,
      reconnectBackoffMs: 20,
      reconnectBackoffMaxMs: 200,
    });
    try {
      await producer.send({ topic, value: 'before' });
      await kafka.stopNode(1);
      const stoppedAt = Date.now();
      // Sends for six seconds: each waits for metadata, none can get it.
      const failed: unknown[] = [];
      while (Date.now() - stoppedAt < 6_000) {
        await producer.send({ topic, value: 'during' }).catch((err) => failed.push(err));
      }
      expect(failed.length).toBeGreaterThan(1);
      const down = rec.lines.filter((l) => l.message === 'No broker reachable');
      expect(down).toHaveLength(1);
      expect(down[0]).toMatchObject({
        level: 'warn',
        fields: { client: 'producer', clientId: 'log-test-producer', bootstrapServers: kafka.bootstrap },
      });
      const retries = rec.lines.filter((l) => l.message.startsWith('Connection attempt failed'));
      expect(retries.length).toBeGreaterThan(0);
      for (const r of retries) {
        const n = r.fields.failedAttempts as number;
        expect(n & (n - 1)).toBe(0); // 1, 2, 4, 8, ... at info; the rest are debug
        expect(r.fields.backoffMs).toEqual(expect.any(Number));
        expect(r.fields.broker).toEqual(expect.stringContaining('127.0.0.1:'));
      }

      await kafka.startNode(1);
      await producer.send({ topic, value: 'after' });
      await until(
        () => rec.lines.some((l) => l.message === 'Brokers reachable again'),
        10_000,
        "'Brokers reachable again'",
      );
      const back = rec.lines.find((l) => l.message === 'Brokers reachable again');
      expect(back?.level).toBe('info');
      expect(back?.fields.downMs as number).toBeGreaterThanOrEqual(1_000);
      // The outage's last count is flushed when it ends, and it is the same warning once more.
      expect(rec.lines.filter((l) => l.message === 'No broker reachable').length).toBeLessThanOrEqual(2);
    } finally {
      await producer.close();
    }
  }, 120_000);
});
