/**
 * The record ledger of the reliability scenarios (issue 15): keyed records carrying per-key
 * sequence numbers (`k<key>:<seq>`), the acknowledgement of each send, and the audit that reads
 * the topic back from the log itself (a plain assign-mode reader, no group) and counts what went
 * wrong: acknowledged but absent (lost), in the log twice (duplicated), a key's sequence going
 * back (disordered), and an acknowledged offset that is not the record's offset in the log
 * (misplaced). A scenario passes when all four are 0.
 *
 * Also the sizes: `scaled(ci, soak)` is the CI size unless KAFKAWIRE_SOAK=1 (`npm run test:soak`).
 */
import { Consumer, type RecordMetadata } from '../../src/index.js';

/** True in `npm run test:soak` (KAFKAWIRE_SOAK=1): the scenarios run at full size. */
export const SOAK = process.env.KAFKAWIRE_SOAK === '1';

/** The size of a scenario: `ci` in `npm test`, `soak` in `npm run test:soak`. */
export function scaled(ci: number, soak: number): number {
  return SOAK ? soak : ci;
}

export interface Audit {
  lost: number;
  duplicated: number;
  disordered: number;
  misplaced: number;
}

export interface AuditResult extends Audit {
  /** Distinct records found in the log. */
  inLog: number;
}

export class Ledger {
  /** Value → the promise its send returned. */
  readonly acks = new Map<string, Promise<RecordMetadata>>();
  private readonly seq: number[];

  constructor(readonly keys: number) {
    this.seq = new Array<number>(keys).fill(0);
  }

  /** The `i`-th record of the stream: keys round-robin, each with its next sequence number. */
  next(i: number): { key: string; value: string } {
    const k = i % this.keys;
    return { key: `k${k}`, value: `k${k}:${this.seq[k]++}` };
  }

  /** Records the send of `value`. */
  track(value: string, ack: Promise<RecordMetadata>): void {
    this.acks.set(value, ack);
  }

  /** Waits for every send to settle; the reasons of those that failed. */
  async failures(): Promise<string[]> {
    const settled = await Promise.allSettled(this.acks.values());
    return settled
      .filter((s) => s.status === 'rejected')
      .map((s) => String((s as PromiseRejectedResult).reason));
  }

  /**
   * Reads `partitions` partitions of `topic` from `bootstrap` until every acknowledged record is
   * accounted for (or `timeoutMs`), and counts. Call after `failures()`.
   */
  async audit(
    bootstrap: string,
    topic: string,
    partitions: number,
    timeoutMs = 120_000,
  ): Promise<AuditResult> {
    const acked = new Map<string, RecordMetadata>();
    for (const [value, p] of this.acks) {
      const md = await p.catch(() => null);
      if (md) acked.set(value, md);
    }
    const reader = new Consumer({
      bootstrapServers: bootstrap,
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 100,
    });
    const inLog = new Map<string, { partition: number; offset: bigint }>();
    const lastSeq = new Map<string, number>();
    let duplicated = 0;
    let disordered = 0;
    try {
      reader.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
      const until = Date.now() + timeoutMs;
      let found = 0;
      // To the end of the log: until nothing more comes for 1 s once everything acknowledged is
      // found (a duplicate may follow the last of them), for 5 s before.
      let lastRecordAt = Date.now();
      while (Date.now() < until && Date.now() - lastRecordAt < (found < acked.size ? 5000 : 1000)) {
        for (const b of await reader.poll({ timeoutMs: 500 }))
          for (const r of b.records) {
            lastRecordAt = Date.now();
            const value = String(r.value);
            if (inLog.has(value)) duplicated++;
            else if (acked.has(value)) found++;
            inLog.set(value, { partition: b.partition, offset: r.offset });
            const [key, s] = value.split(':');
            if ((lastSeq.get(key) ?? -1) >= Number(s)) disordered++;
            lastSeq.set(key, Number(s));
          }
      }
    } finally {
      await reader.close();
    }
    let lost = 0;
    let misplaced = 0;
    for (const [value, md] of acked) {
      const at = inLog.get(value);
      if (!at) lost++;
      else if (at.partition !== md.partition || at.offset !== md.offset) misplaced++;
    }
    return { lost, duplicated, disordered, misplaced, inLog: inLog.size };
  }
}

/** The four counts of an audit, for `expect(...).toEqual(CLEAN)`. */
export const CLEAN: Audit = { lost: 0, duplicated: 0, disordered: 0, misplaced: 0 };

/** The four counts of an audit result (drops `inLog`). */
export function counts(a: AuditResult): Audit {
  return { lost: a.lost, duplicated: a.duplicated, disordered: a.disordered, misplaced: a.misplaced };
}
