/**
 * @confluentinc/kafka-javascript in a bench run: librdkafka (bundled, built from source by
 * bench/setup.sh) through its node-rdkafka-style API, the one its authors use for throughput.
 *
 * Producer: `produce()` per record, delivery reports (dr_cb) polled on librdkafka's background
 * thread (`setPollInBackground`), librdkafka's own batching (linger.ms, batch.size) and codecs.
 * Its send queue is bounded like Java's buffer.memory (queue.buffering.max.kbytes = 32 MiB).
 * Consumer: `consume(n)` in a loop (batches of up to 1000 from librdkafka's prefetch queue).
 *
 * Loaded at run time, so the repository's typecheck does not need bench/node_modules.
 */
import {
  awaitedSends,
  type Client,
  caseTopics,
  E2eCollector,
  inTransactions,
  makeValues,
  paced,
  packageVersion,
  quietly,
  recordsPerCall,
  runClient,
  sleep,
  stamp,
  topicOfRecord,
  Window,
  windowFor,
  within,
} from '../lib/child.js';
import { latencyOf } from '../lib/stats.js';
import type { Acks } from '../lib/types.js';

type Config = Record<string, string | number | boolean>;
interface RdError extends Error {
  code: number;
}
interface RdClient {
  connect(): void;
  disconnect(cb: () => void): void;
  once(event: 'ready', listener: () => void): void;
  once(event: 'connection.failure', listener: (err: Error) => void): void;
}
interface RdProducer extends RdClient {
  produce(
    topic: string,
    partition: number | null,
    value: Buffer,
    key?: null,
    ts?: null,
    opaque?: unknown,
  ): void;
  setPollInBackground(set: boolean): void;
  initTransactions(timeout: number, cb: (err: RdError | null) => void): void;
  beginTransaction(cb: (err: RdError | null) => void): void;
  commitTransaction(timeout: number, cb: (err: RdError | null) => void): void;
  abortTransaction(timeout: number, cb: (err: RdError | null) => void): void;
  on(event: 'delivery-report', listener: (err: RdError | null, report: { opaque?: unknown }) => void): void;
  on(event: 'event.error', listener: (err: Error) => void): void;
}
interface RdConsumer extends RdClient {
  subscribe(topics: string[]): void;
  consume(n: number, cb: (err: RdError | null, messages: { value: Buffer | null }[]) => void): void;
  setDefaultConsumeTimeout(ms: number): void;
  setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void;
}
interface RdModule {
  Producer: new (conf: Config, topicConf?: Config) => RdProducer;
  KafkaConsumer: new (conf: Config, topicConf?: Config) => RdConsumer;
  librdkafkaVersion: string;
}

const PACKAGE: string = '@confluentinc/kafka-javascript';
const QUEUE_FULL = -184;
let loaded: RdModule | undefined;

async function load(): Promise<RdModule> {
  if (loaded) return loaded;
  const m = (await import(PACKAGE)) as { default?: RdModule } & RdModule;
  loaded = m.default ?? m;
  return loaded;
}

async function connect<T extends RdClient>(c: T): Promise<T> {
  await new Promise<void>((resolve, reject) => {
    c.once('ready', resolve);
    c.once('connection.failure', reject);
    c.connect();
  });
  return c;
}

function disconnect(c: RdClient): Promise<void> {
  return new Promise((resolve) => c.disconnect(resolve));
}

const acksOf = (a: Acks) => (a === 'all' ? -1 : 1);

/** TLS cases: librdkafka's SSL, trusting the bench CA file. */
function security(tls: { caPath: string } | undefined): Config {
  return tls ? { 'security.protocol': 'ssl', 'ssl.ca.location': tls.caPath } : {};
}

function producerConfig(bootstrap: string, o: Config, tls?: { caPath: string }): Config {
  return {
    ...security(tls),
    'bootstrap.servers': bootstrap,
    'client.id': 'bench-confluent',
    dr_cb: true,
    'queue.buffering.max.kbytes': 32 * 1024,
    'queue.buffering.max.messages': 1_000_000,
    ...o,
  };
}

/** A librdkafka call with a completion callback, as a promise. */
function done(f: (cb: (err: RdError | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => f((err) => (err ? reject(err) : resolve())));
}

/** produce(); false when librdkafka's queue is full (the background poller frees it as reports arrive). */
function tryProduce(p: RdProducer, topic: string, value: Buffer): boolean {
  try {
    p.produce(topic, null, value, null, null);
    return true;
  } catch (err) {
    if ((err as RdError).code !== QUEUE_FULL) throw err;
    return false;
  }
}

function consumer(k: RdModule, bootstrap: string, groupId: string, tls?: { caPath: string }): RdConsumer {
  const c = new k.KafkaConsumer(
    { ...security(tls), 'bootstrap.servers': bootstrap, 'client.id': 'bench-confluent', 'group.id': groupId },
    { 'auto.offset.reset': 'earliest' },
  );
  c.setDefaultConsumeTimeout(100);
  c.setDefaultIsTimeoutOnlyForFirstMessage(true);
  return c;
}

function consumeBatch(c: RdConsumer): Promise<{ value: Buffer | null }[]> {
  return new Promise((resolve, reject) =>
    c.consume(1000, (err, messages) => (err ? reject(err) : resolve(messages))),
  );
}

const client: Client = {
  async version() {
    const k = await load();
    return `${packageVersion(PACKAGE)} (librdkafka ${k.librdkafkaVersion})`;
  },

  async produce({ c, bootstrap, tls, topic, meter }) {
    const k = await load();
    if (c.transactionRecords) {
      // librdkafka's transactional API: initTransactions, then begin, produce() each record,
      // commitTransaction (which flushes and waits for every delivery).
      const producer = new k.Producer(
        producerConfig(
          bootstrap,
          {
            'transactional.id': `bench-confluent-${topic}`,
            'enable.idempotence': true,
            acks: -1,
            'linger.ms': c.lingerMs,
            'batch.size': c.batchSize,
            'compression.codec': c.compression,
          },
          tls,
        ),
      );
      producer.on('delivery-report', () => {});
      await connect(producer);
      producer.setPollInBackground(true);
      await done((cb) => producer.initTransactions(30_000, cb));
      const values = makeValues(c.valueSize);
      await done((cb) => producer.beginTransaction(cb));
      producer.produce(topic, null, values[0]!, null, null);
      await done((cb) => producer.commitTransaction(30_000, cb));
      const { committed, failed } = await inTransactions(c, meter, async (first, n) => {
        await done((cb) => producer.beginTransaction(cb));
        for (let j = 0; j < n; j++)
          while (!tryProduce(producer, topic, values[(first + j) & 1023]!)) await sleep(1);
        try {
          await done((cb) => producer.commitTransaction(60_000, cb));
        } catch (err) {
          await done((cb) => producer.abortTransaction(30_000, cb)).catch(() => {});
          throw err;
        }
      });
      await quietly(() => disconnect(producer));
      return meter.result(committed, {
        errors: failed,
        notes: [`${c.transactionRecords} records per transaction`],
      });
    }
    const producer = new k.Producer(
      producerConfig(
        bootstrap,
        {
          acks: acksOf(c.acks),
          'enable.idempotence': c.idempotence,
          'linger.ms': c.lingerMs,
          'batch.size': c.batchSize,
          'compression.codec': c.compression,
        },
        tls,
      ),
    );
    let window = new Window(1);
    producer.on('delivery-report', (err) => (err ? window.nack(err) : window.ack()));
    await connect(producer);
    producer.setPollInBackground(true);
    const values = makeValues(c.valueSize);
    const topics = caseTopics(topic, c);
    const perCall = recordsPerCall(c);
    // One record first, outside the measurement (as for every client): metadata and connections.
    window.add();
    producer.produce(topics[0]!, null, values[0]!, null, null);
    await window.settled();
    if (window.failed > 0) throw window.firstError;
    window = new Window(windowFor(c));
    meter.start();
    for (let i = 0; i < c.records; i++) {
      if (window.full) await window.acquire();
      window.add();
      const to = topicOfRecord(topics, perCall, i);
      while (!tryProduce(producer, to, values[i & 1023]!)) await sleep(1);
    }
    await window.settled();
    meter.stop();
    await quietly(() => disconnect(producer));
    return meter.result(window.acked, { errors: window.failed, notes: window.failureNotes() });
  },

  async consume({ c, bootstrap, tls, topic, groupId, meter }) {
    const k = await load();
    const cons = await connect(consumer(k, bootstrap, groupId, tls));
    let received = 0;
    let chars = 0;
    meter.start();
    cons.subscribe(caseTopics(topic, c));
    await within(
      600_000,
      'consume',
      (async () => {
        while (received < c.records) {
          const messages = await consumeBatch(cons);
          received += messages.length;
          if (c.strings) for (const m of messages) chars += (m.value as Buffer).toString().length;
          if (received > 0) meter.first();
        }
      })(),
    );
    meter.stop();
    await quietly(() => disconnect(cons));
    if (c.strings && chars !== received * c.valueSize) throw new Error(`read ${chars} characters`);
    return meter.result(received);
  },

  async e2e({ c, bootstrap, tls, topic, groupId, meter }) {
    const k = await load();
    const producer = new k.Producer(
      producerConfig(bootstrap, { acks: acksOf(c.acks), 'linger.ms': c.lingerMs }, tls),
    );
    const window = new Window(Number.MAX_SAFE_INTEGER);
    producer.on('delivery-report', (err) => (err ? window.nack(err) : window.ack()));
    const [p, cons] = await Promise.all([connect(producer), connect(consumer(k, bootstrap, groupId, tls))]);
    p.setPollInBackground(true);
    const collector = new E2eCollector(c.records);
    cons.subscribe([topic]);
    let stop = false;
    const loop = (async () => {
      while (!stop) for (const m of await consumeBatch(cons)) collector.receive(m.value);
    })();
    const values = makeValues(c.valueSize);
    const send = (i: number, measured: boolean) => {
      window.add();
      p.produce(topic, null, stamp(values[i & 1023]!, measured), null, null);
    };
    await collector.warmUp(() => send(0, false));
    meter.start();
    await paced(c.records, c.rate, (from, to) => {
      for (let i = from; i < to; i++) send(i, true);
    });
    await within(60_000, 'e2e receive', Promise.race([collector.finished, loop]));
    meter.stop();
    stop = true;
    await loop.catch(() => {});
    await quietly(() => Promise.all([disconnect(p), disconnect(cons)]));
    return meter.result(collector.samples.length, {
      latency: latencyOf(collector.samples),
      errors: window.failed,
      notes: window.failureNotes(),
    });
  },

  async latency({ c, bootstrap, tls, topic, meter }) {
    const k = await load();
    const producer = new k.Producer(
      producerConfig(
        bootstrap,
        {
          acks: acksOf(c.acks),
          'enable.idempotence': c.idempotence,
          'linger.ms': c.lingerMs,
        },
        tls,
      ),
    );
    let settle: ((err: RdError | null) => void) | undefined;
    producer.on('delivery-report', (err) => settle?.(err));
    await connect(producer);
    producer.setPollInBackground(true);
    const values = makeValues(c.valueSize);
    const sendOne = (i: number) =>
      new Promise<void>((resolve, reject) => {
        settle = (err) => (err ? reject(err) : resolve());
        producer.produce(topic, null, values[i & 1023]!, null, null);
      });
    await sendOne(0);
    const measured = await awaitedSends(c, meter, sendOne);
    await quietly(() => disconnect(producer));
    return measured;
  },
};

await runClient(client);
