/**
 * Reliability scenario 1 (issue 15), leader kills under idempotent produce: the 3-node cluster
 * (RF 3, min.insync.replicas 2), 6 partitions, 300,000 keyed records carrying per-key sequence
 * numbers, each sent without awaiting it, paced over about 40 s; meanwhile the leader of a
 * partition is killed with SIGKILL three times, and restarted each time. Then the log is read
 * back and every record counted: 0 lost (acknowledged but absent), 0 duplicated, 0 per-key order
 * violations, and every acknowledged offset equal to the record's offset in the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, Producer, type RecordMetadata } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { useThreeNodeCluster } from '../harness/cluster3.js';
import { uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';

const kafka = useThreeNodeCluster();
let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: kafka.bootstrap(), requestTimeoutMs: 5000 });
  await cluster.connect();
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

const RECORDS = 300_000;
const KEYS = 500;
const PARTITIONS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('leader kills under idempotent produce', () => {
  it('loses, duplicates and reorders nothing through three SIGKILLs of a partition leader', async () => {
    const topic = uniqueTopic('leader-kills');
    await createTopic(cluster, topic, PARTITIONS, 3);
    const producer = new Producer({
      bootstrapServers: kafka.bootstrap(),
      lingerMs: 5,
      requestTimeoutMs: 5_000,
      deliveryTimeoutMs: 120_000,
      retryBackoffMaxMs: 500,
    });
    const acks = new Map<string, Promise<RecordMetadata>>();
    const killed: number[] = [];
    let sent = 0;
    // Three kill-and-restart cycles, each of the leader of a partition at the time, while sending.
    const disruption = (async () => {
      while (sent < RECORDS * 0.1) await sleep(100);
      for (let round = 0; round < 3; round++) {
        await cluster.refresh([topic]).catch(() => {});
        const victim = cluster.leaderFor(topic, round % PARTITIONS) as number;
        killed.push(victim);
        await kafka.cluster().killNode(victim);
        await sleep(2000);
        await kafka.cluster().startNode(victim);
      }
    })();
    const seq = new Array<number>(KEYS).fill(0);
    for (let i = 0; i < RECORDS; i++) {
      const k = i % KEYS;
      const value = `k${k}:${seq[k]++}`;
      acks.set(value, producer.send({ topic, key: `k${k}`, value }));
      sent++;
      if (i % 1000 === 999) await sleep(130); // about 7,500 records/s: the kills land mid-stream
    }
    const settled = await Promise.allSettled(acks.values());
    await disruption;
    await producer.close();
    expect(killed).toHaveLength(3);
    const failures = settled.filter((s) => s.status === 'rejected') as PromiseRejectedResult[];
    expect(failures.map((f) => String(f.reason)).slice(0, 3)).toEqual([]);

    const reader = new Consumer({
      bootstrapServers: kafka.bootstrap(),
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 100,
    });
    try {
      reader.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
      const inLog = new Map<string, { partition: number; offset: bigint }>();
      const lastSeq = new Map<string, number>();
      let duplicated = 0;
      let disordered = 0;
      const until = Date.now() + 120_000;
      while (inLog.size + duplicated < RECORDS && Date.now() < until) {
        for (const b of await reader.poll({ timeoutMs: 500 }))
          for (const r of b.records) {
            const value = String(r.value);
            if (inLog.has(value)) duplicated++;
            inLog.set(value, { partition: b.partition, offset: r.offset });
            const [key, s] = value.split(':');
            if ((lastSeq.get(key) ?? -1) >= Number(s)) disordered++;
            lastSeq.set(key, Number(s));
          }
      }
      let lost = 0;
      let misplaced = 0;
      for (const [value, p] of acks) {
        const md = await p;
        const at = inLog.get(value);
        if (!at) lost++;
        else if (at.partition !== md.partition || at.offset !== md.offset) misplaced++;
      }
      expect({ lost, duplicated, disordered, misplaced }).toEqual({
        lost: 0,
        duplicated: 0,
        disordered: 0,
        misplaced: 0,
      });
      expect(inLog.size).toBe(RECORDS);
    } finally {
      await reader.close();
    }
  }, 360_000);
});
