/**
 * OffsetResolver: where each partition starts (Java: `OffsetFetcher` + the committed-offset half
 * of `ConsumerCoordinator`) — the group's committed offset when a groupId is set, else (or with
 * none committed) `autoOffsetReset`; the resets seekToBeginning/seekToEnd and OFFSET_OUT_OF_RANGE
 * ask for, looked up with ListOffsets grouped by leader (network/offsets.ts's listOffsetsAt,
 * retried here per cursor); and the application's own lookups (beginningOffsets, endOffsets,
 * offsetsForTimes: network/offsets.ts's lookupOffsets, shared with the admin client).
 *
 * Invariants:
 * - A cursor with a groupId never goes to autoOffsetReset while its committed offset is due or
 *   failed to come: that could jump past what the group committed. A failed lookup is tried
 *   again after a backoff (reported at poll unless retriable).
 * - With `autoOffsetReset: 'none'` and no position, the partition fails each poll with
 *   OFFSET_OUT_OF_RANGE until the application seeks.
 * - An answer for a cursor that was seeked or unassigned meanwhile is dropped (epoch, isCurrent).
 * - One reset run at a time; a broker refuses a partition twice in a request, so each cursor
 *   appears once per ListOffsets.
 */
import type { Cluster } from '../network/cluster.js';
import { listOffsetsAt, lookupOffsets, type OffsetFound, type OffsetLookup } from '../network/offsets.js';
import { backoffMs, shouldRetry } from '../network/retry.js';
import { ListOffsetsTimestamp } from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { ConfigError, KafkaError, kafkaError } from '../protocol/errors.js';
import type { ResolvedConsumerConfig } from './config.js';
import type { Cursor } from './cursor.js';
import type { MissingTopics } from './missing-topics.js';
import type { ResetTo, SubscriptionState } from './subscription-state.js';
import type { TopicPartition } from './types.js';

/** What the resolver needs of its consumer. */
export interface OffsetResolverHost {
  readonly closed: boolean;
  /** The group's committed offsets of these partitions, by `key` (OffsetFetch). */
  committed(partitions: readonly TopicPartition[]): Promise<Map<string, bigint>>;
  /** Starts what needs starting again (fetch loops, more lookups). */
  kick(): void;
  /** Kicks again after `ms`. */
  kickAfter(ms: number): void;
}

export class OffsetResolver {
  private running = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly config: ResolvedConsumerConfig,
    private readonly state: SubscriptionState,
    private readonly missingTopics: MissingTopics,
    private readonly host: OffsetResolverHost,
  ) {}

  /** Starts the lookups the cursors without a position need. */
  start(): void {
    // With a groupId, start where the group committed, as Java does (after subscribe the join
    // looks committed offsets up before placing the cursors; these are the ones it could not).
    const fromGroup = this.config.groupId !== null;
    let lookUp: Cursor[] | null = null;
    const now = Date.now();
    // Only the cursors without a position: this walked every assigned partition on every poll
    // (about 3 % of a 10,000-partition consumer's CPU, bench/results/consume-10k-profile).
    for (const c of this.state.unpositioned) {
      if (fromGroup && !c.committedChecked) {
        if (c.retryAt <= now) {
          c.committedChecked = true;
          c.resetting = true;
          (lookUp ??= []).push(c);
        }
        continue;
      }
      if (!this.state.resetTo.has(c) && !c.resetting) {
        const policy = this.config.autoOffsetReset;
        if (policy !== 'none') this.state.resetTo.set(c, policy);
        else if (!c.error) {
          c.error = new KafkaError(
            ErrorCode.OFFSET_OUT_OF_RANGE,
            { topic: c.topic, partition: c.partition },
            'no offset to start from and autoOffsetReset is none',
          );
          c.resetting = true; // until a seek
          this.state.wake();
        }
      }
    }
    if (lookUp) void this.startFromCommitted(lookUp);
    if (this.state.resetTo.size > 0) void this.runResets();
  }

  /** offsetsForTimes' query as lookups; a ConfigError for a timestamp that is not one, before any I/O. */
  static timeLookups(query: readonly (TopicPartition & { timestamp: number })[]): OffsetLookup[] {
    for (const q of query) {
      if (!Number.isSafeInteger(q?.timestamp) || q.timestamp < 0)
        throw new ConfigError(
          'timestamp',
          `must be a non-negative integer of milliseconds, got ${String(q?.timestamp)}`,
        );
    }
    return query.map((q) => ({ topic: q.topic, partition: q.partition, query: { timestamp: q.timestamp } }));
  }

  /** offsetsForTimes' answer: null where every record is older than the time asked. */
  static foundAt(
    found: readonly OffsetFound[],
  ): (TopicPartition & { found: { offset: bigint; timestamp: number } | null })[] {
    return found.map((f) => ({
      topic: f.topic,
      partition: f.partition,
      found: f.offset >= 0n ? { offset: f.offset, timestamp: f.timestamp } : null,
    }));
  }

  /** The application's lookups: offsets by time, earliest or latest (network/offsets.ts). */
  lookup(lookups: OffsetLookup[]): Promise<OffsetFound[]> {
    return lookupOffsets(this.cluster, lookups, {
      timeoutMs: this.config.requestTimeoutMs,
      retryBackoffMs: this.config.retryBackoffMs,
      retryBackoffMaxMs: this.config.retryBackoffMaxMs,
      isolationLevel: this.config.isolationLevel,
    });
  }

  /** Positions from the group's committed offsets; partitions without one go on to autoOffsetReset. */
  private async startFromCommitted(cursors: Cursor[]): Promise<void> {
    const epochs = cursors.map((c) => c.epoch);
    let committed: Map<string, bigint> | null = null;
    let failure: Error | null = null;
    try {
      committed = await this.host.committed(cursors);
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    }
    cursors.forEach((c, i) => {
      if (c.epoch !== epochs[i] || !this.state.isCurrent(c)) return; // seeked or unassigned
      c.resetting = false;
      const offset = committed?.get(c.key);
      if (offset !== undefined && offset >= 0n) this.state.setPosition(c, offset);
      else if (failure) {
        // Retriable failures (UNSTABLE_OFFSET_COMMIT while a transaction's offsets are pending,
        // a coordinator moving) are retried silently, as Java does; the others reach poll too.
        if (!(failure instanceof KafkaError && failure.retriable)) c.error = failure;
        c.committedChecked = false;
        const wait = backoffMs(c.attempts++, this.config);
        c.retryAt = Date.now() + wait;
        this.host.kickAfter(wait);
      }
    });
    if (failure) this.state.wake();
    this.host.kick();
  }

  private async runResets(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const resetTo = this.state.resetTo;
    try {
      while (resetTo.size > 0 && !this.host.closed) {
        const batch = [...resetTo];
        resetTo.clear();
        const byLeader = new Map<number, [Cursor, ResetTo, number][]>();
        for (const [c, to] of batch) {
          if (!this.state.isCurrent(c)) continue; // unassigned meanwhile
          const leader = this.cluster.leaderFor(c.topic, c.partition);
          if (leader === undefined) {
            resetTo.set(c, to);
            continue;
          }
          c.resetting = true;
          const list = byLeader.get(leader) ?? [];
          list.push([c, to, c.epoch]);
          byLeader.set(leader, list);
        }
        if (byLeader.size === 0) {
          // Partitions of a topic that does not exist wait for the consumer's onMetadata to see it back.
          if ([...resetTo.keys()].every((c) => this.missingTopics.has(c.topic))) break;
          await this.cluster.refresh().catch(() => {});
          await new Promise((r) => setTimeout(r, this.config.retryBackoffMs));
          continue;
        }
        await Promise.all([...byLeader].map(([node, list]) => this.listOffsets(node, list)));
      }
    } finally {
      this.running = false;
      this.host.kick();
    }
  }

  private async listOffsets(node: number, list: [Cursor, ResetTo, number][]): Promise<void> {
    const asks = list.map(([c, to]) => ({
      topic: c.topic,
      partition: c.partition,
      timestamp: to === 'earliest' ? ListOffsetsTimestamp.earliest : ListOffsetsTimestamp.latest,
    }));
    try {
      const results = await listOffsetsAt(this.cluster, node, asks, this.config.isolationLevel);
      let retry = false;
      for (const [c, to, epoch] of list) {
        c.resetting = false;
        if (c.epoch !== epoch) continue; // seeked meanwhile
        const r = results.get(c.key);
        if (r && r.errorCode === ErrorCode.NONE) {
          this.state.setPosition(c, r.offset, true, r.leaderEpoch);
        } else {
          const err = kafkaError(r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, {
            topic: c.topic,
            partition: c.partition,
          });
          this.cluster.reportError(err);
          if (err.retriable) {
            this.state.resetTo.set(c, to);
            retry = true;
          } else c.error = err;
        }
      }
      // A leader that moved (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, ...): fresh metadata
      // and a backoff before asking again. The next round used to go out at once, to the same
      // broker under the same stale metadata, as fast as it answered.
      // Regression test: leader-epochs.test.ts, "backs off a ListOffsets the leader keeps fencing".
      if (retry) {
        await this.cluster.refresh().catch(() => {});
        await new Promise((r) => setTimeout(r, this.config.retryBackoffMs));
      }
    } catch (err) {
      this.cluster.reportError(err);
      for (const [c, to, epoch] of list) {
        c.resetting = false;
        if (c.epoch !== epoch) continue; // seeked meanwhile: not reset over the seek
        if (shouldRetry(err).retry) this.state.resetTo.set(c, to);
        else c.error = err instanceof Error ? err : new Error(String(err));
      }
      await new Promise((r) => setTimeout(r, this.config.retryBackoffMs));
    }
  }
}
