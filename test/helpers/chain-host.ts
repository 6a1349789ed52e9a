/**
 * One process of the chained-groups churn scenario (group-churn.test.ts): a member of each of the
 * three groups of a chain — A reads topic 1 and writes topic 2, B reads 2 and writes 3, C reads 3
 * — so that killing the process (SIGKILL) kills a member of every group at once.
 *
 * Env: CH_BROKERS; CH_TOPICS `t1,t2,t3`; CH_GROUPS `gA,gB,gC`; CH_PROTOCOL `classic` or
 * `consumer` (KIP-848); CH_ASSIGNOR `range`, `roundrobin` or `cooperative-sticky` (classic only);
 * CH_MODE `plain` (A and B send, await the acknowledgements, then commit: at least once) or `txn`
 * (A and B are runExactlyOnce pipelines with transactional ids `CH_ID-A`, `CH_ID-B`; every
 * consumer reads committed: exactly once); CH_ID names the host (a replacement of a killed host
 * reuses its id, so its new producers fence the old ones' open transactions).
 *
 * Prints one line each: `ready STAGE` at a stage's first assignment; `got V V …` for what C read in
 * one poll; `error STAGE MESSAGE` when a stage's loop fails (it stops; the others go on). Exits
 * when its stdin closes (the test process gone).
 *
 * Run with `node --import tsx test/helpers/chain-host.ts`.
 */
import {
  type Assignor,
  Consumer,
  type ConsumerConfig,
  CooperativeStickyAssignor,
  Producer,
  RangeAssignor,
  RoundRobinAssignor,
  runExactlyOnce,
} from '../../src/index.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`chain-host: ${name} is not set`);
  return v;
};

const brokers = env('CH_BROKERS');
const topics = env('CH_TOPICS').split(',');
const groups = env('CH_GROUPS').split(',');
const protocol = env('CH_PROTOCOL') as 'classic' | 'consumer';
const txn = env('CH_MODE') === 'txn';
const id = env('CH_ID');
const ASSIGNORS: Record<string, Assignor> = {
  range: RangeAssignor,
  roundrobin: RoundRobinAssignor,
  'cooperative-sticky': CooperativeStickyAssignor,
};
const say = (line: string) => process.stdout.write(`${line}\n`);
process.stdin.on('end', () => process.exit(0)).resume();

function consumerFor(stage: number): Consumer {
  const config: ConsumerConfig = {
    bootstrapServers: brokers,
    groupId: groups[stage],
    groupProtocol: protocol,
    autoOffsetReset: 'earliest',
    enableAutoCommit: false,
    isolationLevel: txn ? 'read_committed' : 'read_uncommitted',
    maxPollRecords: 200,
    requestTimeoutMs: 10_000,
  };
  if (protocol === 'classic') {
    config.sessionTimeoutMs = 4000;
    config.heartbeatIntervalMs = 400;
    config.partitionAssignmentStrategy = [ASSIGNORS[env('CH_ASSIGNOR')]];
  }
  return new Consumer(config);
}

const STAGES = ['A', 'B', 'C'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A and B with CH_MODE plain: poll, send every record on, await the acknowledgements, commit. */
async function relay(stage: number, producer: Producer): Promise<void> {
  const consumer = consumerFor(stage);
  let ready = false;
  consumer.subscribe([topics[stage]]);
  for (;;) {
    const batches = await consumer.poll({ timeoutMs: 200 }).catch(async () => {
      await sleep(200); // a poll's retriable error (a rebalance, a coordinator move): poll again
      return [];
    });
    if (!ready && consumer.assignment().length > 0) {
      ready = true;
      say(`ready ${STAGES[stage]}`);
    }
    const sends = [];
    for (const b of batches)
      for (const r of b.records)
        sends.push(producer.send({ topic: topics[stage + 1], key: r.key, value: r.value }));
    await Promise.all(sends);
    // A commit refused in a rebalance is not lost work: those records come again (at least once).
    if (batches.length > 0) await consumer.commit().catch(() => {});
  }
}

/** A and B with CH_MODE txn: a runExactlyOnce pipeline. */
async function pipeline(stage: number): Promise<void> {
  const consumer = consumerFor(stage);
  const producer = new Producer({
    bootstrapServers: brokers,
    transactionalId: `${id}-${STAGES[stage]}`,
    transactionTimeoutMs: 15_000,
    lingerMs: 5,
    requestTimeoutMs: 10_000,
    retryBackoffMaxMs: 500,
  });
  let ready = false;
  await runExactlyOnce({
    consumer,
    producer,
    topics: [topics[stage]],
    pollTimeoutMs: 200,
    transform: (b) => b.records.map((r) => ({ topic: topics[stage + 1], key: r.key, value: r.value })),
    listener: {
      onPartitionsAssigned: (tps) => {
        if (!ready && tps.length > 0) {
          ready = true;
          say(`ready ${STAGES[stage]}`);
        }
      },
    },
  });
}

/** C: reads topic 3 and prints what it read, committing after each poll. */
async function sink(): Promise<void> {
  const consumer = consumerFor(2);
  let ready = false;
  consumer.subscribe([topics[2]]);
  for (;;) {
    const batches = await consumer.poll({ timeoutMs: 200 }).catch(async () => {
      await sleep(200);
      return [];
    });
    if (!ready && consumer.assignment().length > 0) {
      ready = true;
      say('ready C');
    }
    const values: string[] = [];
    for (const b of batches) for (const r of b.records) values.push(String(r.value));
    if (values.length > 0) say(`got ${values.join(' ')}`);
    if (batches.length > 0) await consumer.commit().catch(() => {});
  }
}

function guard(stage: number, run: Promise<void>): void {
  run.catch((err: Error) =>
    say(`error ${STAGES[stage]} ${err.name}: ${String(err.message).replace(/\n/g, ' ')}`),
  );
}

if (txn) {
  guard(0, pipeline(0));
  guard(1, pipeline(1));
} else {
  const producer = new Producer({ bootstrapServers: brokers, lingerMs: 5, requestTimeoutMs: 10_000 });
  guard(0, relay(0, producer));
  guard(1, relay(1, producer));
}
guard(2, sink());
