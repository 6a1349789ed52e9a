/**
 * The consumer's public types: partitions, offsets to commit, poll options, the rebalance
 * listener and the events a Consumer emits. Re-exported by consumer.ts (and the main entry).
 */
import { ConfigError } from '../protocol/errors.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** An offset to commit: the offset of the next record to read from the partition. */
export interface CommitOffset extends TopicPartition {
  offset: bigint | number;
}

export interface PollOptions {
  /** How long to wait for records when none are buffered. Default 1000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Called around rebalances (Java: `ConsumerRebalanceListener`). Under the eager protocol every
 * rebalance revokes all partitions and assigns the new set; under the cooperative one (KIP-429,
 * every assignor cooperative, e.g. `CooperativeStickyAssignor`) only the partitions that move are
 * revoked or assigned, and `onPartitionsAssigned` may be called with none.
 */
export interface RebalanceListener {
  /**
   * Before partitions move away, and at `close()` (as Java's): offsets are committed first when
   * auto-commit is on, and a commit made here still goes in, so this is where to commit by hand.
   */
  onPartitionsRevoked?(partitions: TopicPartition[]): Promise<void> | void;
  /** After each completed rebalance, with the partitions it added (positions from committed offsets). */
  onPartitionsAssigned?(partitions: TopicPartition[]): Promise<void> | void;
  /**
   * The partitions were already given to another member (session expired, poll too late, or
   * `close()` during a rebalance): nothing is committed.
   */
  onPartitionsLost?(partitions: TopicPartition[]): Promise<void> | void;
}

/** What the `topicNotFound` event carries. */
export interface TopicNotFound {
  topic: string;
  /** Its assigned partitions, which are not fetched while it is missing (none after subscribe). */
  partitions: TopicPartition[];
}

/** Events of a Consumer, which is an EventEmitter. */
export interface ConsumerEvents {
  /**
   * A subscribed or assigned topic is not in the cluster (never created, or deleted): emitted
   * once each time it goes missing, as Java logs a warning. Its assigned partitions are not
   * fetched meanwhile; metadata is asked again after a backoff growing from `retryBackoffMs` to
   * `metadataMaxAgeMs`, and fetching resumes once the topic is back.
   */
  topicNotFound: [TopicNotFound];
  /**
   * A metadata request reached no broker (every known broker and bootstrap address failed):
   * emitted once per outage, with the error, while the consumer keeps retrying.
   */
  brokersUnreachable: [Error];
  /** A broker answered again after `brokersUnreachable`; with how long the outage lasted, in ms. */
  brokersReachable: [number];
  /** A connection to a broker succeeded after failed attempts (each one backed off). */
  brokerReconnected: [{ broker: string; nodeId: number; failedAttempts: number }];
  /** This member starts to (re)join its group. */
  rebalanceStarted: [{ group: string; memberId: string }];
  /** A rebalance completed and its assignment is applied (listeners done); `assigned` is all of it. */
  rebalanceFinished: [
    { group: string; memberId: string; generation: number; assigned: TopicPartition[]; durationMs: number },
  ];
  /** A join failed (it is retried by the next poll). */
  rebalanceFailed: [{ group: string; error: Error }];
  /** Partitions added by a rebalance, after `onPartitionsAssigned`. */
  partitionsAssigned: [TopicPartition[]];
  /** Partitions given up (a rebalance or close), after `onPartitionsRevoked`. */
  partitionsRevoked: [TopicPartition[]];
  /** Partitions taken away without a commit (session lost, poll too late), after `onPartitionsLost`. */
  partitionsLost: [TopicPartition[]];
  /** A heartbeat failed (the coordinator unreachable or refusing); each one, while logging coalesces them. */
  heartbeatFailed: [Error];
  /** The group's coordinator was found on a broker other than the last one (or for the first time). */
  coordinatorChanged: [{ group: string; coordinator: number }];
  /** A Fetch to a broker failed as a whole; its partitions are fetched again after `backoffMs` when retriable. */
  fetchError: [{ nodeId: number; error: Error; retriable: boolean; backoffMs: number }];
  /**
   * After a leader change, the new leader's log was found truncated below what this consumer
   * had fetched (KIP-320: an unclean leader election). `resetTo` says what the consumer does:
   * `'divergentOffset'` — reads again from `divergentOffset`, the first offset the logs differ at;
   * `'earliest'` / `'latest'` — the leader knows no epoch that old, so autoOffsetReset applies;
   * null — autoOffsetReset is 'none': every poll throws LogTruncationError until a seek.
   */
  logTruncated: [LogTruncation];
}

/** What the `logTruncated` event carries. */
export interface LogTruncation extends TopicPartition {
  /** The offset fetched up to: the records from `divergentOffset` (or all) to here are gone. */
  fetchOffset: bigint;
  /** The first offset where the leader's log differs; null when it knows no epoch that old. */
  divergentOffset: bigint | null;
  resetTo: 'divergentOffset' | 'earliest' | 'latest' | null;
}

/** What `groupMetadata()` gives a transactional producer's `sendOffsetsToTransaction` (KIP-447). */
export interface GroupMetadata {
  groupId: string;
  /** The generation (or KIP-848 member epoch) of the last join; -1 outside group management. */
  generationId: number;
  /** '' outside group management. */
  memberId: string;
  groupInstanceId: string | null;
}

/** Throws a ConfigError unless `partitions` is an array of { topic, partition } a broker accepts. */
export function checkPartitions(partitions: readonly TopicPartition[]): void {
  if (!Array.isArray(partitions))
    throw new ConfigError('partitions', 'expected an array of { topic, partition }');
  for (const tp of partitions) checkTopicPartition(tp, 'partitions');
}

/** Throws a ConfigError naming `option` unless `tp` is a { topic, partition } a broker accepts. */
export function checkTopicPartition(tp: TopicPartition, option: string): void {
  if (tp === null || typeof tp !== 'object' || typeof tp.topic !== 'string' || tp.topic === '') {
    throw new ConfigError(option, 'every entry needs a non-empty topic string');
  }
  if (!Number.isInteger(tp.partition) || tp.partition < 0) {
    throw new ConfigError(option, `partition must be a non-negative integer, got ${String(tp.partition)}`);
  }
}
