/**
 * @platformatic/kafka in a bench run (bench/node_modules, pure JavaScript with WASM codecs).
 *
 * Its Producer has no accumulator: every `send()` is one produce request per broker, and its
 * ProducerStream (batchSize/batchTime) keeps one send in flight. So, as for KafkaJS, the runner
 * hands it arrays of one batch.size worth of records per call, each call to one partition in
 * turn, at most 5 calls in flight (its `maxInflights` default; the idempotent producer forces 1).
 * lz4 and zstd are its own (WASM lz4, node:zlib zstd).
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
  stamp,
  topicOfRecord,
  Window,
  within,
} from '../lib/child.js';
import { latencyOf } from '../lib/stats.js';
import type { Acks } from '../lib/types.js';

interface Message {
  topic: string;
  value: Buffer;
  partition?: number;
}
interface PProducer {
  send(o: { messages: Message[]; acks?: number; compression?: string }): Promise<unknown>;
  beginTransaction(): Promise<PTransaction>;
  close(force?: boolean): Promise<void>;
}
interface PTransaction {
  send(o: { messages: Message[] }): Promise<unknown>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}
interface Stream {
  on(event: 'data', listener: (m: { value: Buffer | string | undefined }) => void): void;
  on(event: 'error', listener: (err: unknown) => void): void;
}
interface PConsumer {
  consume(o: { topics: string[]; mode: string }): Promise<Stream>;
  close(force?: boolean): Promise<void>;
}
interface BaseOptions {
  clientId: string;
  bootstrapBrokers: string[];
  tls?: { ca: string };
}
interface PlatformaticModule {
  Producer: new (
    o: BaseOptions & {
      acks?: number;
      compression?: string;
      idempotent?: boolean;
      autocreateTopics?: boolean;
      transactionalId?: string;
    },
  ) => PProducer;
  Consumer: new (o: BaseOptions & { groupId: string; deserializers?: unknown }) => PConsumer;
  stringDeserializers: unknown;
  version?: string;
}

const PACKAGE: string = '@platformatic/kafka';
let loaded: PlatformaticModule | undefined;

async function load(): Promise<PlatformaticModule> {
  loaded ??= (await import(PACKAGE)) as PlatformaticModule;
  return loaded;
}

function base(bootstrap: string, tls: { ca: string } | undefined): BaseOptions {
  // TLS cases: its `tls` connection option goes to tls.connect().
  return {
    clientId: 'bench-platformatic',
    bootstrapBrokers: bootstrap.split(','),
    ...(tls ? { tls: { ca: tls.ca } } : {}),
  };
}

const acksOf = (a: Acks) => (a === 'all' ? -1 : 1);

const client: Client = {
  async version() {
    await load();
    return packageVersion(PACKAGE);
  },

  async produce({ c, bootstrap, tls, topic, meter }) {
    const k = await load();
    if (c.transactionRecords) {
      // Its documented transactional producer: idempotent, a transactionalId, then
      // beginTransaction() → transaction.send() → commit(), one send of the transaction's messages
      // spread over the partitions.
      const producer = new k.Producer({
        ...base(bootstrap, tls),
        acks: -1,
        compression: c.compression,
        idempotent: true,
        transactionalId: `bench-platformatic-${topic}`,
        autocreateTopics: false,
      });
      const values = makeValues(c.valueSize);
      const warm = await producer.beginTransaction();
      await warm.send({ messages: [{ topic, value: values[0]! }] });
      await warm.commit();
      const { committed, failed } = await inTransactions(c, meter, async (first, n) => {
        const messages: Message[] = new Array(n);
        for (let j = 0; j < n; j++)
          messages[j] = { topic, value: values[(first + j) & 1023]!, partition: j % c.partitions };
        const t = await producer.beginTransaction();
        try {
          await t.send({ messages });
          await t.commit();
        } catch (err) {
          await t.abort().catch(() => {});
          throw err;
        }
      });
      await quietly(() => producer.close());
      return meter.result(committed, {
        errors: failed,
        notes: [`${c.transactionRecords} records per transaction, one transaction.send() each`],
      });
    }
    const producer = new k.Producer({
      ...base(bootstrap, tls),
      acks: acksOf(c.acks),
      compression: c.compression,
      idempotent: c.idempotence,
      autocreateTopics: false,
    });
    const values = makeValues(c.valueSize);
    const topics = caseTopics(topic, c);
    // One record first, outside the measurement (as for every client): metadata and connections.
    await producer.send({ messages: [{ topic: topics[0]!, value: values[0]! }] });
    const perCall = recordsPerCall(c);
    const window = new Window((c.idempotence ? 1 : 5) * perCall);
    meter.start();
    for (let i = 0, call = 0; i < c.records; call++) {
      if (window.full) await window.acquire();
      const n = Math.min(perCall, c.records - i);
      const partition = call % c.partitions;
      const to = topicOfRecord(topics, perCall, i);
      const messages: Message[] = new Array(n);
      for (let j = 0; j < n; j++) messages[j] = { topic: to, value: values[(i + j) & 1023]!, partition };
      i += n;
      window.add(n);
      producer.send({ messages }).then(
        () => window.ackN(n),
        (err: unknown) => window.failN(err, n),
      );
    }
    await window.settled();
    meter.stop();
    await quietly(() => producer.close());
    return meter.result(window.acked, {
      errors: window.failed,
      notes: [
        `${perCall} records per send() call, ≤${c.idempotence ? 1 : 5} calls in flight`,
        ...window.failureNotes(),
      ],
    });
  },

  async consume({ c, bootstrap, tls, topic, groupId, meter }) {
    const k = await load();
    // Its README's consumer: `deserializers: stringDeserializers` for strings.
    const consumer = new k.Consumer({
      ...base(bootstrap, tls),
      groupId,
      ...(c.strings ? { deserializers: k.stringDeserializers } : {}),
    });
    let received = 0;
    let chars = 0;
    meter.start();
    const stream = await consumer.consume({ topics: caseTopics(topic, c), mode: 'earliest' });
    await within(
      600_000,
      'consume',
      new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        stream.on('data', (m) => {
          if (c.strings) chars += (m.value as string).length;
          if (received === 0) meter.first();
          if (++received === c.records) {
            meter.stop();
            resolve();
          }
        });
      }),
    );
    await quietly(() => consumer.close(true));
    if (c.strings && chars !== received * c.valueSize) throw new Error(`read ${chars} characters`);
    return meter.result(received);
  },

  async e2e({ c, bootstrap, tls, topic, groupId, meter }) {
    const k = await load();
    const producer = new k.Producer({
      ...base(bootstrap, tls),
      acks: acksOf(c.acks),
      autocreateTopics: false,
    });
    const consumer = new k.Consumer({ ...base(bootstrap, tls), groupId });
    const collector = new E2eCollector(c.records);
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
    let streamError: unknown;
    stream.on('error', (err) => {
      streamError = err;
    });
    stream.on('data', (m) => collector.receive(m.value as Buffer | undefined));
    const values = makeValues(c.valueSize);
    const window = new Window(Number.MAX_SAFE_INTEGER);
    const sendStamped = (from: number, to: number, measured: boolean) => {
      const messages: Message[] = [];
      for (let i = from; i < to; i++) messages.push({ topic, value: stamp(values[i & 1023]!, measured) });
      window.add(to - from);
      producer.send({ messages }).then(
        () => window.ackN(to - from),
        (err: unknown) => window.failN(err, to - from),
      );
    };
    await collector.warmUp(() => sendStamped(0, 1, false));
    meter.start();
    await paced(c.records, c.rate, (from, to) => sendStamped(from, to, true));
    await within(60_000, 'e2e receive', collector.finished);
    meter.stop();
    await quietly(() => Promise.all([producer.close(), consumer.close(true)]));
    if (streamError) throw streamError;
    return meter.result(collector.samples.length, {
      latency: latencyOf(collector.samples),
      errors: window.failed,
      notes: ['the records due in one ~1 ms tick go in one send() call', ...window.failureNotes()],
    });
  },

  async latency({ c, bootstrap, tls, topic, meter }) {
    const k = await load();
    const producer = new k.Producer({
      ...base(bootstrap, tls),
      acks: acksOf(c.acks),
      idempotent: c.idempotence,
      autocreateTopics: false,
    });
    const values = makeValues(c.valueSize);
    await producer.send({ messages: [{ topic, value: values[0]! }] });
    const measured = await awaitedSends(c, meter, (i) =>
      producer.send({ messages: [{ topic, value: values[i & 1023]! }] }),
    );
    await quietly(() => producer.close());
    return measured;
  },
};

await runClient(client);
