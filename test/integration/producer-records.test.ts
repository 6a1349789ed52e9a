/**
 * What send() accepts: a KafkaJS-shaped call, a misspelt field or a left-out value is refused
 * with a ConfigError saying what was expected, and nothing is written; null stays the tombstone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/network/cluster.js';
import { Producer } from '../../src/producer/producer.js';
import { ConfigError } from '../../src/protocol/errors.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';
import { latestOffsets } from '../helpers/transactions.js';

let cluster: Cluster;
let producer: Producer;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
  producer = new Producer({ bootstrapServers: brokers() });
});
afterAll(async () => {
  await producer.close();
  await cluster.close();
});

describe('records send() refuses', () => {
  it('refuses KafkaJS shapes, unknown fields and undefined values, writing nothing, and takes null as a tombstone', async () => {
    const topic = uniqueTopic('records');
    await createTopic(cluster, topic, 1);
    const bad: [unknown, RegExp][] = [
      [{ topic, messages: [{ value: 'x' }] }, /kafkawire\/kafkajs/],
      [{ topic, value: 'x', partiton: 0 }, /record\.partiton.*not a field/],
      [{ topic, key: 'k' }, /record\.value.*missing.*tombstone/],
      [{ topic, value: undefined }, /record\.value/],
      // A partition that is no partition number: a ConfigError, not a retriable broker error.
      [{ topic, value: 'x', partition: -1 }, /record\.partition.*non-negative integer/],
      [{ topic, value: 'x', partition: 1.5 }, /record\.partition.*got 1\.5/],
    ];
    for (const [record, message] of bad) {
      const err = await producer.send(record as never).catch((e: unknown) => e);
      expect(err, JSON.stringify(record)).toBeInstanceOf(ConfigError);
      expect(String((err as Error).message)).toMatch(message);
    }
    // In an array, the bad record fails the call; the good ones before it are sent (send order).
    const arrayErr = await producer
      .send([{ topic, value: 'a' }, { topic, messages: [] } as never])
      .catch((e: unknown) => e);
    expect(arrayErr).toBeInstanceOf(ConfigError);
    const tombstone = await producer.send({ topic, key: 'k', value: null });
    expect(tombstone.offset).toBe(1n);
    const [end] = await latestOffsets(cluster, topic, 1, 0);
    expect(end).toBe(2n); // 'a' and the tombstone; nothing of the refused records
  });
});
