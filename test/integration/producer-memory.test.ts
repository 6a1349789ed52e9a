/**
 * What bounds the producer's memory when the application sends faster than the broker takes:
 * batches are bounded by bufferMemory, the sends waiting for it by bufferMemory too (estimated
 * bytes; past it a send is refused at once with BufferFullError), and a caller that waits for
 * `drained()` whenever `needsDrain` is set never sees that error. Memory is the RSS of a child
 * process (test/helpers/producer-flood.ts) whose loop never awaits, against a broker throttled
 * by a produce quota.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/network/cluster.js';
import { Producer } from '../../src/producer/producer.js';
import { BufferFullError } from '../../src/protocol/errors.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { kafkaLibs } from '../harness/launcher.js';
import { createTopic } from '../helpers/topics.js';
import { latestOffsets } from '../helpers/transactions.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FLOOD = fileURLToPath(new URL('../helpers/producer-flood.ts', import.meta.url));
const MiB = 1024 * 1024;

/** Sets (or, with null, removes) a produce quota for one client id, with Kafka's own tool. */
async function produceQuota(clientId: string, bytesPerSecond: number | null): Promise<void> {
  const libs = await kafkaLibs();
  const change =
    bytesPerSecond === null
      ? ['--delete-config', 'producer_byte_rate']
      : ['--add-config', `producer_byte_rate=${bytesPerSecond}`];
  await run(
    'java',
    [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      '-cp',
      `${libs}/*`,
      'kafka.admin.ConfigCommand',
      '--bootstrap-server',
      brokers(),
      '--alter',
      ...change,
      '--entity-type',
      'clients',
      '--entity-name',
      clientId,
    ],
    { timeout: 60_000 },
  );
}

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

describe('producer memory under a flood', () => {
  // The stated bounds (RSS growth of the child): the producer's budgets — batches, and the sends
  // waiting for space, each bufferMemory — plus an overhead: for 200 B records the application's
  // flood itself (a million promises and their BufferFullErrors, a 105 MiB heap at its peak) and
  // the V8 heap around it, measured 234 MiB here; for 100 KiB records the waiting sends are few,
  // and growth is within bufferMemory + 64 MiB (measured 35 MiB).
  const FLOODS = [
    { valueBytes: 200, records: 1_200_000, perTurn: 20_000, budgets: 2, overheadMiB: 320 },
    { valueBytes: 100 * 1024, records: 6_000, perTurn: 100, budgets: 1, overheadMiB: 64 },
  ];
  for (const { valueBytes, records, perTurn, budgets, overheadMiB } of FLOODS)
    it(`settles ${records} sends of ${valueBytes} B of a loop that never awaits, against a throttled broker, in a 128 MiB heap and RSS within ${budgets} x bufferMemory + ${overheadMiB} MiB`, async () => {
      const topic = uniqueTopic('flood');
      await createTopic(cluster, topic, 3);
      const clientId = uniqueTopic('flood-client');
      await produceQuota(clientId, 2 * MiB);
      try {
        const bufferMemory = 16 * MiB;
        const args = { brokers: brokers(), topic, clientId, records, perTurn, valueBytes, bufferMemory };
        const { stdout } = await run(
          process.execPath,
          // The heap limit makes V8 collect the flood's garbage early: what stays is what is held.
          ['--expose-gc', '--max-old-space-size=128', '--import', 'tsx', FLOOD, JSON.stringify(args)],
          {
            cwd: REPO,
            timeout: 150_000,
          },
        );
        const r = JSON.parse(stdout.trim().split('\n').at(-1) as string) as {
          baselineRss: number;
          peakRss: number;
          ok: number;
          bufferFull: number;
          other: number;
          sawNeedsDrain: boolean;
          maxStallMs: number;
        };
        const detail = JSON.stringify(r);
        expect(r.ok + r.bufferFull, detail).toBe(records); // every send settled, none otherwise
        expect(r.other, detail).toBe(0);
        expect(r.bufferFull, detail).toBeGreaterThan(0); // the flood did outrun the throttled broker
        expect(r.sawNeedsDrain, detail).toBe(true);
        // Before the budget every send waited: about 1.2 KB each, far past the heap limit (it died).
        expect(r.peakRss - r.baselineRss, detail).toBeLessThan(budgets * bufferMemory + overheadMiB * MiB);
        console.log(
          `flood of ${valueBytes} B records: RSS +${((r.peakRss - r.baselineRss) / MiB).toFixed(0)} MiB`,
        );
        expect(r.maxStallMs, detail).toBeLessThan(1_000);
        const ends = await latestOffsets(cluster, topic, 3, 0);
        expect(
          ends.reduce((a, b) => a + b, 0n),
          detail,
        ).toBe(BigInt(r.ok + 1)); // + the warm-up
      } finally {
        await produceQuota(clientId, null);
      }
    }, 240_000);

  it('refuses nothing when the caller waits for drained() whenever needsDrain is set', async () => {
    const topic = uniqueTopic('backpressure');
    await createTopic(cluster, topic, 2);
    const producer = new Producer({ bootstrapServers: brokers(), bufferMemory: 256 * 1024, lingerMs: 2 });
    let drains = 0;
    producer.on('drain', () => drains++);
    try {
      await producer.connect();
      const value = Buffer.alloc(500, 3);
      const sends: Promise<unknown>[] = [];
      const total = 20_000;
      for (let i = 0; i < total; i++) {
        sends.push(producer.send({ topic, value }));
        if (producer.needsDrain) await producer.drained();
      }
      const outcomes = await Promise.allSettled(sends);
      const refused = outcomes.filter((o) => o.status === 'rejected');
      expect(refused).toEqual([]);
      expect(drains).toBeGreaterThan(0); // the buffer did fill
      const ends = await latestOffsets(cluster, topic, 2, 0);
      expect(ends.reduce((a, b) => a + b, 0n)).toBe(BigInt(total));
    } finally {
      await producer.close();
    }
  }, 120_000);

  it('refuses at once, with BufferFullError, a send past the waiting budget, and emits drain once space is free', async () => {
    const topic = uniqueTopic('budget');
    await createTopic(cluster, topic, 1);
    const bufferMemory = 64 * 1024;
    const producer = new Producer({ bootstrapServers: brokers(), bufferMemory, batchSize: 16 * 1024 });
    try {
      await producer.connect();
      const value = Buffer.alloc(4_000, 5);
      const sends: Promise<unknown>[] = [];
      let firstRefusal: unknown;
      const started = performance.now();
      for (let i = 0; i < 200 && firstRefusal === undefined; i++) {
        const p = producer.send({ topic, value });
        sends.push(p);
        p.catch((err: unknown) => {
          firstRefusal ??= err;
        });
        await Promise.resolve(); // a refusal settles in this microtask turn, not after maxBlockMs
      }
      expect(firstRefusal).toBeInstanceOf(BufferFullError);
      expect(String((firstRefusal as Error).message)).toMatch(/drained\(\)/);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(producer.needsDrain).toBe(true);
      await Promise.race([
        once(producer, 'drain'),
        new Promise((_, rej) => setTimeout(() => rej(new Error('no drain')), 30_000)),
      ]);
      expect(producer.needsDrain).toBe(false);
      await producer.drained(); // resolves at once now
      const outcomes = await Promise.allSettled(sends);
      const delivered = outcomes.filter((o) => o.status === 'fulfilled').length;
      const [end] = await latestOffsets(cluster, topic, 1, 0);
      expect(end).toBe(BigInt(delivered));
    } finally {
      await producer.close();
    }
  }, 60_000);
});
