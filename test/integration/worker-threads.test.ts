/**
 * `run({ threads })` (thread-pool.ts) against the real broker: the worker pool's handlers run in
 * worker threads (test/helpers/thread-handler.ts, CPU-bound), with the pool's rules, every record
 * counted from what the threads themselves logged:
 * - 2 threads, concurrency 8, ordering 'key': every record handled once, by both threads, two
 *   handlers running at the same moment, each key's records one at a time in offset order, and
 *   the group's committed offsets at the end of every partition;
 * - a handler that throws: the record goes to the dead-letter topic with the thread's error
 *   message, the rest are handled; a thread that dies (process.exit) under a record: a new thread
 *   takes its place, the record is retried and handled, nothing is lost;
 * - a module that cannot be loaded, or threads beside eachMessage: a ConfigError naming the option.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, ConfigError, Consumer, DEAD_LETTER_HEADERS, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic, waitFor } from '../helpers/topics.js';

const HANDLER = fileURLToPath(new URL('../helpers/thread-handler.ts', import.meta.url));

let cluster: Cluster;
let admin: Admin;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
  admin = new Admin({ bootstrapServers: brokers() });
});
afterAll(async () => {
  await admin.close();
  await cluster.close();
});

interface Handled {
  thread: number;
  partition: number;
  offset: bigint;
  key: string;
  start: number;
  end: number;
}

function handled(log: string): Handled[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [thread, partition, offset, key, start, end] = l.split(' ');
      return {
        thread: Number(thread),
        partition: Number(partition),
        offset: BigInt(offset),
        key,
        start: Number(start),
        end: Number(end),
      };
    });
}

async function fill(topic: string, partitions: number, values: string[], keys: number): Promise<void> {
  await createTopic(cluster, topic, partitions);
  const producer = new Producer({ bootstrapServers: brokers(), lingerMs: 5 });
  await producer.send(values.map((value, i) => ({ topic, key: `k${i % keys}`, value })));
  await producer.close();
}

function scratchLog(): string {
  return join(mkdtempSync(join(tmpdir(), 'kafkawire-threads-')), 'handled.log');
}

describe('run() with worker threads', () => {
  it("handles every record once in 2 threads, each key in order with ordering 'key', and commits to the end", async () => {
    const topic = uniqueTopic('threads');
    const total = 600;
    await fill(
      topic,
      3,
      Array.from({ length: total }, (_, i) => `v${i}`),
      30,
    );
    const log = scratchLog();
    process.env.TH_LOG = log;
    process.env.TH_SPIN_MS = '2';
    const groupId = uniqueTopic('threads-g');
    const c = new Consumer({
      bootstrapServers: brokers(),
      groupId,
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 100,
    });
    try {
      c.subscribe([topic]);
      const stop = new AbortController();
      const running = c.run({
        threads: { module: HANDLER, count: 2 },
        concurrency: 8,
        ordering: 'key',
        signal: stop.signal,
      });
      await waitFor(() => handled(log).length >= total, 'every record handled', 60_000);
      stop.abort();
      await running;
      await c.commit();
      const all = handled(log);
      const ids = all.map((h) => `${h.partition}:${h.offset}`);
      expect(new Set(ids).size).toBe(total);
      expect(all.length).toBe(total); // once each
      expect(new Set(all.map((h) => h.thread)).size).toBe(2); // both threads worked
      // Two handlers at the same moment somewhere (the threads ran side by side).
      const sorted = [...all].sort((a, b) => a.start - b.start);
      let overlapping = 0;
      for (let i = 1; i < sorted.length; i++) if (sorted[i].start < sorted[i - 1].end) overlapping++;
      expect(overlapping).toBeGreaterThan(0);
      // Each key: one at a time, in offset order.
      const byKey = new Map<string, Handled[]>();
      for (const h of sorted)
        byKey.set(`${h.partition}/${h.key}`, [...(byKey.get(`${h.partition}/${h.key}`) ?? []), h]);
      let disorder = 0;
      for (const list of byKey.values())
        for (let i = 1; i < list.length; i++)
          if (list[i].offset <= list[i - 1].offset || list[i].start < list[i - 1].end) disorder++;
      expect(disorder).toBe(0);
      const ends = new Map<number, bigint>();
      for (const h of all)
        ends.set(
          h.partition,
          h.offset + 1n > (ends.get(h.partition) ?? 0n) ? h.offset + 1n : (ends.get(h.partition) as bigint),
        );
      const offsets = await admin.groupOffsets(groupId);
      for (const o of offsets) expect(o.offset).toBe(ends.get(o.partition));
      expect(offsets.length).toBe(3);
    } finally {
      await c.close();
    }
  }, 120_000);

  it('sends a failing record to the dead-letter topic with its error, and retries a record whose thread died', async () => {
    const topic = uniqueTopic('threads-fail');
    const values = Array.from({ length: 200 }, (_, i) => (i === 50 ? 'fail' : i === 120 ? 'crash' : `v${i}`));
    await fill(topic, 1, values, 10);
    const dlq = uniqueTopic('threads-dlq');
    await createTopic(cluster, dlq, 1);
    const log = scratchLog();
    process.env.TH_LOG = log;
    process.env.TH_SPIN_MS = '0';
    const producer = new Producer({ bootstrapServers: brokers() });
    const c = new Consumer({
      bootstrapServers: brokers(),
      groupId: uniqueTopic('threads-fail-g'),
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 100,
    });
    try {
      c.subscribe([topic]);
      const stop = new AbortController();
      const running = c.run({
        threads: { module: HANDLER, count: 2 },
        concurrency: 4,
        retries: 1,
        retryBackoffMs: 10,
        onFailure: { deadLetter: { topic: dlq, producer } },
        signal: stop.signal,
      });
      await waitFor(
        () => new Set(handled(log).map((h) => h.offset)).size >= 199,
        'every record but the failing one handled',
        60_000,
      );
      stop.abort();
      await running;
      const all = handled(log);
      expect(new Set(all.map((h) => h.offset)).size).toBe(199);
      // At least once: a record that finished in the dying thread but whose answer did not leave it
      // before the exit is handled again (at most the handlers that thread was running).
      expect(all.length).toBeLessThanOrEqual(199 + 4);
      expect(all.some((h) => h.offset === 50n)).toBe(false);
      const crashed = all.find((h) => h.offset === 120n);
      expect(crashed).toBeDefined(); // handled on its retry
      // The thread that died was not the one that handled it on the retry.
      expect(crashed?.thread).not.toBe(Number(readFileSync(`${log}.crashed`, 'utf8')));
      const reader = new Consumer({
        bootstrapServers: brokers(),
        autoOffsetReset: 'earliest',
        fetchMaxWaitMs: 100,
      });
      try {
        reader.assign([{ topic: dlq, partition: 0 }]);
        const dead: { value: string; headers: Map<string, string> }[] = [];
        const until = Date.now() + 20_000;
        while (dead.length < 1 && Date.now() < until)
          for (const b of await reader.poll({ timeoutMs: 500 }))
            for (const r of b.records)
              dead.push({
                value: String(r.value),
                headers: new Map(r.headers.map((h) => [h.key, String(h.value)])),
              });
        expect(dead.map((d) => d.value)).toEqual(['fail']);
        expect(dead[0].headers.get(DEAD_LETTER_HEADERS.offset)).toBe('50');
        expect(dead[0].headers.get(DEAD_LETTER_HEADERS.error)).toBe('bad record');
      } finally {
        await reader.close();
      }
    } finally {
      await c.close();
      await producer.close();
    }
  }, 120_000);

  it('refuses a module it cannot load, and threads beside eachMessage, with a ConfigError naming the option', async () => {
    const topic = uniqueTopic('threads-bad');
    await fill(topic, 1, ['v0'], 1);
    const c = new Consumer({ bootstrapServers: brokers(), groupId: uniqueTopic('threads-bad-g') });
    try {
      c.subscribe([topic]);
      const started = Date.now();
      const err = await c.run({ threads: { module: '/nonexistent/handler.js' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toContain('threads.module');
      expect(Date.now() - started).toBeLessThan(10_000);
      const both = await c
        .run({ threads: { module: HANDLER }, eachMessage: async () => {} })
        .catch((e: unknown) => e);
      expect(both).toBeInstanceOf(ConfigError);
      expect((both as ConfigError).message).toContain('threads');
    } finally {
      await c.close();
    }
  }, 60_000);
});
