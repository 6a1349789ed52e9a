/**
 * SubscriptionState: what the consumer holds for its assigned partitions (Java:
 * `SubscriptionState`), synchronous and free of I/O — one Cursor per assigned partition in
 * assignment order, the memory their fetched batches pin, the resets asked for, and the polls
 * waiting for something to happen.
 *
 * Invariants:
 * - `cursors` and `order` hold the same cursors; a cursor taken out of the assignment is
 *   `detached` with its buffer released, and never comes back (`isCurrent` tells an answer for a
 *   cursor that was unassigned, and maybe assigned again as a new one, from a current one).
 * - Setting a position from outside the fetch path (seek, reset, committed offset, rewind) bumps
 *   the cursor's epoch and drops what was fetched ahead, so nothing fetched for an older
 *   position is handed out.
 * - A cursor is in `resetTo` only while its position is unknown; `unpositioned` holds exactly the
 *   assigned cursors whose position is null.
 */
import { IllegalStateError } from '../protocol/errors.js';
import { Cursor, key } from './cursor.js';
import { settledBy } from './delivery.js';
import { FetchMemory } from './fetch-memory.js';
import type { TopicPartition } from './types.js';

export type ResetTo = 'earliest' | 'latest';

export class SubscriptionState {
  private cursors = new Map<string, Cursor>();
  /** The assigned partitions' cursors, in assignment order. */
  order: Cursor[] = [];
  /** Where the next hand-out starts (round-robin over partitions). */
  nextCursor = 0;
  /** Memory pinned by the batches fetched ahead, and by the fetches in flight (fetch-memory.ts). */
  readonly memory: FetchMemory;
  /** Cursors whose position is to be looked up (seekToBeginning/End, autoOffsetReset, out of range). */
  readonly resetTo = new Map<Cursor, ResetTo>();
  /**
   * The assigned cursors whose position is unknown (new, or a reset asked for): what the offset
   * resolver looks at on each poll, instead of every assigned partition.
   */
  readonly unpositioned = new Set<Cursor>();
  /** The polls waiting for a change; each leaves the set when its wait ends, however it ends. */
  private readonly waiters = new Set<() => void>();

  constructor(fetchMaxBytes: number) {
    this.memory = new FetchMemory(fetchMaxBytes);
  }

  /** The cursors of exactly these partitions (kept ones keep theirs); the others are detached. */
  place(partitions: readonly TopicPartition[]): void {
    const next = new Map<string, Cursor>();
    for (const tp of partitions) {
      const k = key(tp.topic, tp.partition);
      const existing = this.cursors.get(k) ?? next.get(k);
      next.set(k, existing ?? new Cursor(tp.topic, tp.partition, k));
    }
    for (const [k, c] of this.cursors) {
      if (next.has(k)) continue;
      c.clearBuffer(this.memory);
      c.detached = true;
      this.resetTo.delete(c);
      this.unpositioned.delete(c);
    }
    this.cursors = next;
    for (const c of next.values()) if (c.position === null) this.unpositioned.add(c);
    this.order = [...next.values()];
    this.nextCursor = 0;
  }

  /** The cursor of an assigned partition; an IllegalStateError (as Java's) for any other. */
  cursor(tp: TopicPartition): Cursor {
    const c = this.cursors.get(key(tp?.topic, tp?.partition));
    // Java: IllegalStateException "No current assignment for partition". This was a ConfigError,
    // which the CLI reports as a usage error (exit 2). Regression test: consumer-delivery.test.ts.
    if (!c) throw new IllegalStateError(`No current assignment for partition ${tp?.topic}-${tp?.partition}`);
    return c;
  }

  has(topic: string, partition: number): boolean {
    return this.cursors.has(key(topic, partition));
  }

  /** True while `c` is the cursor of its partition (not unassigned since). */
  isCurrent(c: Cursor): boolean {
    return this.cursors.get(c.key) === c;
  }

  assignment(): TopicPartition[] {
    return this.order.map((c) => ({ topic: c.topic, partition: c.partition }));
  }

  paused(): TopicPartition[] {
    return this.order.filter((c) => c.paused).map((c) => ({ topic: c.topic, partition: c.partition }));
  }

  /**
   * Reads from `offset` next. `finished`: the application is done with everything before it
   * (a seek, a reset, a committed offset, a rewind), so commits send it; false when the records
   * before it were handed out but maybe not processed (a corrupt batch fetched again).
   * `fetchedEpoch`: the leader epoch of the record before `offset`, when known (KIP-320).
   */
  setPosition(c: Cursor, offset: bigint, finished = true, fetchedEpoch = -1): void {
    c.committedChecked = true; // a position is known: no committed offset to look up
    c.clearBuffer(this.memory);
    c.aborts.clear();
    c.epoch++;
    c.position = offset;
    if (finished) c.consumed = offset;
    c.fetchOffset = offset;
    c.fetchedEpoch = fetchedEpoch;
    c.validating = false;
    c.stuck = null;
    c.resetting = false;
    c.error = null;
    c.inFlight = false;
    this.resetTo.delete(c);
    this.unpositioned.delete(c);
  }

  /** Forgets the position: the next kick looks one up (`to`: the first or the next offset). */
  requestReset(c: Cursor, to: ResetTo): void {
    c.committedChecked = true; // a position asked for: the group's committed one does not apply
    c.clearBuffer(this.memory);
    c.epoch++;
    c.position = null;
    c.consumed = null;
    c.fetchOffset = null;
    c.fetchedEpoch = -1;
    c.validating = false;
    c.stuck = null;
    c.inFlight = false;
    this.resetTo.set(c, to);
    if (this.isCurrent(c)) this.unpositioned.add(c);
  }

  /** Partitions whose position ran ahead of what the application finished go back to it; true if any moved. */
  rewind(): boolean {
    let moved = false;
    for (const c of this.order) {
      if (c.consumed !== null && c.position !== c.consumed) {
        this.setPosition(c, c.consumed);
        moved = true;
      }
    }
    return moved;
  }

  /**
   * Resolves at `deadline`, on abort, or at the next `wake()`, whichever comes first. A wait that
   * ends by its deadline leaves no trace: an idle consumer's polls used to add one waiter each to
   * a list only a wake emptied (one a second, for as long as no record came).
   */
  waitForChange(deadline: number, signal?: AbortSignal): Promise<void> {
    let woken!: () => void;
    const change = new Promise<void>((resolve) => {
      woken = resolve;
    });
    this.waiters.add(woken);
    return settledBy(change, deadline, signal).finally(() => this.waiters.delete(woken));
  }

  /** Polls waiting now (tests). */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Records, an error, a finished join or close: every waiting poll looks again. */
  wake(): void {
    const w = [...this.waiters];
    this.waiters.clear();
    for (const f of w) f();
  }
}
