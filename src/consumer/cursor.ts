/**
 * Cursor: the consumer's state of one assigned partition — where the application is, what is
 * fetched ahead of it, and whether the partition may be fetched now.
 *
 * Invariants:
 * - `consumed <= position <= fetchOffset` whenever all three are known. `position` is the next
 *   record to hand out; `consumed` the offset after the last record the application finished,
 *   which is what a commit of this partition sends. `poll()` counts records as finished as it
 *   hands them out (both move together); `run()` and the async iterator move `consumed` only as
 *   handlers resolve or batches are yielded (delivery.ts), and put `position` back to it when
 *   they stop. The consumer never commits past `consumed`.
 * - `epoch` changes whenever the position is set from outside the fetch path (seek, reset,
 *   rewind): a fetch answered, or a record handed out, under an older epoch no longer counts.
 * - A cursor that is no longer assigned is `detached` and never reattached: an assignment that
 *   gives the partition back makes a new cursor.
 */
import type { DecodedRecord } from '../protocol/records/layout.js';
import type { DeferredBatch } from '../protocol/records/record-batch.js';
import { AbortFilter } from './abort-filter.js';

export class Cursor {
  readonly topic: string;
  readonly partition: number;
  /** Next offset to hand to the application; null until reset or seek. */
  position: bigint | null = null;
  /** Offset after the last record the application finished (see the invariants); null until known. */
  consumed: bigint | null = null;
  /** Next offset to fetch (position + what is buffered). */
  fetchOffset: bigint | null = null;
  /**
   * Fetched batches whose records are not decoded yet: `take` decodes them one at a time as it
   * hands records out, so records live from one poll to the next instead of sitting decoded in
   * a buffer (long-lived objects are what makes the garbage collector expensive).
   */
  pending: (DeferredBatch | null)[] = [];
  pendingIndex = 0;
  /** Records of the batch being handed out. */
  buffered: DecodedRecord[] = [];
  bufferedIndex = 0;
  /** Bytes of the pending batches (a batch's bytes are released as it is decoded). */
  bufferedBytes = 0;
  highWatermark = -1n;
  paused = false;
  inFlight = false;
  resetting = false;
  /** Unassigned: records handed out from it no longer count, and nothing is committed for it. */
  detached = false;
  /**
   * Manual assignment with a groupId: the group's committed offset was looked up (or is being
   * looked up, `resetting` meanwhile); only without one does autoOffsetReset apply.
   */
  committedChecked = false;
  /** Bumped by seek/reset/rewind: a fetch sent under an older epoch is ignored. */
  epoch = 0;
  retryAt = 0;
  attempts = 0;
  error: Error | null = null;
  readonly aborts = new AbortFilter();

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  get hasBuffered(): boolean {
    return this.bufferedIndex < this.buffered.length || this.pendingIndex < this.pending.length;
  }

  clearBuffer(): void {
    this.pending = [];
    this.pendingIndex = 0;
    this.buffered = [];
    this.bufferedIndex = 0;
    this.bufferedBytes = 0;
  }
}

/** The map key of a partition. */
export const key = (topic: string, partition: number): string => `${topic}\0${partition}`;
