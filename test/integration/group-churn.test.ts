/**
 * Reliability scenario 7 (issue 15), group churn for every assignor: three chained groups — A
 * reads topic 1 and writes topic 2, B reads 2 and writes 3, C reads 3 — whose members live in
 * child processes (test/helpers/chain-host.ts, one member of each group per process). While the
 * test produces to topic 1, members are added and killed with SIGKILL: two hosts at the start, a
 * third added, the first killed, a replacement added, the second killed, another added. Each run
 * counts every record:
 * - `plain` (send, await acknowledgements, commit): every record reaches C and topic 3 at least
 *   once;
 * - `txn` (A and B are runExactlyOnce pipelines; a killed host's replacement reuses its
 *   transactional ids; everything read committed): topics 2 and 3 hold every record exactly once,
 *   and C saw every one.
 * For range, round-robin and cooperative-sticky under the classic protocol, and the broker's
 * uniform assignor under KIP-848 (Kafka 4 only: a 3.x broker has no consumer protocol).
 * 3,000 records per run in `npm test`, 100,000 in `npm run test:soak`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, kafkaMajor, uniqueTopic } from '../harness/kafka.js';
import { HelperProcess } from '../helpers/helper-process.js';
import { scaled } from '../helpers/ledger.js';
import { readAllPartitions } from '../helpers/read-back.js';
import { createTopic, waitFor } from '../helpers/topics.js';

const RECORDS = scaled(3000, 100_000);
const PARTITIONS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(async () => {
  await cluster?.close();
});

/** One chain-host process. */
class Host {
  readonly ready = new Set<string>();
  private readonly failures: string[] = [];
  private readonly process: HelperProcess;

  constructor(
    readonly id: string,
    env: Record<string, string>,
    onGot: (values: string[]) => void,
  ) {
    this.process = new HelperProcess('chain-host.ts', { ...env, CH_ID: id }, (line) => {
      if (line.startsWith('got ')) onGot(line.slice(4).split(' '));
      else if (line.startsWith('ready ')) this.ready.add(line.slice(6));
      else if (line.startsWith('error ')) this.failures.push(line);
    });
  }

  /** `error` lines, and whatever it wrote on stderr. */
  get errors(): string[] {
    return [...this.failures, ...this.process.log.filter((l) => l.startsWith('stderr: '))];
  }

  kill(): void {
    void this.process.kill();
  }
}

const CONFIGS = [
  { protocol: 'classic', assignor: 'range' },
  { protocol: 'classic', assignor: 'roundrobin' },
  { protocol: 'classic', assignor: 'cooperative-sticky' },
  ...(kafkaMajor() >= 4 ? [{ protocol: 'consumer', assignor: 'uniform' }] : []),
] as const;

describe('three chained groups with members added and SIGKILLed', () => {
  for (const { protocol, assignor } of CONFIGS)
    for (const mode of ['plain', 'txn'] as const) {
      const name = `${protocol === 'consumer' ? 'KIP-848 (uniform)' : assignor}, ${mode}`;
      it(
        `${name}: every one of ${RECORDS} records reaches the end ${mode === 'txn' ? 'exactly once' : 'at least once'}`,
        async () => {
          const topics = [1, 2, 3].map((n) => uniqueTopic(`churn-t${n}`));
          for (const t of topics) await createTopic(cluster, t, PARTITIONS);
          const env = {
            CH_BROKERS: brokers(),
            CH_TOPICS: topics.join(','),
            CH_GROUPS: ['A', 'B', 'C'].map((g) => uniqueTopic(`churn-g${g}`)).join(','),
            CH_PROTOCOL: protocol,
            CH_ASSIGNOR: assignor,
            CH_MODE: mode,
          };
          const seenByC = new Map<string, number>();
          const onGot = (values: string[]) => {
            for (const v of values) seenByC.set(v, (seenByC.get(v) ?? 0) + 1);
          };
          const hosts: Host[] = [];
          const add = (id: string) => {
            const h = new Host(id, env, onGot);
            hosts.push(h);
            return h;
          };
          const producer = new Producer({ bootstrapServers: brokers(), lingerMs: 5 });
          try {
            const [h1, h2] = [add('h1'), add('h2')];
            await waitFor(
              () => ['A', 'B', 'C'].every((s) => h1.ready.has(s) || h2.ready.has(s)),
              'the first members to get partitions',
              60_000,
            );
            // Records go in over the whole churn (about 15 s), so every change lands mid-stream.
            let sent = 0;
            const sending = (async () => {
              const step = Math.ceil(RECORDS / 60);
              const acks = [];
              while (sent < RECORDS) {
                const n = Math.min(step, RECORDS - sent);
                for (let i = 0; i < n; i++) {
                  const v = `r${sent + i}`;
                  acks.push(producer.send({ topic: topics[0], key: v, value: v }));
                }
                sent += n;
                await sleep(250);
              }
              await Promise.all(acks);
            })();
            await sleep(3000);
            add('h3');
            await sleep(3000);
            h1.kill();
            await sleep(3000);
            add('h1'); // h1's replacement: the same transactional ids, fencing the dead ones
            await sleep(3000);
            h2.kill();
            await sleep(2000);
            add('h2');
            await sending;
            const deadline = Date.now() + 120_000;
            while (seenByC.size < RECORDS && Date.now() < deadline) await sleep(250);
            const missing = Array.from({ length: RECORDS }, (_, i) => `r${i}`).filter((v) => !seenByC.has(v));
            expect(missing.slice(0, 10), `${missing.length} records never reached C`).toEqual([]);
            const errors = hosts.flatMap((h) => h.errors.map((e) => `${h.id}: ${e}`));
            expect(errors.slice(0, 5)).toEqual([]);
            // The churn was real: the two killed hosts and the one added later all held partitions.
            for (const h of hosts.slice(0, 3))
              expect(h.ready.size, `${h.id} got partitions`).toBeGreaterThan(0);

            // The end topic itself, read from the log (committed records only under transactions).
            const isolationLevel = mode === 'txn' ? 1 : 0;
            for (const topic of mode === 'txn' ? [topics[1], topics[2]] : [topics[2]]) {
              const count = new Map<string, number>();
              for (const records of (
                await readAllPartitions(cluster, topic, { isolationLevel, timeoutMs: 60_000 })
              ).values())
                for (const r of records) {
                  const v = String(r.value);
                  count.set(v, (count.get(v) ?? 0) + 1);
                }
              const absent = Array.from({ length: RECORDS }, (_, i) => `r${i}`).filter((v) => !count.has(v));
              expect(absent.length, `records absent from ${topic}`).toBe(0);
              if (mode === 'txn') {
                const twice = [...count].filter(([, n]) => n > 1);
                expect(twice.slice(0, 5), `${twice.length} records twice in ${topic}`).toEqual([]);
                expect(count.size).toBe(RECORDS);
              }
            }
          } finally {
            for (const h of hosts) h.kill();
            await producer.close();
          }
        },
        scaled(300_000, 1_200_000),
      );
    }
});
