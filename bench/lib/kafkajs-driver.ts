/**
 * The bench driver for a KafkaJS-shaped client: the same program for KafkaJS itself
 * (clients/kafkajs.ts) and for kafkawire's KafkaJS-compatible entry (clients/kafkawire-kafkajs.ts),
 * so the two columns differ only in the module behind `load()`.
 *
 * KafkaJS has no accumulator and no linger: every `send()` call is one request per broker. Its
 * closest knobs to batch.size / linger.ms are the application's: the runner hands it arrays of
 * one batch.size worth of records per call, each call to one partition in turn (what a sticky
 * partitioner does), at most 5 calls in flight (max.in.flight.requests.per.connection).
 */
import {
  awaitedSends,
  type Client,
  caseTopics,
  E2eCollector,
  inTransactions,
  makeValues,
  paced,
  quietly,
  recordsPerCall,
  stamp,
  topicOfRecord,
  Window,
  within,
} from './child.js';
import { latencyOf } from './stats.js';
import type { Acks, Codec } from './types.js';

export interface Message {
  value: Buffer;
  partition?: number;
}
export interface KProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(r: { topic: string; messages: Message[]; acks: number; compression?: number }): Promise<unknown>;
  transaction(): Promise<KTransaction>;
}
export interface KTransaction {
  send(r: { topic: string; messages: Message[]; compression?: number }): Promise<unknown>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}
export interface KConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(s: { topics: string[]; fromBeginning: boolean }): Promise<void>;
  run(r: {
    eachBatch: (p: { batch: { messages: { value: Buffer | null }[] } }) => Promise<void>;
  }): Promise<void>;
  on(event: string, listener: (e: unknown) => void): void;
  events: { CRASH: string };
}
export interface KafkaJs {
  producer(c: {
    idempotent?: boolean;
    maxInFlightRequests?: number;
    allowAutoTopicCreation?: boolean;
    transactionalId?: string;
  }): KProducer;
  consumer(c: { groupId: string }): KConsumer;
}
export interface KCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}
export interface KafkaJsModule {
  Kafka: new (c: {
    clientId: string;
    brokers: string[];
    logLevel: number;
    ssl?: { ca: string[] };
  }) => KafkaJs;
  CompressionTypes: { None: number; GZIP: number; LZ4: number; ZSTD: number };
  CompressionCodecs: Record<number, () => KCodec>;
  logLevel: { NOTHING: number; ERROR: number };
}

export function kafka(k: KafkaJsModule, bootstrap: string, tls?: { ca: string }): KafkaJs {
  return new k.Kafka({
    clientId: 'bench-kafkajs',
    brokers: bootstrap.split(','),
    logLevel: k.logLevel.ERROR,
    // TLS cases: KafkaJS's `ssl` option goes to tls.connect().
    ...(tls ? { ssl: { ca: [tls.ca] } } : {}),
  });
}

export const acksOf = (a: Acks) => (a === 'all' ? -1 : 1);
export function codecOf(k: KafkaJsModule, c: Codec): number {
  return c === 'lz4'
    ? k.CompressionTypes.LZ4
    : c === 'zstd'
      ? k.CompressionTypes.ZSTD
      : k.CompressionTypes.None;
}

/** The bench client for a KafkaJS-shaped module; `version` names what `load` brings. */
export function kafkajsClient(load: () => Promise<KafkaJsModule>, version: () => Promise<string>): Client {
  return {
    version,
    async produce({ c, bootstrap, tls, topic, meter }) {
      const k = await load();
      if (c.transactionRecords) {
        // KafkaJS's documented transactional producer: idempotent, one request in flight, and
        // one transaction.send() of the transaction's messages, then commit().
        const producer = kafka(k, bootstrap, tls).producer({
          transactionalId: `bench-kafkajs-${topic}`,
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
        });
        await producer.connect();
        const values = makeValues(c.valueSize);
        const compression = codecOf(k, c.compression);
        const warm = await producer.transaction();
        await warm.send({ topic, messages: [{ value: values[0]! }], compression });
        await warm.commit();
        const { committed, failed } = await inTransactions(c, meter, async (first, n) => {
          const messages: Message[] = new Array(n);
          for (let j = 0; j < n; j++) messages[j] = { value: values[(first + j) & 1023]! };
          const t = await producer.transaction();
          try {
            await t.send({ topic, messages, compression });
            await t.commit();
          } catch (err) {
            await t.abort().catch(() => {});
            throw err;
          }
        });
        await quietly(() => producer.disconnect());
        return meter.result(committed, {
          errors: failed,
          notes: [`${c.transactionRecords} records per transaction, one transaction.send() each`],
        });
      }
      const producer = kafka(k, bootstrap, tls).producer({
        idempotent: c.idempotence,
        maxInFlightRequests: 5,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      const values = makeValues(c.valueSize);
      const perCall = recordsPerCall(c);
      const acks = acksOf(c.acks);
      const compression = codecOf(k, c.compression);
      const topics = caseTopics(topic, c);
      // One record first, outside the measurement (as for every client): metadata and connections.
      await producer.send({ topic: topics[0]!, messages: [{ value: values[0]! }], acks, compression });
      const window = new Window(5 * perCall);
      meter.start();
      for (let i = 0, call = 0; i < c.records; call++) {
        if (window.full) await window.acquire();
        const n = Math.min(perCall, c.records - i);
        const partition = call % c.partitions;
        const messages: Message[] = new Array(n);
        for (let j = 0; j < n; j++) messages[j] = { value: values[(i + j) & 1023]!, partition };
        const to = topicOfRecord(topics, perCall, i);
        i += n;
        window.add(n);
        producer.send({ topic: to, messages, acks, compression }).then(
          () => window.ackN(n),
          (err: unknown) => window.failN(err, n),
        );
      }
      await window.settled();
      meter.stop();
      await quietly(() => producer.disconnect());
      return meter.result(window.acked, {
        errors: window.failed,
        notes: [`${perCall} records per send() call, ≤5 calls in flight`, ...window.failureNotes()],
      });
    },

    async consume({ c, bootstrap, tls, topic, groupId, meter }) {
      const k = await load();
      const consumer = kafka(k, bootstrap, tls).consumer({ groupId });
      let received = 0;
      let chars = 0;
      let done: () => void = () => {};
      const all = new Promise<void>((resolve) => {
        done = resolve;
      });
      let crash: (e: unknown) => void = () => {};
      const crashed = new Promise<never>((_, reject) => {
        crash = reject;
      });
      consumer.on(consumer.events.CRASH, (e) => crash(new Error(`consumer crashed: ${JSON.stringify(e)}`)));
      await consumer.connect();
      await consumer.subscribe({ topics: caseTopics(topic, c), fromBeginning: true });
      meter.start();
      await consumer.run({
        eachBatch: async ({ batch }) => {
          received += batch.messages.length;
          // Its docs: `message.value.toString()`.
          if (c.strings) for (const m of batch.messages) chars += (m.value as Buffer).toString().length;
          if (received > 0) meter.first();
          if (received >= c.records) {
            meter.stop();
            done();
          }
        },
      });
      await within(600_000, 'consume', Promise.race([all, crashed]));
      await quietly(() => consumer.disconnect());
      if (c.strings && chars !== received * c.valueSize) throw new Error(`read ${chars} characters`);
      return meter.result(received);
    },

    async e2e({ c, bootstrap, tls, topic, groupId, meter }) {
      const k = await load();
      const client = kafka(k, bootstrap, tls);
      const producer = client.producer({ maxInFlightRequests: 5, allowAutoTopicCreation: false });
      const consumer = client.consumer({ groupId });
      const collector = new E2eCollector(c.records);
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) collector.receive(m.value);
        },
      });
      const values = makeValues(c.valueSize);
      const acks = acksOf(c.acks);
      const window = new Window(Number.MAX_SAFE_INTEGER);
      const sendStamped = (from: number, to: number, measured: boolean) => {
        const messages: Message[] = [];
        for (let i = from; i < to; i++) messages.push({ value: stamp(values[i & 1023]!, measured) });
        window.add(to - from);
        producer.send({ topic, messages, acks }).then(
          () => window.ackN(to - from),
          (err: unknown) => window.failN(err, to - from),
        );
      };
      await collector.warmUp(() => sendStamped(0, 1, false));
      meter.start();
      await paced(c.records, c.rate, (from, to) => sendStamped(from, to, true));
      await within(60_000, 'e2e receive', collector.finished);
      meter.stop();
      await quietly(() => Promise.all([producer.disconnect(), consumer.disconnect()]));
      return meter.result(collector.samples.length, {
        latency: latencyOf(collector.samples),
        errors: window.failed,
        notes: ['the records due in one ~1 ms tick go in one send() call', ...window.failureNotes()],
      });
    },

    async latency({ c, bootstrap, tls, topic, meter }) {
      const k = await load();
      const producer = kafka(k, bootstrap, tls).producer({
        idempotent: c.idempotence,
        maxInFlightRequests: 5,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      const values = makeValues(c.valueSize);
      const acks = acksOf(c.acks);
      await producer.send({ topic, messages: [{ value: values[0]! }], acks });
      const measured = await awaitedSends(c, meter, (i) =>
        producer.send({ topic, messages: [{ value: values[i & 1023]! }], acks }),
      );
      await quietly(() => producer.disconnect());
      return measured;
    },
  };
}
