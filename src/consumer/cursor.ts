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
 * - KIP-320: `fetchedEpoch` is the leader epoch the log before `fetchOffset` was written under
 *   (-1: unknown, nothing to validate), `leaderEpoch` the partition leader's epoch the fetches
 *   go out under. While `validating`, the partition is not fetched: a newer leader has to confirm
 *   that its log still holds what was fetched (position-validator.ts).
 */

import { partitionKey } from '../network/topic-partition.js';
import type { DecodedRecord } from '../protocol/records/layout.js';
import { type DeferredBatch, decodeDeferred } from '../protocol/records/record-batch.js';
import { AbortFilter } from './abort-filter.js';
import type { FetchMemory, Lease } from './fetch-memory.js';

/** A fetched batch not decoded yet, and the memory it keeps alive. */
interface PendingBatch {
  deferred: DeferredBatch;
  lease: Lease;
}

export class Cursor {
  readonly topic: string;
  readonly partition: number;
  /** The partition's map key (`key(topic, partition)`), built once: maps of partitions are looked up by it. */
  readonly key: string;
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
  pending: (PendingBatch | null)[] = [];
  pendingIndex = 0;
  /** Records of the batch being handed out. */
  buffered: DecodedRecord[] = [];
  bufferedIndex = 0;
  /** The memory the records being handed out point into, held until the next batch. */
  private lease: Lease | null = null;
  /** Bytes of the pending batches (a batch's bytes are released as it is decoded). */
  bufferedBytes = 0;
  highWatermark = -1n;
  paused = false;
  /** Added by a rebalance whose onPartitionsAssigned has not returned: not fetched, nothing handed out. */
  held = false;
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
  /**
   * The replica the leader named to read from (KIP-392, `clientRack`), until `preferredUntil`
   * (ms); -1: the leader.
   */
  preferredReplica = -1;
  preferredUntil = 0;
  /** KIP-320: the leader epoch of the last batch fetched before fetchOffset; -1 when unknown. */
  fetchedEpoch = -1;
  /** KIP-320: the leader epoch fetches are sent under (Fetch's currentLeaderEpoch); -1 until known. */
  leaderEpoch = -1;
  /** Waiting for the leader to confirm the fetched log (OffsetForLeaderEpoch): not fetched meanwhile. */
  validating = false;
  /**
   * An error every poll reports until the position is set (a log truncation with
   * autoOffsetReset 'none'): the partition is not fetched meanwhile.
   */
  stuck: Error | null = null;

  constructor(topic: string, partition: number, key = partitionKey(topic, partition)) {
    this.topic = topic;
    this.partition = partition;
    this.key = key;
  }

  get hasBuffered(): boolean {
    return this.bufferedIndex < this.buffered.length || this.pendingIndex < this.pending.length;
  }

  /** Keeps a fetched batch for `take` to decode, its memory counted in `memory`. */
  keep(deferred: DeferredBatch, memory: FetchMemory): void {
    this.pending.push({ deferred, lease: memory.retain(deferred.buf) });
    this.bufferedBytes += deferred.batch.sizeInBytes;
  }

  /**
   * Decodes the next pending batch into `buffered`, releasing the one before; false when none is
   * left. Throws the batch's ProtocolError when it is corrupt (its memory released all the same).
   */
  decodeNext(memory: FetchMemory): boolean {
    this.releaseCurrent(memory);
    while (this.pendingIndex < this.pending.length) {
      const p = this.pending[this.pendingIndex] as PendingBatch;
      this.pending[this.pendingIndex++] = null; // the cursor no longer keeps its bytes alive
      if (this.pendingIndex >= 1024 && this.pendingIndex * 2 >= this.pending.length) {
        // Fetches go on while the application catches up: drop the used slots now and then.
        this.pending = this.pending.slice(this.pendingIndex);
        this.pendingIndex = 0;
      }
      this.bufferedBytes -= p.deferred.batch.sizeInBytes;
      this.lease = p.lease;
      const records = decodeDeferred(p.deferred).records;
      if (records.length === 0) {
        this.releaseCurrent(memory);
        continue;
      }
      this.buffered = records;
      this.bufferedIndex = 0;
      return true;
    }
    this.pending = [];
    this.pendingIndex = 0;
    return false;
  }

  /** Drops everything fetched ahead (a seek, a reset, unassigned) and releases its memory. */
  clearBuffer(memory: FetchMemory): void {
    this.releaseCurrent(memory);
    for (let i = this.pendingIndex; i < this.pending.length; i++) {
      const p = this.pending[i];
      if (p) memory.release(p.lease);
    }
    this.pending = [];
    this.pendingIndex = 0;
    this.bufferedBytes = 0;
  }

  /** Done with the batch being handed out once all of it went: its memory need not wait for the next. */
  handedOut(memory: FetchMemory): void {
    if (this.lease && this.bufferedIndex >= this.buffered.length) this.releaseCurrent(memory);
  }

  private releaseCurrent(memory: FetchMemory): void {
    if (this.lease) memory.release(this.lease);
    this.lease = null;
    this.buffered = [];
    this.bufferedIndex = 0;
  }
}

/** The map key of a partition (network/topic-partition.ts). */
export const key = partitionKey;
