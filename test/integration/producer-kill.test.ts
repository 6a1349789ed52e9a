/**
 * Reliability scenario 3 (issue 15), a producer process killed for real: a child process sends
 * 200,000 keyed idempotent records (test/helpers/producer-child.ts) and is SIGKILLed mid-stream.
 * Every record it saw acknowledged is in the log at the offset it was told, and the log holds no
 * record twice and each key's records in sequence order (what the dead process had in flight
 * may or may not be there: it never learnt).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic, waitFor } from '../helpers/topics.js';

const CHILD = fileURLToPath(new URL('../helpers/producer-child.ts', import.meta.url));
let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

describe('a producer process killed with SIGKILL mid-stream', () => {
  it('left every acknowledged record in the log at its offset, none twice, each key in order', async () => {
    const topic = uniqueTopic('producer-kill');
    await createTopic(cluster, topic, 4);
    const acked = new Map<string, { partition: number; offset: bigint }>();
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, PC_BROKERS: brokers(), PC_TOPIC: topic, PC_COUNT: '200000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let rest = '';
    child.stdout?.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) {
        const [word, value, partition, offset] = l.split(' ');
        if (word === 'acked') acked.set(value, { partition: Number(partition), offset: BigInt(offset) });
      }
    });
    const exited = new Promise((r) => child.once('exit', r));
    await waitFor(() => acked.size >= 20_000, 'the child to have 20,000 records acknowledged', 60_000);
    child.kill('SIGKILL');
    await exited;
    expect(acked.size).toBeLessThan(200_000); // killed mid-stream

    const lookup = new Consumer({ bootstrapServers: brokers() });
    const ends = await lookup
      .endOffsets(Array.from({ length: 4 }, (_, partition) => ({ topic, partition })))
      .finally(() => lookup.close());
    const total = ends.reduce((n, e) => n + Number(e.offset), 0);
    const reader = new Consumer({
      bootstrapServers: brokers(),
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 100,
    });
    try {
      reader.assign(ends.map(({ topic: t, partition }) => ({ topic: t, partition })));
      const inLog = new Map<string, { partition: number; offset: bigint }>();
      const last = new Map<string, number>();
      let duplicated = 0;
      let disordered = 0;
      let read = 0;
      const until = Date.now() + 60_000;
      while (read < total && Date.now() < until) {
        for (const b of await reader.poll({ timeoutMs: 300 }))
          for (const r of b.records) {
            read++;
            const value = String(r.value);
            if (inLog.has(value)) duplicated++;
            inLog.set(value, { partition: b.partition, offset: r.offset });
            const [key, s] = value.split(':');
            if ((last.get(key) ?? -1) >= Number(s)) disordered++;
            last.set(key, Number(s));
          }
      }
      expect(read).toBe(total);
      let missing = 0;
      let misplaced = 0;
      for (const [value, at] of acked) {
        const found = inLog.get(value);
        if (!found) missing++;
        else if (found.partition !== at.partition || found.offset !== at.offset) misplaced++;
      }
      expect({ missing, misplaced, duplicated, disordered }).toEqual({
        missing: 0,
        misplaced: 0,
        duplicated: 0,
        disordered: 0,
      });
    } finally {
      await reader.close();
    }
  }, 120_000);
});
