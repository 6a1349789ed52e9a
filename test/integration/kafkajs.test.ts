/**
 * kafkawire/kafkajs against the real broker. Each test is a program written against KafkaJS's
 * documented API (kafka.js.org: Producing, Consuming, Admin, Configuration); only the import
 * differs. Topics are created through the compat admin client, as a KafkaJS program would.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  CompressionTypes,
  type Consumer,
  type EachBatchPayload,
  Kafka,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  type LogEntry,
  logLevel,
  Partitioners,
  type Producer,
} from '../../src/kafkajs/index.js';
import { partitionForKey } from '../../src/producer/murmur2.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { waitFor } from '../helpers/topics.js';

const logs: LogEntry[] = [];
const kafka = new Kafka({
  clientId: 'kafkajs-compat-test',
  brokers: brokers().split(','),
  logLevel: logLevel.INFO,
  logCreator: () => (entry) => {
    logs.push(entry);
  },
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

async function topicWith(partitions: number, prefix = 'kjs'): Promise<string> {
  const topic = uniqueTopic(prefix);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], timeout: 30_000 });
  await admin.disconnect();
  return topic;
}

async function connectedProducer(config?: Parameters<Kafka['producer']>[0]): Promise<Producer> {
  const producer = kafka.producer(config);
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  return producer;
}

function newConsumer(
  groupId: string,
  config: Omit<Parameters<Kafka['consumer']>[0], 'groupId'> = {},
): Consumer {
  const consumer = kafka.consumer({ groupId, ...config });
  cleanups.push(() => consumer.disconnect());
  return consumer;
}

async function committed(groupId: string, topic: string): Promise<Record<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries(t!.partitions.map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

describe('producer and consumer, as KafkaJS documents them', () => {
  it('produces and consumes messages with keys, object headers, string offsets and timestamps', async () => {
    const topic = await topicWith(3);
    const producer = await connectedProducer();
    const result = await producer.send({
      topic,
      messages: [
        { key: 'key1', value: 'hello world', headers: { 'correlation-id': 'abc', multi: ['a', 'b'] } },
        { key: 'key2', value: Buffer.from('hey hey!'), timestamp: '1700000000000' },
        { key: null, value: null, partition: 2 },
      ],
    });
    expect(result.every((r) => r.topicName === topic && r.errorCode === 0)).toBe(true);
    expect(new Set(result.map((r) => r.partition)).size).toBe(result.length);

    const consumer = newConsumer(`${topic}-g`);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const seen: {
      topic: string;
      partition: number;
      message: import('../../src/kafkajs/index.js').KafkaMessage;
    }[] = [];
    const joined: unknown[] = [];
    consumer.on(consumer.events.GROUP_JOIN, (e) => joined.push(e.payload));
    await consumer.run({ eachMessage: async (payload) => void seen.push(payload) });
    // run() returns once consuming started: the group has assigned the partitions.
    expect(joined).toHaveLength(1);
    await waitFor(() => seen.length === 3, 'three messages');
    const byKey = new Map(seen.map((s) => [s.message.key?.toString() ?? null, s]));
    const first = byKey.get('key1')!;
    expect(first.message.value?.toString()).toBe('hello world');
    expect(first.message.headers['correlation-id']?.toString()).toBe('abc');
    expect((first.message.headers.multi as Buffer[]).map(String)).toEqual(['a', 'b']);
    expect(typeof first.message.offset).toBe('string');
    expect(first.message.timestamp).toMatch(/^\d+$/);
    expect(byKey.get('key2')!.message.timestamp).toBe('1700000000000');
    expect(byKey.get(null)!.partition).toBe(2);
    expect(byKey.get(null)!.message.value).toBeNull();
    // Keys go where the Java client (and KafkaJS 2.x) put them.
    expect(first.partition).toBe(partitionForKey(Buffer.from('key1'), 3));
  });

  it('does not commit a message whose eachMessage threw, and delivers it again', async () => {
    const topic = await topicWith(1);
    const producer = await connectedProducer();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })) });
    const groupId = `${topic}-g`;
    const consumer = newConsumer(groupId, { retry: { initialRetryTime: 50, retries: 5 } });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const handled: string[] = [];
    let failures = 0;
    const commits: string[] = [];
    let commitsBeforeM4 = -1;
    consumer.on(consumer.events.COMMIT_OFFSETS, (e) => {
      commits.push(
        (e.payload as { topics: { partitions: { offset: string }[] }[] }).topics[0]!.partitions[0]!.offset,
      );
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const v = message.value!.toString();
        if (v === 'm4' && failures < 2) {
          failures++;
          throw new Error('downstream unavailable');
        }
        if (v === 'm4') commitsBeforeM4 = commits.length;
        handled.push(v);
      },
    });
    await waitFor(() => handled.length === 10, 'all ten messages handled');
    // m4 failed twice and was delivered again; nothing was skipped or handled twice.
    expect(handled).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    expect(failures).toBe(2);
    // Until m4 was handled, no commit went past it (offset 4 = the next message to read).
    expect(commitsBeforeM4).toBeGreaterThan(0);
    expect(commits.slice(0, commitsBeforeM4).every((o) => Number(o) <= 4)).toBe(true);
    await consumer.stop();
    expect(await committed(groupId, topic)).toEqual({ 0: '10' });
    expect(logs.some((l) => l.log.message === 'Error when calling eachMessage')).toBe(true);
  });

  it('crashes with KafkaJSNumberOfRetriesExceeded when a handler keeps failing, committing only what was handled', async () => {
    const topic = await topicWith(1);
    const producer = await connectedProducer();
    await producer.send({ topic, messages: Array.from({ length: 6 }, (_, i) => ({ value: `m${i}` })) });
    const groupId = `${topic}-g`;
    const consumer = newConsumer(groupId, {
      retry: { initialRetryTime: 20, retries: 2, restartOnFailure: async () => false },
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const crashes: { error: Error; restart: boolean }[] = [];
    consumer.on(consumer.events.CRASH, (e) => crashes.push(e.payload as { error: Error; restart: boolean }));
    let attempts = 0;
    const handled: string[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value!.toString() === 'm3') {
          attempts++;
          throw new Error('poison');
        }
        handled.push(message.value!.toString());
      },
    });
    await waitFor(() => crashes.length === 1, 'the crash event', 30_000);
    expect(crashes[0]!.error).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded);
    expect(crashes[0]!.restart).toBe(false);
    expect(attempts).toBe(3); // the first try and two retries
    expect(await committed(groupId, topic)).toEqual({ 0: '3' });
    // Not restarted: the consumer is no longer running.
    expect(() => consumer.pause([{ topic }])).toThrow(KafkaJSNonRetriableError);
    // Another member of the group starts at the failed message: every message handled once.
    const next = newConsumer(groupId);
    await next.connect();
    await next.subscribe({ topics: [topic], fromBeginning: true });
    await next.run({ eachMessage: async ({ message }) => void handled.push(message.value!.toString()) });
    await waitFor(() => handled.length === 6, 'the rest, by the next member');
    expect(handled).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('restarts after a crash when restartOnFailure says so, and then handles the rest', async () => {
    const topic = await topicWith(1);
    const producer = await connectedProducer();
    await producer.send({ topic, messages: Array.from({ length: 4 }, (_, i) => ({ value: `m${i}` })) });
    const consumer = newConsumer(`${topic}-g`, {
      retry: { initialRetryTime: 20, retries: 1, restartOnFailure: async () => true },
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const crashes: boolean[] = [];
    consumer.on(consumer.events.CRASH, (e) => crashes.push((e.payload as { restart: boolean }).restart));
    const handled: string[] = [];
    let failures = 0;
    await consumer.run({
      eachMessage: async ({ message }) => {
        const v = message.value!.toString();
        if (v === 'm2' && failures++ < 2) throw new Error('flaky');
        handled.push(v);
      },
    });
    await waitFor(() => handled.length === 4, 'every message after the restart', 30_000);
    expect(crashes).toEqual([true]);
    expect(handled).toEqual(['m0', 'm1', 'm2', 'm3']);
  });

  it('stops at once on a TypeError in the handler (KafkaJS does not retry bugs)', async () => {
    const topic = await topicWith(1);
    const producer = await connectedProducer();
    await producer.send({ topic, messages: [{ value: 'x' }] });
    const consumer = newConsumer(`${topic}-g`);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const crashes: { error: Error; restart: boolean }[] = [];
    consumer.on(consumer.events.CRASH, (e) => crashes.push(e.payload as { error: Error; restart: boolean }));
    let calls = 0;
    await consumer.run({
      eachMessage: async () => {
        calls++;
        (undefined as unknown as { f(): void }).f();
      },
    });
    await waitFor(() => crashes.length === 1, 'the crash event');
    expect(crashes[0]!.error).toBeInstanceOf(KafkaJSNonRetriableError);
    expect(crashes[0]!.restart).toBe(false);
    expect(calls).toBe(1);
  });

  it('eachBatch: unresolved messages are delivered again; resolved ones are committed', async () => {
    const topic = await topicWith(1);
    const producer = await connectedProducer();
    await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: `m${i}` })) });
    const groupId = `${topic}-g`;
    const consumer = newConsumer(groupId);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const deliveries: string[] = [];
    let first = true;
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, isRunning, isStale, heartbeat }: EachBatchPayload) => {
        expect(batch.highWatermark).toBe('20');
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          deliveries.push(message.value!.toString());
          // The first time, stop half-way: m10.. stay unresolved.
          if (first && message.offset === '10') {
            first = false;
            break;
          }
          resolveOffset(message.offset);
          await heartbeat();
        }
      },
    });
    await waitFor(() => deliveries.filter((d) => d === 'm19').length === 1, 'the last message');
    expect(deliveries.filter((d) => d === 'm10')).toHaveLength(2);
    expect(new Set(deliveries).size).toBe(20);
    await consumer.stop();
    expect(await committed(groupId, topic)).toEqual({ 0: '20' });
  });

  it('autoCommit false: nothing is committed but what commitOffsets commits', async () => {
    const topic = await topicWith(2);
    const producer = await connectedProducer();
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}`, partition: i % 2 })),
    });
    const groupId = `${topic}-g`;
    const consumer = newConsumer(groupId);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let n = 0;
    await consumer.run({ autoCommit: false, eachMessage: async () => void n++ });
    await waitFor(() => n === 10, 'ten messages');
    await consumer.commitOffsets([{ topic, partition: 0, offset: '3' }]);
    await consumer.stop();
    expect(await committed(groupId, topic)).toEqual({ 0: '3', 1: '-1' });
  });

  it('autoCommitThreshold commits while a batch is being handled', async () => {
    const topic = await topicWith(1);
    const producer = await connectedProducer();
    await producer.send({ topic, messages: Array.from({ length: 50 }, (_, i) => ({ value: `m${i}` })) });
    const consumer = newConsumer(`${topic}-g`);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const commits: string[] = [];
    consumer.on(consumer.events.COMMIT_OFFSETS, (e) => {
      commits.push(
        (e.payload as { topics: { partitions: { offset: string }[] }[] }).topics[0]!.partitions[0]!.offset,
      );
    });
    let n = 0;
    await consumer.run({ autoCommitThreshold: 10, eachMessage: async () => void n++ });
    await waitFor(() => n === 50 && commits.includes('50'), 'fifty messages committed');
    expect(commits.slice(0, 5)).toEqual(['10', '20', '30', '40', '50']);
  });

  it('seek moves a running consumer, even before its partitions are assigned', async () => {
    const topic = await topicWith(1);
    const producer = await connectedProducer();
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `m${i}` })) });
    const consumer = newConsumer(`${topic}-g`);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const seen: string[] = [];
    // As KafkaJS documents: run() need not be awaited before seek().
    void consumer.run({ eachMessage: async ({ message }) => void seen.push(message.offset) });
    consumer.seek({ topic, partition: 0, offset: '3' });
    await waitFor(() => seen.includes('4'), 'the last message');
    expect(seen[0]).toBe('3');
    await waitFor(() => seen.length === 2, 'two messages');
    consumer.seek({ topic, partition: 0, offset: '1' });
    await waitFor(() => seen.length === 6, 'the replay from offset 1');
    expect(seen).toEqual(['3', '4', '1', '2', '3', '4']);
  });

  it('pause stops a topic, resume lets it go on', async () => {
    const topic = await topicWith(2);
    const producer = await connectedProducer();
    const consumer = newConsumer(`${topic}-g`);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const seen: number[] = [];
    await consumer.run({ eachMessage: async ({ partition }) => void seen.push(partition) });
    consumer.pause([{ topic, partitions: [1] }]);
    expect(consumer.paused()).toEqual([{ topic, partitions: [1] }]);
    await producer.send({
      topic,
      messages: [
        { value: 'a', partition: 0 },
        { value: 'b', partition: 1 },
      ],
    });
    await waitFor(() => seen.includes(0), 'partition 0');
    await new Promise((r) => setTimeout(r, 1500));
    expect(seen).toEqual([0]);
    consumer.resume([{ topic, partitions: [1] }]);
    await waitFor(() => seen.includes(1), 'partition 1 after resume');
    consumer.pause([{ topic }]);
    await producer.send({ topic, messages: [{ value: 'c', partition: 0 }] });
    await new Promise((r) => setTimeout(r, 1500));
    expect(seen).toEqual([0, 1]);
    consumer.resume([{ topic }]);
    await waitFor(() => seen.length === 3, 'partition 0 after resume');
  });

  it('partitionsConsumedConcurrently handles partitions at once, each in order', async () => {
    const topic = await topicWith(3);
    const producer = await connectedProducer();
    for (let p = 0; p < 3; p++) {
      await producer.send({
        topic,
        messages: Array.from({ length: 5 }, (_, i) => ({ value: `${i}`, partition: p })),
      });
    }
    const consumer = newConsumer(`${topic}-g`);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let active = 0;
    let maxActive = 0;
    const perPartition: Record<number, number[]> = { 0: [], 1: [], 2: [] };
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachMessage: async ({ partition, message }) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 30));
        perPartition[partition]!.push(Number(message.value!.toString()));
        active--;
      },
    });
    await waitFor(() => Object.values(perPartition).every((l) => l.length === 5), 'fifteen messages');
    expect(maxActive).toBeGreaterThan(1);
    for (const l of Object.values(perPartition)) expect(l).toEqual([0, 1, 2, 3, 4]);
  });

  it('a second member of the group takes over from what the first committed, with no message handled twice', async () => {
    const topic = await topicWith(2);
    const producer = await connectedProducer();
    await producer.send({
      topic,
      messages: Array.from({ length: 40 }, (_, i) => ({ value: `m${i}`, partition: i % 2 })),
    });
    const groupId = `${topic}-g`;
    const handled: string[] = [];
    const one = newConsumer(groupId);
    await one.connect();
    await one.subscribe({ topics: [topic], fromBeginning: true });
    await one.run({
      eachMessage: async ({ message }) => {
        handled.push(message.value!.toString());
        if (handled.length === 15) void one.stop();
      },
    });
    await waitFor(() => handled.length >= 15, 'fifteen messages');
    await one.stop();
    const two = newConsumer(groupId);
    await two.connect();
    await two.subscribe({ topics: [topic], fromBeginning: true });
    await two.run({ eachMessage: async ({ message }) => void handled.push(message.value!.toString()) });
    await waitFor(() => new Set(handled).size === 40, 'all forty messages');
    await new Promise((r) => setTimeout(r, 500));
    expect(handled).toHaveLength(40);
  });

  it('a handler can await consumer.stop() (or disconnect) without waiting for itself', async () => {
    const topic = await topicWith(1);
    const producer = await connectedProducer();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })) });
    const groupId = `${topic}-g`;
    const consumer = newConsumer(groupId);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const handled: string[] = [];
    let stopped = false;
    await consumer.run({
      eachMessage: async ({ message }) => {
        handled.push(message.value!.toString());
        if (handled.length === 4) {
          await consumer.disconnect();
          stopped = true;
        }
      },
    });
    await waitFor(() => stopped, 'the handler to get past its disconnect()');
    await waitFor(async () => (await committed(groupId, topic))[0] === '4', 'the commit of what was handled');
    expect(handled).toEqual(['m0', 'm1', 'm2', 'm3']);
  });

  it('sendBatch writes several topics with compression and per-send acks', async () => {
    const a = await topicWith(1);
    const b = await topicWith(1);
    const producer = await connectedProducer();
    for (const compression of [
      CompressionTypes.GZIP,
      CompressionTypes.LZ4,
      CompressionTypes.ZSTD,
      CompressionTypes.Snappy,
    ]) {
      const md = await producer.sendBatch({
        acks: 1,
        compression,
        topicMessages: [
          { topic: a, messages: [{ value: `a-${compression}` }, { value: 'a2' }] },
          { topic: b, messages: [{ value: `b-${compression}` }] },
        ],
      });
      expect(md.map((m) => m.topicName).sort()).toEqual([a, b].sort());
    }
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    expect((await admin.fetchTopicOffsets(a))[0]).toMatchObject({ partition: 0, high: '8', low: '0' });
    expect((await admin.fetchTopicOffsets(b))[0]!.high).toBe('4');
  });

  it('refuses what it cannot honour, with KafkaJS errors', async () => {
    // ssl and sasl are honoured (test/integration/security/kafkajs.suite.ts); what is not, is refused.
    expect(() => new Kafka({ brokers: brokers().split(','), ssl: { pfx: Buffer.alloc(1) } })).toThrow(
      /ssl.pfx/,
    );
    expect(() => new Kafka({ brokers: brokers().split(','), sasl: { mechanism: 'aws' } })).toThrow(
      KafkaJSNonRetriableError,
    );
    expect(() => new Kafka({ brokers: brokers().split(','), sasl: { mechanism: 'plain' } })).toThrow(
      /sasl.username/,
    );
    expect(() => kafka.consumer({ groupId: 'g', heartbeatInterval: 5000, sessionTimeout: 3000 })).toThrow(
      /heartbeatInterval/,
    );
    expect(() => kafka.producer({ transactionalId: 42 } as never)).toThrow(/Invalid transactionalId/);
    expect(() => kafka.producer({ transactionTimeout: 1000 })).toThrow(/needs a transactionalId/);
    const producer = await connectedProducer({ idempotent: true });
    expect(producer.isIdempotent()).toBe(true);
    await expect(producer.send({ topic: 't', acks: 1, messages: [{ value: 'x' }] })).rejects.toThrow(
      /idempotent/,
    );
    const disconnected = kafka.producer();
    await expect(disconnected.send({ topic: 't', messages: [{ value: 'x' }] })).rejects.toBeInstanceOf(
      KafkaJSError,
    );
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const err = await admin.fetchTopicMetadata({ topics: [uniqueTopic('missing')] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaJSProtocolError);
    expect((err as KafkaJSProtocolError).type).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(() => kafka.consumer({ groupId: '' })).toThrow(KafkaJSNonRetriableError);
    const consumer = newConsumer('never-run');
    expect(() => consumer.seek({ topic: 't', partition: 0, offset: '1' })).toThrow(/consumer#run/);
  });

  it('Partitioners.LegacyPartitioner places keys as KafkaJS 1.x did', async () => {
    const topic = await topicWith(4);
    const producer = await connectedProducer({ createPartitioner: Partitioners.LegacyPartitioner });
    const md = await producer.send({ topic, messages: [{ key: 'customer-42', value: 'x' }] });
    // KafkaJS 2.2.4's LegacyPartitioner: murmur2('customer-42') = -1646709840 → (& 0x7fffffff) % 4.
    expect(md[0]!.partition).toBe((-1646709840 & 0x7fffffff) % 4);
  });
});

describe('admin, as KafkaJS documents it', () => {
  it('creates, describes, lists and deletes topics; reads and moves group offsets', async () => {
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const topic = uniqueTopic('kjs-admin');
    expect(
      await admin.createTopics({
        topics: [{ topic, numPartitions: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
        timeout: 30_000,
      }),
    ).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })).toBe(false);
    expect(await admin.listTopics()).toContain(topic);
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1]);
    expect(topics[0]!.partitions.every((p) => p.leader >= 0)).toBe(true);

    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: topic, configNames: ['cleanup.policy'] }],
    });
    expect(configs.resources[0]!.configEntries).toMatchObject([
      { configName: 'cleanup.policy', configValue: 'compact' },
    ]);

    const producer = await connectedProducer();
    await producer.send({
      topic,
      messages: Array.from({ length: 6 }, (_, i) => ({ value: `v${i}`, key: `k${i}` })),
    });
    const groupId = `${topic}-g`;
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets[0]!.partitions.find((p) => p.partition === 0)?.offset).toBe('1');
    expect(offsets[0]!.partitions.find((p) => p.partition === 1)?.offset).toBe('-1');
    await admin.resetOffsets({ groupId, topic, earliest: true });
    const reset = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(reset[0]!.partitions.every((p) => p.offset === '0')).toBe(true);
    const high = await admin.fetchTopicOffsets(topic);
    expect(high.reduce((n, p) => n + Number(p.high), 0)).toBe(6);

    const consumer = newConsumer(groupId);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({ eachMessage: async () => {} });
    const { groups } = await admin.describeGroups([groupId]);
    expect(groups[0]).toMatchObject({ groupId, protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
    expect(groups[0]!.members).toHaveLength(1);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain(groupId);
    await consumer.disconnect();

    await admin.deleteTopics({ topics: [topic] });
    await waitFor(async () => !(await admin.listTopics()).includes(topic), 'the topic to go');
  });
});

describe('kafkawire/kafkajs transactions (kafka.js.org: Transactions)', () => {
  it('commits and aborts transactions, with sendOffsets committed only with the transaction', async () => {
    const topic = await topicWith(2, 'kjs-txn');
    const transactionalId = uniqueTopic('kjs-txn-id');
    const producer = await connectedProducer({ transactionalId, maxInFlightRequests: 1, idempotent: true });

    // Outside a transaction a transactional producer does not send.
    await expect(producer.send({ topic, messages: [{ value: 'outside' }] })).rejects.toBeInstanceOf(
      KafkaJSNonRetriableError,
    );

    const groupId = `${topic}-pipeline`;
    const committed = await producer.transaction();
    await expect(producer.transaction()).rejects.toThrow(/already an ongoing transaction/);
    // The first send asks for gzip: the producer is remade with it before anything went out.
    await committed.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: [{ value: 'c1' }, { value: 'c2', partition: 1 }],
    });
    await committed.sendBatch({
      compression: CompressionTypes.GZIP,
      topicMessages: [{ topic, messages: [{ value: 'c3', partition: 0 }] }],
    });
    await committed.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic, partitions: [{ partition: 0, offset: '7' }] }],
    });
    await committed.commit();
    expect(committed.isActive()).toBe(false);
    await expect(committed.send({ topic, messages: [{ value: 'late' }] })).rejects.toThrow(/not active/);

    const aborted = await producer.transaction();
    await aborted.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: [{ value: 'a1' }, { value: 'a2' }],
    });
    await aborted.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic, partitions: [{ partition: 0, offset: '99' }] }],
    });
    await aborted.abort();

    const after = await producer.transaction();
    await after.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: [{ value: 'c4', partition: 1 }],
    });
    // One codec per transactional producer once it has sent.
    await expect(
      after.send({ topic, compression: CompressionTypes.LZ4, messages: [{ value: 'x' }] }),
    ).rejects.toThrow(/one codec/);
    await after.commit();

    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets[0]!.partitions.find((p) => p.partition === 0)?.offset).toBe('7');

    // A KafkaJS consumer reads committed records only (readUncommitted false, KafkaJS's default).
    const seen: string[] = [];
    const consumer = newConsumer(`${topic}-reader`);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(String(message.value));
      },
    });
    await waitFor(async () => seen.length >= 4, 'the committed records');
    await new Promise((r) => setTimeout(r, 500)); // nothing aborted arrives after them
    expect([...seen].sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
  }, 90_000);
});
