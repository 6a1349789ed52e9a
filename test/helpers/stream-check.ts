/**
 * Produce a numbered stream while something is broken, then count every record in the log:
 * each acknowledged record exactly once, per-partition order kept, no duplicates.
 */
import { expect } from 'vitest';
import type { Cluster } from '../../src/network/cluster.js';
import type { Producer } from '../../src/producer/producer.js';
import { readAll } from './read-back.js';

export interface StreamResult {
  acked: number;
  failed: Error[];
}

/**
 * Sends `total` records (value = their number, key spread over partitions) in chunks, keeping
 * at most `window` chunks outstanding, and calls `disrupt` once `disruptAt` records are out.
 */
export async function produceStream(
  producer: Producer,
  topic: string,
  total: number,
  disruptAt: number,
  disrupt: () => Promise<void>,
  chunk = 100,
  window = 20,
): Promise<StreamResult> {
  const outstanding = new Set<Promise<void>>();
  const failed: Error[] = [];
  let acked = 0;
  let disruption: Promise<void> | null = null;
  for (let i = 0; i < total; i += chunk) {
    const records = [];
    for (let j = i; j < Math.min(total, i + chunk); j++)
      records.push({ topic, key: `k${j % 97}`, value: String(j) });
    const p = producer.send(records).then(
      (mds) => {
        acked += mds.length;
      },
      (err: Error) => {
        failed.push(err);
      },
    );
    const tracked = p.finally(() => outstanding.delete(tracked));
    outstanding.add(tracked);
    if (!disruption && i >= disruptAt) disruption = disrupt();
    while (outstanding.size >= window) await Promise.race(outstanding);
  }
  await Promise.all(outstanding);
  await disruption;
  return { acked, failed };
}

/** Reads every partition and checks each number 0..total-1 appears exactly once, in order per partition. */
export async function expectExactlyOnceInOrder(
  cluster: Cluster,
  topic: string,
  partitions: number,
  total: number,
) {
  const seen = new Map<number, number>();
  for (let p = 0; p < partitions; p++) {
    const { records } = await readAll(cluster, topic, p, { timeoutMs: 60_000 });
    // Records reach a partition in send order, so their numbers must only grow.
    let last = -1;
    for (const r of records) {
      const n = Number(r.value?.toString());
      seen.set(n, (seen.get(n) ?? 0) + 1);
      expect(n, `partition ${p}: record ${n} after ${last}`).toBeGreaterThan(last);
      last = n;
    }
  }
  const duplicates = [...seen].filter(([, c]) => c > 1).map(([n]) => n);
  expect(duplicates, 'records written twice').toEqual([]);
  const missing: number[] = [];
  for (let n = 0; n < total; n++) if (!seen.has(n)) missing.push(n);
  expect(missing, 'acknowledged records missing from the log').toEqual([]);
}
