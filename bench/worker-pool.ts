/**
 * Slow handlers: records whose handler takes 10 ms (a database call, an HTTP request), on a
 * 6-partition topic with 1,000 keys. Side by side on one broker (the tests' launcher):
 * - kafkawire `run({ eachMessage })`: one record at a time;
 * - kafkawire `run({ eachMessage, concurrency: 100, ordering: 'key' })`: the worker pool, each
 *   key's records in order;
 * - KafkaJS `run({ eachMessage, partitionsConsumedConcurrently: 6 })`: its documented way to run
 *   handlers in parallel, one partition per handler (bench/node_modules/kafkajs).
 * Each run reads the same records in a fresh group until it has handled them all; prints
 * records/s per row and the ratios, and checks every key's order in each.
 *
 *   npx tsx bench/worker-pool.ts [--records N]   # default 3,000 (the one-at-a-time row takes N × 10 ms)
 */
import { startKafka } from '../test/harness/launcher.js';

const { Admin, Consumer, Producer } = await import('../src/index.js');
const arg = process.argv.indexOf('--records');
const RECORDS = arg > 0 ? Number(process.argv[arg + 1]) : 3000;
const PARTITIONS = 6;
const KEYS = 1000;
const HANDLER_MS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  name: string;
  records: number;
  seconds: number;
  orderKept: boolean;
}

/** Checks per-key order: each key's offsets must come in increasing order within its partition. */
class OrderCheck {
  private readonly last = new Map<string, bigint>();
  kept = true;
  seen = 0;
  add(partition: number, key: string, offset: bigint): void {
    const k = `${partition}/${key}`;
    const prev = this.last.get(k);
    if (prev !== undefined && prev >= offset) this.kept = false;
    this.last.set(k, offset);
    this.seen++;
  }
}

const kafka = await startKafka({ nodes: 1 });
try {
  const bootstrap = kafka.bootstrap;
  const admin = new Admin({ bootstrapServers: bootstrap });
  const topic = 'slow-handlers';
  await admin.createTopics([{ name: topic, numPartitions: PARTITIONS }]);
  await sleep(2000);
  const producer = new Producer({ bootstrapServers: bootstrap, lingerMs: 5 });
  await producer.send(
    Array.from({ length: RECORDS }, (_, i) => ({ topic, key: `k${i % KEYS}`, value: `v${i}` })),
  );
  await producer.close();
  await admin.close();

  const rows: Row[] = [];
  for (const pooled of [false, true]) {
    const consumer = new Consumer({
      bootstrapServers: bootstrap,
      groupId: `kw-${pooled}`,
      autoOffsetReset: 'earliest',
    });
    consumer.subscribe([topic]);
    const check = new OrderCheck();
    const ac = new AbortController();
    let started = 0;
    await consumer.run({
      ...(pooled ? { concurrency: 100, ordering: 'key' as const } : {}),
      signal: ac.signal,
      eachMessage: async ({ partition, message }) => {
        if (started === 0) started = performance.now();
        await sleep(HANDLER_MS);
        check.add(partition, String(message.key), message.offset);
        if (check.seen === RECORDS) ac.abort();
      },
    });
    rows.push({
      name: pooled ? 'kafkawire, concurrency 100, ordering key' : 'kafkawire, one at a time',
      records: RECORDS,
      seconds: (performance.now() - started) / 1000,
      orderKept: check.kept,
    });
    await consumer.close();
  }

  // Loaded at run time (bench/node_modules comes from bench/setup.sh): the repository's
  // typecheck must not depend on it.
  const PACKAGE: string = 'kafkajs';
  const loaded = (await import(PACKAGE)) as { default?: unknown };
  const kafkajs = loaded.default ?? loaded;
  const { Kafka, logLevel } = kafkajs as {
    Kafka: new (
      c: object,
    ) => {
      consumer(c: object): {
        connect(): Promise<void>;
        subscribe(s: object): Promise<void>;
        run(r: object): Promise<void>;
        disconnect(): Promise<void>;
      };
    };
    logLevel: { NOTHING: number };
  };
  const client = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const kc = client.consumer({ groupId: 'kafkajs' });
  await kc.connect();
  await kc.subscribe({ topic, fromBeginning: true });
  const check = new OrderCheck();
  let started = 0;
  let finished!: () => void;
  const all = new Promise<void>((r) => {
    finished = r;
  });
  await kc.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachMessage: async ({
      partition,
      message,
    }: {
      partition: number;
      message: { key: Buffer; offset: string };
    }) => {
      if (started === 0) started = performance.now();
      await sleep(HANDLER_MS);
      check.add(partition, message.key.toString(), BigInt(message.offset));
      if (check.seen === RECORDS) finished();
    },
  });
  await all;
  rows.push({
    name: `KafkaJS, partitionsConsumedConcurrently ${PARTITIONS}`,
    records: RECORDS,
    seconds: (performance.now() - started) / 1000,
    orderKept: check.kept,
  });
  await kc.disconnect();

  const base = rows[0].records / rows[0].seconds;
  console.log(`\n${RECORDS} records, ${PARTITIONS} partitions, ${KEYS} keys, handler ${HANDLER_MS} ms\n`);
  console.log('| consumer | records/s | × one at a time | per-key order |');
  console.log('| :-- | --: | --: | :-- |');
  for (const r of rows) {
    const rate = r.records / r.seconds;
    console.log(
      `| ${r.name} | ${Math.round(rate)} | ${(rate / base).toFixed(1)}× | ${r.orderKept ? 'kept' : 'BROKEN'} |`,
    );
  }
} finally {
  await kafka.stop();
}
