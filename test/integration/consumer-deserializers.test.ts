/**
 * Consumer deserializers against the real broker: the built-in string and JSON ones, a custom
 * one seeing topic and headers, the types they give (checked by the compiler here), and a record
 * a deserializer refuses: the records before it are handed out, then every poll fails with a
 * DeserializationError naming topic, partition, offset and part, the position stays on it, a
 * commit does not pass it, and a seek past it goes on. Wrong options fail at construction.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  Consumer,
  type ConsumerConfig,
  DeserializationError,
  type Deserializer,
  jsonDeserializer,
  Producer,
  stringDeserializer,
} from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(async () => {
  await cluster.close();
});

const open: Consumer<unknown, unknown>[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => {})));
});

function consumer<K, V>(config: Partial<ConsumerConfig<K, V>>): Consumer<K, V> {
  const c = new Consumer<K, V>({
    bootstrapServers: brokers(),
    autoOffsetReset: 'earliest',
    fetchMaxWaitMs: 100,
    ...config,
  });
  open.push(c as Consumer<unknown, unknown>);
  return c;
}

/** A one-partition topic holding these key/value pairs, in order (offset = index). */
async function topicWith(
  records: { key: string | null; value: string | null; headers?: Record<string, string> }[],
) {
  const topic = uniqueTopic('deser');
  await createTopic(cluster, topic, 1);
  const producer = new Producer({ bootstrapServers: brokers(), lingerMs: 0 });
  await producer.send(
    records.map((r) => ({
      topic,
      partition: 0,
      key: r.key,
      value: r.value,
      headers: r.headers ? Object.entries(r.headers).map(([key, value]) => ({ key, value })) : undefined,
    })),
  );
  await producer.close();
  return topic;
}

/** Polls until `n` records came or a poll throws (the error is returned, not thrown). */
async function pollUntil<K, V>(
  c: Consumer<K, V>,
  n: number,
): Promise<{ records: { offset: bigint; key: K; value: V }[]; error: unknown }> {
  const records: { offset: bigint; key: K; value: V }[] = [];
  const until = Date.now() + 15_000;
  while (records.length < n && Date.now() < until) {
    try {
      for (const b of await c.poll({ timeoutMs: 300 })) records.push(...b.records);
    } catch (error) {
      return { records, error };
    }
  }
  return { records, error: null };
}

describe('consumer deserializers', () => {
  it('string keys and JSON values, typed, with null kept as null', async () => {
    const topic = await topicWith([
      { key: 'a', value: JSON.stringify({ n: 1 }) },
      { key: null, value: JSON.stringify([1, 2]) },
      { key: 'c', value: null },
    ]);
    const c = consumer({ keyDeserializer: stringDeserializer, valueDeserializer: jsonDeserializer });
    c.assign([{ topic, partition: 0 }]);
    const { records, error } = await pollUntil(c, 3);
    expect(error).toBeNull();
    const keys: (string | null)[] = records.map((r) => r.key); // string | null, as the compiler sees it
    expect(keys).toEqual(['a', null, 'c']);
    expect(records.map((r) => r.value)).toEqual([{ n: 1 }, [1, 2], null]);
  });

  it('a custom deserializer gets the topic and the headers; run() hands out its results', async () => {
    const topic = await topicWith([
      { key: 'k1', value: '10', headers: { unit: 'cents' } },
      { key: 'k2', value: '20', headers: { unit: 'euros' } },
    ]);
    const seen: string[] = [];
    const amount: Deserializer<number> = (data, t, headers) => {
      seen.push(t);
      const unit = headers.find((h) => h.key === 'unit')?.value?.toString();
      return Number(data?.toString()) * (unit === 'euros' ? 100 : 1);
    };
    const c = consumer({ valueDeserializer: amount, groupId: `deser-${topic}` });
    c.assign([{ topic, partition: 0 }]);
    const values: number[] = [];
    const ac = new AbortController();
    await c.run({
      signal: ac.signal,
      eachMessage: ({ message }) => {
        const v: number = message.value;
        values.push(v);
        if (values.length === 2) ac.abort();
      },
    });
    expect(values).toEqual([10, 2000]);
    expect(seen).toEqual([topic, topic]);
  });

  it('a record the deserializer refuses: the ones before it come, then each poll fails naming it, and a seek past it goes on', async () => {
    const topic = await topicWith([
      { key: null, value: '{"i":0}' },
      { key: null, value: '{"i":1}' },
      { key: null, value: '{"i":2}' },
      { key: null, value: 'not json' },
      { key: null, value: '{"i":4}' },
      { key: null, value: '{"i":5}' },
    ]);
    const groupId = `deser-${topic}`;
    const tp = { topic, partition: 0 };
    const c = consumer({ valueDeserializer: jsonDeserializer, groupId, enableAutoCommit: false });
    c.assign([tp]);
    const first = await pollUntil(c, 6);
    expect(first.records.map((r) => r.value)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    const err = first.error as DeserializationError;
    expect(err).toBeInstanceOf(DeserializationError);
    expect({ topic: err.topic, partition: err.partition, offset: err.offset, part: err.part }).toEqual({
      topic,
      partition: 0,
      offset: 3n,
      part: 'value',
    });
    expect(err.cause).toBeInstanceOf(SyntaxError);
    expect(c.position(tp)).toBe(3n); // the position stays on the record
    // Every poll reports it again (fetched again from 3) until the application seeks past it.
    const again = await pollUntil(c, 1);
    expect(again.records).toEqual([]);
    expect((again.error as DeserializationError).offset).toBe(3n);
    await c.commit();
    expect((await c.committed([tp]))[0].offset).toBe(3n); // nothing from the refused record on
    c.seek(tp, 4n);
    const rest = await pollUntil(c, 2);
    expect(rest.error).toBeNull();
    expect(rest.records.map((r) => r.value)).toEqual([{ i: 4 }, { i: 5 }]);
  });

  it('a refused key is named as the key; run() rejects with the error and its handler never sees the record', async () => {
    const topic = await topicWith([
      { key: 'ok', value: 'a' },
      { key: 'bad', value: 'b' },
    ]);
    const strict: Deserializer<string> = (data) => {
      const s = data?.toString() ?? '';
      if (s === 'bad') throw new Error('refused');
      return s;
    };
    const c = consumer({ keyDeserializer: strict, groupId: `deser-${topic}` });
    c.assign([{ topic, partition: 0 }]);
    const handled: string[] = [];
    const run = c.run({ eachMessage: ({ message }) => void handled.push(message.key) });
    const err = (await run.catch((e: unknown) => e)) as DeserializationError;
    expect(err).toBeInstanceOf(DeserializationError);
    expect(err.part).toBe('key');
    expect(err.offset).toBe(1n);
    expect(handled).toEqual(['ok']);
  });

  it('refuses a deserializer that is not a function, naming the option', () => {
    expect(
      () =>
        new Consumer({
          bootstrapServers: brokers(),
          valueDeserializer: 'json' as unknown as Deserializer<unknown>,
        }),
    ).toThrow(ConfigError);
    expect(
      () =>
        new Consumer({
          bootstrapServers: brokers(),
          keyDeserializer: 42 as unknown as Deserializer<unknown>,
        }),
    ).toThrow(/keyDeserializer/);
  });
});
