/**
 * Fairness of the sender's drain: with many partitions, requests full at maxRequestSize and the
 * producer at full speed, no partition waits while others go out again and again. The check is
 * a ratio of per-partition median latencies (slowest within 3x the fastest), not a time. Queues
 * left idle drop out of the drain's scan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/network/cluster.js';
import { Producer } from '../../src/producer/producer.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';

const PARTITIONS = 64;
const ROUNDS = 150;
const VALUE = Buffer.alloc(1000, 'x');

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

describe('producer drain fairness', () => {
  it(`keeps every one of ${PARTITIONS} partitions moving when each request holds only a few of them`, async () => {
    const topic = uniqueTopic('fairness');
    await createTopic(cluster, topic, PARTITIONS);
    const producer = new Producer({
      bootstrapServers: brokers(),
      maxRequestSize: 70_000,
      lingerMs: 5,
      bufferMemory: 64 * 1024 * 1024,
    });
    try {
      await producer.connect();
      await producer.send({ topic, partition: 0, value: 'warm-up' });
      const latencies: number[][] = Array.from({ length: PARTITIONS }, () => []);
      const sends: Promise<unknown>[] = [];
      // Full speed: every round puts one record on each partition without waiting for the last.
      for (let round = 0; round < ROUNDS; round++) {
        for (let partition = 0; partition < PARTITIONS; partition++) {
          const started = performance.now();
          sends.push(
            producer.send({ topic, partition, value: VALUE }).then(() => {
              latencies[partition].push(performance.now() - started);
            }),
          );
        }
        if (round % 10 === 9) await new Promise((r) => setImmediate(r));
      }
      await Promise.all(sends);
      const medians = latencies.map(median);
      const fastest = Math.min(...medians);
      const slowest = Math.max(...medians);
      const detail = `p50 per partition (ms): fastest ${fastest.toFixed(1)} (partition ${medians.indexOf(fastest)}), slowest ${slowest.toFixed(1)} (partition ${medians.indexOf(slowest)})`;
      expect(latencies.every((l) => l.length === ROUNDS)).toBe(true);
      expect(slowest / fastest, detail).toBeLessThanOrEqual(3);

      // Idle queues leave the drain's list, so a drain costs the partitions in use: after the
      // burst only partition 0 is written, and the list shrinks to it.
      const acc = (producer as unknown as { acc: { queueList: { partition: number }[] } }).acc;
      for (let i = 0; i < 5; i++) await producer.send({ topic, partition: 0, value: 'alone' });
      expect(acc.queueList.map((q) => q.partition)).toEqual([0]);
    } finally {
      await producer.close();
    }
  }, 120_000);
});
