/**
 * Reliability scenario 1 (issue 15), leader kills under idempotent produce: the 3-node cluster
 * (RF 3, min.insync.replicas 2), 6 partitions, 300,000 keyed records carrying per-key sequence
 * numbers, each sent without awaiting it, paced over about 40 s; meanwhile the leader of a
 * partition is killed with SIGKILL three times, and restarted each time. Then the log is read
 * back and every record counted: 0 lost (acknowledged but absent), 0 duplicated, 0 per-key order
 * violations, and every acknowledged offset equal to the record's offset in the log
 * (test/helpers/ledger.ts). `npm run test:soak` sends 1,000,000.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { useThreeNodeCluster } from '../harness/cluster3.js';
import { uniqueTopic } from '../harness/kafka.js';
import { CLEAN, counts, Ledger, SOAK, scaled } from '../helpers/ledger.js';
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

const RECORDS = scaled(300_000, 1_000_000);
const KEYS = 500;
const PARTITIONS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('leader kills under idempotent produce', () => {
  it(
    'loses, duplicates and reorders nothing through three SIGKILLs of a partition leader',
    async () => {
      const topic = uniqueTopic('leader-kills');
      await createTopic(cluster, topic, PARTITIONS, 3);
      const producer = new Producer({
        bootstrapServers: kafka.bootstrap(),
        lingerMs: 5,
        requestTimeoutMs: 5_000,
        deliveryTimeoutMs: 120_000,
        retryBackoffMaxMs: 500,
      });
      const ledger = new Ledger(KEYS);
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
      for (let i = 0; i < RECORDS; i++) {
        const { key, value } = ledger.next(i);
        ledger.track(value, producer.send({ topic, key, value }));
        sent++;
        if (i % 1000 === 999) await sleep(SOAK ? 60 : 130); // about 7,500 records/s: the kills land mid-stream
      }
      const failures = await ledger.failures();
      await disruption;
      await producer.close();
      expect(killed).toHaveLength(3);
      expect(failures.slice(0, 3)).toEqual([]);
      const audit = await ledger.audit(kafka.bootstrap(), topic, PARTITIONS);
      expect(counts(audit)).toEqual(CLEAN);
      expect(audit.inLog).toBe(RECORDS);
    },
    scaled(360_000, 1_200_000),
  );
});
