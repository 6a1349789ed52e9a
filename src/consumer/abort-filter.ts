/**
 * Read-committed filtering, as the Java consumer's CompletedFetch does it: a transactional batch
 * is dropped while its producer has an aborted transaction that started at or before it, until
 * that producer's ABORT marker. Control batches are never delivered.
 *
 * One filter per partition, fed every batch in offset order.
 */
import type { AbortedTransaction } from '../protocol/apis/index.js';
import { ControlRecordType, type RecordBatch } from '../protocol/records/layout.js';

export class AbortFilter {
  private readonly pending: AbortedTransaction[] = [];
  private readonly abortedProducers = new Set<bigint>();
  /** Transactions already queued: consecutive fetches may list the same one again. */
  private readonly seen = new Set<string>();

  add(list: AbortedTransaction[] | null): void {
    if (!list || list.length === 0) return;
    for (const a of list) {
      const key = `${a.producerId}@${a.firstOffset}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.pending.push(a);
    }
    this.pending.sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /** True when `batch` must not be delivered (call once per batch, in offset order). */
  skips(batch: RecordBatch): boolean {
    while (this.pending.length > 0 && this.pending[0].firstOffset <= batch.lastOffset) {
      this.abortedProducers.add((this.pending.shift() as AbortedTransaction).producerId);
    }
    if (batch.isControl) {
      if (batch.controlType === ControlRecordType.abort) this.abortedProducers.delete(batch.producerId);
      return true;
    }
    return batch.isTransactional && this.abortedProducers.has(batch.producerId);
  }

  /** Forget everything (after a seek). */
  clear(): void {
    this.pending.length = 0;
    this.abortedProducers.clear();
    this.seen.clear();
  }
}
