/**
 * Partitioning: which partition a record goes to.
 *
 * - An explicit partition wins.
 * - A custom partitioner, when configured, decides everything else.
 * - A keyed record goes where the Java client's default partitioner sends it: murmur2 of the
 *   serialized key, made positive, modulo the partition count — so a key produced by kafkawire
 *   and by Java lands in the same partition.
 * - A record without a key sticks to one partition until about `batchSize` bytes have gone
 *   there, then moves to another partition with a leader (KIP-794's uniform sticky partitioner):
 *   batches fill up instead of spreading one record per partition.
 */
import { partitionForKey } from './murmur2.js';

/** What a custom partitioner is given. */
export interface PartitionerArgs {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Number of partitions of the topic. */
  partitionCount: number;
  /** Partitions that currently have a leader. */
  availablePartitions: readonly number[];
}

/** A custom partitioner (Java: `partitioner.class`): returns a partition number. */
export type Partitioner = (args: PartitionerArgs) => number;

interface StickyState {
  partition: number;
  bytes: number;
}

export class DefaultPartitioner {
  private readonly sticky = new Map<string, StickyState>();
  private readonly stickyBatchSize: number;
  private readonly random: () => number;

  constructor(stickyBatchSize: number, random: () => number = Math.random) {
    this.stickyBatchSize = stickyBatchSize;
    this.random = random;
  }

  /**
   * The partition for a record. `recordBytes` is the record's approximate size, counted
   * towards the sticky partition's quota.
   */
  partition(
    topic: string,
    key: Buffer | null,
    partitionCount: number,
    availablePartitions: readonly number[],
    recordBytes: number,
  ): number {
    if (key !== null) return partitionForKey(key, partitionCount);
    let s = this.sticky.get(topic);
    if (!s || s.partition >= partitionCount || s.bytes >= this.stickyBatchSize) {
      s = { partition: this.next(s?.partition ?? -1, partitionCount, availablePartitions), bytes: 0 };
      this.sticky.set(topic, s);
    }
    s.bytes += recordBytes;
    return s.partition;
  }

  /** Another partition, preferring ones with a leader, avoiding the previous one when possible. */
  private next(previous: number, partitionCount: number, available: readonly number[]): number {
    const choices = available.length > 0 ? available : null;
    const n = choices ? choices.length : partitionCount;
    if (n === 1) return choices ? choices[0] : 0;
    for (let attempt = 0; attempt < 4; attempt++) {
      const i = Math.floor(this.random() * n);
      const p = choices ? choices[i] : i;
      if (p !== previous) return p;
    }
    const i = Math.floor(this.random() * n);
    return choices ? choices[i] : i;
  }
}
