/**
 * run()'s worker pool (worker-pool.ts) against the real broker, every record counted:
 * - ordering 'key' with concurrency 100: handlers of many keys at once (the most seen running
 *   together is counted), every record once, each key's records in offset order;
 * - commits cover only the contiguous prefix of finished records (one record held back keeps the
 *   committed offset at it while hundreds after it finish);
 * - onFailure: a dead-letter topic gets exactly the failing records with their origin in headers
 *   and the rest is handled; 'stop' rejects with a HandlerError and commits nothing from the
 *   failed record on, which the next run handles again;
 * - a rebalance revoking partitions waits for their running handlers before it commits;
 * - kill -9 of a pool consumer process mid-run: every record it committed had been handled, and
 *   a restarted one handles the rest (each record at least once).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Admin, Consumer, type ConsumerConfig, HandlerError, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic, waitFor } from '../helpers/topics.js';

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

const open: Consumer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => {})));
});

function consumer(config: Partial<ConsumerConfig> = {}): Consumer {
  const c = new Consumer({
    bootstrapServers: brokers(),
    autoOffsetReset: 'earliest',
    fetchMaxWaitMs: 100,
    ...config,
  });
  open.push(c);
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A topic of `partitions` holding `count` records keyed `k0`..`k{keys-1}`, values `v0`..; returns the topic. */
async function fill(name: string, partitions: number, count: number, keys: number): Promise<string> {
  const topic = uniqueTopic(name);
  await createTopic(cluster, topic, partitions);
  const producer = new Producer({ bootstrapServers: brokers(), lingerMs: 5 });
  await producer.send(
    Array.from({ length: count }, (_, i) => ({ topic, key: `k${i % keys}`, value: `v${i}` })),
  );
  await producer.close();
  return topic;
}

/** The group's committed offset per partition. */
async function committed(group: string): Promise<Map<number, bigint>> {
  const out = new Map<number, bigint>();
  for (const o of await admin.groupOffsets(group)) out.set(o.partition, o.offset);
  return out;
}

describe('run() with a worker pool', () => {
  it("handles many keys at once with ordering 'key', each key in order, every record once", async () => {
    const topic = await fill('pool-keys', 2, 2000, 200);
    const c = consumer({ groupId: uniqueTopic('pool-keys-g') });
    c.subscribe([topic]);
    const seen = new Map<string, bigint[]>();
    const values = new Set<string>();
    let running = 0;
    let most = 0;
    const ac = new AbortController();
    await c.run({
      concurrency: 100,
      ordering: 'key',
      signal: ac.signal,
      eachMessage: async ({ partition, message }) => {
        running++;
        most = Math.max(most, running);
        await sleep(10);
        running--;
        const k = `${partition}/${message.key?.toString()}`;
        seen.set(k, [...(seen.get(k) ?? []), message.offset]);
        values.add(String(message.value));
        if (values.size === 2000) ac.abort();
      },
    });
    expect(values.size).toBe(2000);
    expect([...seen.values()].reduce((n, l) => n + l.length, 0)).toBe(2000); // none twice
    for (const offsets of seen.values())
      expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : 1)));
    // 200 keys over 2 partitions: far more than one handler per partition ran at once.
    expect(most).toBeGreaterThanOrEqual(50);
  }, 60_000);

  it('commits only the contiguous prefix of finished records', async () => {
    const topic = await fill('pool-prefix', 1, 500, 500);
    const group = uniqueTopic('pool-prefix-g');
    const c = consumer({ groupId: group, autoCommitIntervalMs: 100 });
    c.subscribe([topic]);
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let done = 0;
    const ac = new AbortController();
    const run = c.run({
      concurrency: 20,
      ordering: 'none',
      signal: ac.signal,
      eachMessage: async ({ message }) => {
        if (message.offset === 100n) await held;
        done++;
        if (done === 500) ac.abort();
      },
    });
    await waitFor(() => done >= 499, 'every record but offset 100 handled');
    // The auto-commits go in (from the pool's polls) and stop at the record held back.
    await waitFor(async () => (await committed(group)).get(0) !== undefined, 'a commit', 10_000);
    await sleep(1500);
    expect((await committed(group)).get(0)).toBe(100n);
    release();
    await run;
    await c.commit();
    expect((await committed(group)).get(0)).toBe(500n);
  }, 60_000);

  it('sends exactly the failing records to the dead-letter topic, with their origin, and handles the rest', async () => {
    const topic = await fill('pool-dlq', 2, 3000, 300);
    const dlq = uniqueTopic('pool-dlq-out');
    await createTopic(cluster, dlq, 1);
    const producer = new Producer({ bootstrapServers: brokers(), lingerMs: 2 });
    const c = consumer({ groupId: uniqueTopic('pool-dlq-g') });
    c.subscribe([topic]);
    const handled = new Set<string>();
    const failing = new Set<string>();
    let calls = 0;
    const ac = new AbortController();
    await c.run({
      concurrency: 50,
      ordering: 'key',
      retries: 2,
      retryBackoffMs: 5,
      onFailure: { deadLetter: { topic: dlq, producer } },
      signal: ac.signal,
      eachMessage: async ({ message }) => {
        calls++;
        const v = String(message.value);
        // One record in 1,000 fails every time.
        if (Number(v.slice(1)) % 1000 === 7) {
          failing.add(v);
          throw new Error(`cannot handle ${v}`);
        }
        handled.add(v);
        if (handled.size + failing.size === 3000) ac.abort();
      },
    });
    await producer.close();
    expect(failing).toEqual(new Set(['v7', 'v1007', 'v2007']));
    expect(handled.size).toBe(2997);
    expect(calls).toBe(2997 + 3 * 3); // each failing record tried 3 times
    const reader = consumer();
    reader.assign([{ topic: dlq, partition: 0 }]);
    const dead: { value: string; headers: Record<string, string> }[] = [];
    await waitFor(async () => {
      for (const b of await reader.poll({ timeoutMs: 200 }))
        for (const r of b.records)
          dead.push({
            value: String(r.value),
            headers: Object.fromEntries(r.headers.map((h) => [h.key, String(h.value)])),
          });
      return dead.length >= 3;
    }, 'the dead letters');
    expect(dead.map((d) => d.value).sort()).toEqual(['v1007', 'v2007', 'v7']);
    for (const d of dead) {
      expect(d.headers['kafkawire.dlq.topic']).toBe(topic);
      expect(d.headers['kafkawire.dlq.error']).toBe(`cannot handle ${d.value}`);
      expect(Number(d.headers['kafkawire.dlq.partition'])).toBeGreaterThanOrEqual(0);
      expect(BigInt(d.headers['kafkawire.dlq.offset'])).toBeGreaterThanOrEqual(0n);
    }
  }, 60_000);

  it("stops at a failed record with 'stop': nothing from it on committed, the next run handles it", async () => {
    const topic = await fill('pool-stop', 1, 300, 300);
    const group = uniqueTopic('pool-stop-g');
    const first = consumer({ groupId: group, enableAutoCommit: false });
    first.subscribe([topic]);
    const err = await first
      .run({
        concurrency: 10,
        ordering: 'none',
        eachMessage: async ({ message }) => {
          if (message.offset === 150n) throw new Error('boom');
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandlerError);
    expect(err).toMatchObject({ topic, partition: 0, offset: 150n });
    await first.commit();
    await first.close();
    expect((await committed(group)).get(0) ?? -1n).toBeLessThanOrEqual(150n);
    const second = consumer({ groupId: group });
    second.subscribe([topic]);
    const again: bigint[] = [];
    const ac = new AbortController();
    await second.run({
      concurrency: 10,
      signal: ac.signal,
      eachMessage: async ({ message }) => {
        again.push(message.offset);
        if (message.offset === 299n) ac.abort();
      },
    });
    expect(again).toContain(150n);
  }, 60_000);

  it('lets the running handlers of revoked partitions finish before the rebalance commits them', async () => {
    const topic = await fill('pool-revoke', 4, 2000, 2000);
    const group = uniqueTopic('pool-revoke-g');
    const a = consumer({ groupId: group, autoCommitIntervalMs: 100 });
    const running = new Map<number, number>();
    const violations: string[] = [];
    /** Records handled when each revocation reached the listener (after its commit). */
    const revokedAt: number[] = [];
    a.subscribe([topic], {
      onPartitionsRevoked: (tps) => {
        if (tps.length > 0) revokedAt.push(handled);
        for (const tp of tps)
          if ((running.get(tp.partition) ?? 0) > 0)
            violations.push(`partition ${tp.partition} still running`);
      },
    });
    const ac = new AbortController();
    let handled = 0;
    const runA = a.run({
      concurrency: 20,
      ordering: 'none',
      signal: ac.signal,
      eachMessage: async ({ partition }) => {
        running.set(partition, (running.get(partition) ?? 0) + 1);
        await sleep(50);
        running.set(partition, (running.get(partition) ?? 0) - 1);
        handled++;
      },
    });
    await waitFor(() => handled > 20, 'a few records handled');
    const b = consumer({ groupId: group });
    b.subscribe([topic]);
    const pollB = (async () => {
      while (!ac.signal.aborted) await b.poll({ timeoutMs: 200 }).catch(() => []);
    })();
    await waitFor(() => b.assignment().length > 0, 'the second member to get partitions');
    ac.abort();
    await runA;
    await pollB;
    // The revocation came mid-run (2,000 records of 50 ms over 20 handlers take 5 s), with
    // handlers running; none of the revoked partitions' was still running when it committed.
    expect(revokedAt.length).toBeGreaterThan(0);
    expect(revokedAt[0]).toBeLessThan(1500);
    expect(violations).toEqual([]);
  }, 60_000);
});

const WORKER = fileURLToPath(new URL('../helpers/pool-worker.ts', import.meta.url));

/** A pool consumer process (test/helpers/pool-worker.ts), appending what it handled to `file`. */
function worker(topic: string, group: string, file: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, PW_BROKERS: brokers(), PW_TOPIC: topic, PW_GROUP: group, PW_FILE: file },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** The `partition offset` lines a worker wrote (whole lines only). */
function handledIn(file: string): Set<string> {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return new Set();
  }
  return new Set(text.split('\n').slice(0, -1));
}

describe('a worker-pool process killed with SIGKILL', () => {
  it('committed only what it handled; a new process handles the rest', async () => {
    const topic = await fill('pool-kill', 3, 3000, 300);
    const group = uniqueTopic('pool-kill-g');
    const dir = mkdtempSync(join(tmpdir(), 'kafkawire-pool-'));
    const firstFile = join(dir, 'first');
    const secondFile = join(dir, 'second');
    const first = worker(topic, group, firstFile);
    await waitFor(() => handledIn(firstFile).size >= 800, 'the first process to handle 800 records', 60_000);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    await sleep(500); // a commit the broker had read before the kill lands first
    const before = handledIn(firstFile);
    // Every offset below what the group committed was handled by the killed process.
    const offsets = await committed(group);
    let covered = 0;
    for (const [partition, end] of offsets) {
      for (let o = 0n; o < end; o++) expect(before.has(`${partition} ${o}`), `${partition} ${o}`).toBe(true);
      covered += Number(end);
    }
    expect(covered).toBeGreaterThan(0);
    const second = worker(topic, group, secondFile);
    try {
      await waitFor(
        () => new Set([...before, ...handledIn(secondFile)]).size === 3000,
        'every record handled by one process or the other',
        90_000,
      );
    } finally {
      second.kill('SIGKILL');
    }
    // The second started where the first had committed: nothing committed was handled again.
    const after = handledIn(secondFile);
    for (const [partition, end] of offsets)
      for (let o = 0n; o < end; o++) expect(after.has(`${partition} ${o}`)).toBe(false);
  }, 180_000);
});
