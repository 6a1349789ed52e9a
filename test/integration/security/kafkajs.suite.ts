/**
 * `kafkawire/kafkajs` against the secured broker: a program written against KafkaJS's API, with
 * its `ssl` and `sasl` options, produces and consumes (eachMessage) over SASL_SSL with SCRAM and
 * OAUTHBEARER; a wrong password fails as KafkaJS's error family.
 */
import { describe, expect, it } from 'vitest';
import { Kafka, KafkaJSError } from '../../../src/kafkajs/index.js';
import { uniqueTopic } from '../../harness/kafka.js';
import { type SecureBroker, unsecuredJwt } from '../../harness/secure-broker.js';
import { createSecureTopic } from './clients.js';

async function roundTrip(kafka: Kafka, topic: string, count: number): Promise<string[]> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ value: `m${i}` })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: uniqueTopic('kjs-group') });
  const got: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value?.toString() ?? '');
        if (got.length >= count) resolve();
      },
    });
  });
  await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
  await consumer.disconnect();
  return got;
}

export function kafkajsSuite(broker: () => SecureBroker): void {
  describe('kafkawire/kafkajs with ssl and sasl', () => {
    it('produces and consumes over SASL_SSL with scram-sha-512 and oauthbearer, as KafkaJS programs configure it', async () => {
      const b = broker();
      const topic = await createSecureTopic(b, 'kjs-secure');
      const expected = Array.from({ length: 20 }, (_, i) => `m${i}`);
      const scram = new Kafka({
        clientId: 'kjs',
        brokers: [b.saslSsl],
        ssl: { ca: [b.ca] },
        sasl: { mechanism: 'scram-sha-512', username: 'admin', password: b.users.admin.password },
        logLevel: 0,
      });
      expect((await roundTrip(scram, topic, 20)).sort()).toEqual(expected.sort());
      const oauth = new Kafka({
        clientId: 'kjs',
        brokers: [b.saslSsl],
        ssl: { ca: [b.ca] },
        sasl: {
          mechanism: 'oauthbearer',
          oauthBearerProvider: async () => ({ value: unsecuredJwt('admin', Date.now() + 600_000) }),
        },
        logLevel: 0,
      });
      const again = await roundTrip(oauth, topic, 40);
      expect(again.length).toBeGreaterThanOrEqual(40);
    });

    it('fails a wrong password with a KafkaJS error, not a hang', async () => {
      const b = broker();
      const kafka = new Kafka({
        brokers: [b.saslSsl],
        ssl: { ca: [b.ca] },
        sasl: { mechanism: 'plain', username: 'admin', password: 'Not-The-Password' },
        retry: { retries: 0 },
        logLevel: 0,
      });
      const admin = kafka.admin();
      const started = Date.now();
      const err = await admin.connect().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KafkaJSError);
      expect((err as Error).message).toMatch(/PLAIN authentication failed/);
      expect((err as Error).message).not.toContain('Not-The-Password');
      expect(Date.now() - started).toBeLessThan(10_000);
      await admin.disconnect().catch(() => {});
    });
  });
}
