/**
 * kafkawire in a bench run: the Producer and Consumer from src/ (run through tsx, as the tests
 * run them). Produce: `send()` per record with a window of unacknowledged records, waiting for
 * `drained()` when `needsDrain` is set (the README's backpressure); the accumulator batches them
 * (batchSize, lingerMs) the way the Java producer does. Consume: a group
 * member polling in a loop, as a Java consumer does.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type * as Kafkawire from '../../src/index.js';
import {
  awaitedSends,
  type Client,
  type Ctx,
  caseTopics,
  E2eCollector,
  inTransactions,
  makeValues,
  paced,
  quietly,
  recordsPerCall,
  runClient,
  stamp,
  topicOfRecord,
  Window,
  windowFor,
  within,
} from '../lib/child.js';
import { latencyOf } from '../lib/stats.js';
import type { Measured, ProduceCase } from '../lib/types.js';

/**
 * The library under test: this checkout's src/, or another checkout's when
 * KAFKAWIRE_BENCH_LIB names its src/index.ts (clients/kafkawire-baseline.ts sets it).
 */
const lib: typeof Kafkawire = process.env.KAFKAWIRE_BENCH_LIB
  ? await import(pathToFileURL(process.env.KAFKAWIRE_BENCH_LIB).href)
  : await import('../../src/index.js');
const { Consumer, Producer } = lib;
type Consumer = Kafkawire.Consumer<Buffer | null, unknown>;

/** TLS cases: SSL to the broker's listener, trusting the bench CA. */
function security(tls: { ca: string } | undefined) {
  return tls ? { securityProtocol: 'SSL' as const, ssl: { ca: tls.ca } } : {};
}

function consumer(bootstrap: string, groupId: string, tls?: { ca: string }, strings = false): Consumer {
  return new Consumer({
    ...(strings ? { valueDeserializer: lib.stringDeserializer } : {}),
    ...security(tls),
    bootstrapServers: bootstrap,
    clientId: 'bench-kafkawire',
    groupId,
    autoOffsetReset: 'earliest',
  });
}

/**
 * Transactions of `c.transactionRecords` records: begin, send each without awaiting it, commit
 * (which flushes and waits for every acknowledgement). Only committed records count.
 */
async function produceTransactions({ c, bootstrap, topic, meter }: Ctx<ProduceCase>): Promise<Measured> {
  const producer = new Producer({
    bootstrapServers: bootstrap,
    clientId: 'bench-kafkawire',
    transactionalId: `bench-kafkawire-${topic}`,
    lingerMs: c.lingerMs,
    batchSize: c.batchSize,
    compressionType: c.compression,
  });
  await producer.connect();
  await producer.initTransactions();
  const values = makeValues(c.valueSize);
  // One transaction of one record first, outside the measurement: metadata, coordinator, connections.
  producer.beginTransaction();
  await producer.send({ topic, value: values[0]! });
  await producer.commitTransaction();
  const noop = (): void => {};
  const { committed, failed } = await inTransactions(c, meter, async (first, n) => {
    producer.beginTransaction();
    for (let j = 0; j < n; j++) producer.send({ topic, value: values[(first + j) & 1023]! }).catch(noop);
    try {
      await producer.commitTransaction();
    } catch (err) {
      await producer.abortTransaction();
      throw err;
    }
  });
  await quietly(() => producer.close());
  return meter.result(committed, {
    errors: failed,
    notes: [`${c.transactionRecords} records per transaction`],
  });
}

const client: Client = {
  async version() {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  },

  async produce({ c, bootstrap, tls, topic, meter }) {
    if (c.transactionRecords) return produceTransactions({ c, bootstrap, tls, topic, groupId: '', meter });
    const producer = new Producer({
      ...security(tls),
      bootstrapServers: bootstrap,
      clientId: 'bench-kafkawire',
      acks: c.acks,
      enableIdempotence: c.idempotence,
      lingerMs: c.lingerMs,
      batchSize: c.batchSize,
      compressionType: c.compression,
    });
    await producer.connect();
    const values = makeValues(c.valueSize);
    const topics = caseTopics(topic, c);
    const perCall = recordsPerCall(c);
    // One record first, outside the measurement (as for every client): metadata and connections.
    await producer.send({ topic: topics[0]!, value: values[0]! });
    const window = new Window(windowFor(c));
    meter.start();
    for (let i = 0; i < c.records; i++) {
      if (window.full) await window.acquire();
      // Backpressure as the README shows it: once a buffer's worth of sends waits, wait for 'drain'.
      if (producer.needsDrain) await producer.drained();
      window.add();
      producer
        .send({ topic: topicOfRecord(topics, perCall, i), value: values[i & 1023]! })
        .then(window.ack, window.nack);
    }
    await window.settled();
    meter.stop();
    await quietly(() => producer.close());
    return meter.result(window.acked, { errors: window.failed, notes: window.failureNotes() });
  },

  async consume({ c, bootstrap, tls, topic, groupId, meter }) {
    const cons = consumer(bootstrap, groupId, tls, c.strings);
    await cons.connect();
    let received = 0;
    let chars = 0;
    meter.start();
    cons.subscribe(caseTopics(topic, c));
    await within(
      600_000,
      'consume',
      (async () => {
        while (received < c.records) {
          for (const batch of await cons.poll({ timeoutMs: 1000 })) {
            received += batch.records.length;
            if (c.strings) for (const r of batch.records) chars += (r.value as string).length;
          }
          if (received > 0) meter.first();
        }
      })(),
    );
    if (c.strings && chars !== received * c.valueSize) throw new Error(`read ${chars} characters`);
    meter.stop();
    await quietly(() => cons.close());
    return meter.result(received);
  },

  async e2e({ c, bootstrap, tls, topic, groupId, meter }) {
    const producer = new Producer({
      ...security(tls),
      bootstrapServers: bootstrap,
      clientId: 'bench-kafkawire',
      acks: c.acks,
      enableIdempotence: false,
      lingerMs: c.lingerMs,
    });
    const cons = consumer(bootstrap, groupId, tls);
    await Promise.all([producer.connect(), cons.connect()]);
    cons.subscribe([topic]);
    const collector = new E2eCollector(c.records);
    let stop = false;
    const loop = (async () => {
      while (!stop)
        for (const batch of await cons.poll({ timeoutMs: 100 }))
          for (const r of batch.records) collector.receive(r.value as Buffer | null);
    })();
    const values = makeValues(c.valueSize);
    const window = new Window(Number.MAX_SAFE_INTEGER);
    const send = (i: number, measured: boolean) => {
      window.add();
      producer.send({ topic, value: stamp(values[i & 1023]!, measured) }).then(window.ack, window.nack);
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
    await quietly(() => Promise.all([producer.close(), cons.close()]));
    return meter.result(collector.samples.length, {
      latency: latencyOf(collector.samples),
      errors: window.failed,
      notes: window.failureNotes(),
    });
  },

  async latency({ c, bootstrap, tls, topic, meter }) {
    const producer = new Producer({
      ...security(tls),
      bootstrapServers: bootstrap,
      clientId: 'bench-kafkawire',
      acks: c.acks,
      enableIdempotence: c.idempotence,
      lingerMs: c.lingerMs,
    });
    await producer.connect();
    const values = makeValues(c.valueSize);
    // One record first, outside the measurement: metadata for the topic and the connection to its leader.
    await producer.send({ topic, value: values[0]! });
    const measured = await awaitedSends(c, meter, (i) => producer.send({ topic, value: values[i & 1023]! }));
    await quietly(() => producer.close());
    return measured;
  },
};

await runClient(client);
