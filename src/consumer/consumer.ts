/**
 * Consumer: reads records from assigned partitions (Java: `KafkaConsumer`), assigned by hand or by
 * its consumer group.
 *
 * Owns: one Cursor per assigned partition (its position, fetched batches not yet decoded and
 * the records of the one being handed out, pause state, read-committed filter), one fetch loop
 * per leader broker, and offset resets.
 *
 * Invariants:
 * - A partition's records reach the application in offset order, each once per position: a
 *   cursor delivers from `position` and moves it past what it delivered; a seek bumps the
 *   cursor's epoch so a fetch answered for an older position is dropped.
 * - At most one fetch per broker is in flight, each partition in at most one of them. A
 *   partition is fetched only while the bytes of its undecoded batches are under
 *   `maxPartitionFetchBytes`, and a fetch asks for at most what is left of `fetchMaxBytes` after
 *   the bytes buffered and those the other fetches in flight may bring: memory stays bounded
 *   however slow the application is — about `fetchMaxBytes` in all (plus the first batch of a
 *   response, which a broker sends whole however large, KIP-74), at most about twice
 *   `maxPartitionFetchBytes` per partition, and one decoded batch per partition — while fetches
 *   run ahead of it. A batch's CRC is checked as it arrives, its records are decoded as poll
 *   hands them out.
 * - Errors that retrying can fix (a moved leader, a dead connection) are retried inside; the
 *   others surface from the next poll as typed errors, naming topic and partition.
 * - Group rebalances run inside poll, listeners included; the join itself runs in the background
 *   and a poll waits for the group only until its deadline. Eager protocol: everything is
 *   revoked, then the join runs. Cooperative protocol (KIP-429): the join runs in the background
 *   while polls keep delivering the owned partitions; once it completes, only the difference
 *   moves (revoked partitions are dropped, kept ones keep position and buffer), and a member that
 *   revoked anything rejoins at once so the follow-up rebalance can hand those partitions on.
 */

import { EventEmitter } from 'node:events';
import { ConsumerGroupMembership } from '../group/consumer-membership.js';
import { type Assignment, GroupMembership } from '../group/membership.js';
import { Cluster, type MetadataSnapshot } from '../network/cluster.js';
import {
  type FetchMessage,
  fetchChannel,
  type RebalanceMessage,
  rebalanceChannel,
} from '../network/diagnostics.js';
import { METRICS_REGISTRY, type MetricsRegistry, type MetricsSnapshot } from '../network/metrics.js';
import { lookupOffsets, type OffsetFound, type OffsetLookup } from '../network/offsets.js';
import { backoffMs, shouldRetry } from '../network/retry.js';
import { Fetch, type FetchRequest, ListOffsets, ListOffsetsTimestamp } from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  CodecUnavailableError,
  ConfigError,
  IllegalStateError,
  KafkaError,
  kafkaError,
  ProtocolError,
} from '../protocol/errors.js';
import type { DecodedRecord } from '../protocol/records/layout.js';
import { decodeRecordBatches } from '../protocol/records/record-batch.js';
import { Bootstrap } from './bootstrap.js';
import { type ConsumerConfig, type ResolvedConsumerConfig, resolveConsumerConfig } from './config.js';
import { Cursor, key } from './cursor.js';
import {
  type ConsumerBatch,
  type DeliveryHost,
  deliverBatches,
  type RunOptions,
  runHandlers,
  settledBy,
  type Taken,
} from './delivery.js';
import { FetchMemory } from './fetch-memory.js';
import { ConsumerMetrics } from './metrics.js';
import { MissingTopics } from './missing-topics.js';

export type { ConsumerBatch, RunOptions } from './delivery.js';

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
}

function checkTopicPartition(tp: TopicPartition, option: string): void {
  if (tp === null || typeof tp !== 'object' || typeof tp.topic !== 'string' || tp.topic === '') {
    throw new ConfigError(option, 'every entry needs a non-empty topic string');
  }
  if (!Number.isInteger(tp.partition) || tp.partition < 0) {
    throw new ConfigError(option, `partition must be a non-negative integer, got ${String(tp.partition)}`);
  }
}

/** A finished join: the assignment (null: lost mid-join) and the subscription view it was made for. */
type JoinOutcome = { assignment: Assignment | null; view: string } | { error: unknown };

/** Who is reading from a consumer now: one of poll(), run() or the iterator at a time. */
type Reader = 'poll()' | 'run()' | 'the async iterator';

/**
 * A Kafka consumer (Java: `KafkaConsumer`): over partitions assigned by hand (`assign`) or by
 * its group (`subscribe`). Async-iterable over batches; see `poll` and `run`. One reader at a
 * time: a `poll()` while another poll, `run()` or an iteration is under way rejects with an
 * `IllegalStateError` (Java's consumer refuses a second thread the same way).
 */
export class Consumer extends EventEmitter<ConsumerEvents> implements AsyncIterable<ConsumerBatch> {
  readonly config: ResolvedConsumerConfig;
  private readonly cluster: Cluster;
  private readonly cursors = new Map<string, Cursor>();
  private order: Cursor[] = [];
  private nextCursor = 0;
  private readonly loops = new Set<number>();
  /** Memory pinned by the batches fetched ahead, and by the fetches in flight (fetch-memory.ts). */
  private readonly memory: FetchMemory;
  private waiters: (() => void)[] = [];
  private closed = false;
  /** The first connection, one shared attempt at a time (bootstrap.ts). */
  private readonly bootstrap: Bootstrap;
  private resetting = false;
  private refreshing: Promise<unknown> | null = null;
  private membership: GroupMembership | null = null;
  private subscription: string[] | null = null;
  private pattern: RegExp | null = null;
  /** Topics and partition counts at the last join: a change means a rebalance (new partitions, new matches). */
  private joinedView = '';
  private listener: RebalanceListener = {};
  /** A background join (cooperative protocol) in flight. */
  private rebalancing: Promise<void> | null = null;
  /** What the background join came back with, applied by the next poll. */
  private joined: JoinOutcome | null = null;
  private lastCommitAt = Date.now();
  private pollWatchdog: NodeJS.Timeout | null = null;
  /** The close under way, shared by every `close()` call. */
  private closing: Promise<void> | null = null;
  /** Commits started by commitAsync and not settled yet: close() lets them finish. */
  private readonly asyncCommits = new Set<Promise<void>>();
  /** The poll, run() or iteration under way (see Reader). */
  private reader: Reader | null = null;
  /** The group's side of a poll under way (see groupStepUntil), shared by the polls that wait on it. */
  private groupStep: Promise<void> | null = null;
  /** What a group step that outlived its poll failed with: the next poll reports it. */
  private groupFailure: { error: unknown } | null = null;
  /** Subscribed or assigned topics the cluster's metadata says do not exist (see ConsumerEvents). */
  private readonly missingTopics: MissingTopics;
  private readonly consumerMetrics: ConsumerMetrics;
  /** When the join under way started (rebalance events and metrics). */
  private joinStartedAt = 0;

  constructor(config: ConsumerConfig) {
    super();
    this.config = resolveConsumerConfig(config);
    const c = this.config;
    this.memory = new FetchMemory(c.fetchMaxBytes);
    this.consumerMetrics = new ConsumerMetrics(c.clientId, {
      partitions: () => this.order,
      assigned: () => this.order.length,
    });
    this.cluster = new Cluster({
      bootstrapServers: c.bootstrapServers,
      clientId: c.clientId,
      observer: this.consumerMetrics.network,
      requestTimeoutMs: c.requestTimeoutMs + c.fetchMaxWaitMs,
      metadataMaxAgeMs: c.metadataMaxAgeMs,
      connectTimeoutMs: c.connectTimeoutMs,
      reconnectBackoffMs: c.reconnectBackoffMs,
      reconnectBackoffMaxMs: c.reconnectBackoffMaxMs,
      tls: c.security.tls,
      authenticate: c.security.authenticate,
      log: c.log,
    });
    this.bootstrap = new Bootstrap(this.cluster, () => this.kick());
    this.missingTopics = new MissingTopics(c, () => void this.cluster.refresh().catch(() => {}));
    this.cluster.on('metadata', (md: MetadataSnapshot) => this.onMetadata(md));
    this.cluster.on('unreachable', (err: Error) => this.emit('brokersUnreachable', err));
    this.cluster.on('reachable', (downMs: number) => this.emit('brokersReachable', downMs));
    this.cluster.on('reconnected', (e: { broker: string; nodeId: number; failedAttempts: number }) =>
      this.emit('brokerReconnected', e),
    );
  }

  /** Connects to the cluster. Optional: poll connects too. Rejects with the attempt's error. */
  connect(): Promise<void> {
    return this.bootstrap.connect();
  }

  /**
   * Reads exactly these partitions from now on (Java: `assign`). Positions of kept partitions
   * stay; new ones start from the group's committed offset when a `groupId` is set, else (or
   * without one) by `autoOffsetReset`, unless the application seeks first.
   */
  assign(partitions: readonly TopicPartition[]): void {
    this.assertOpen();
    if (!Array.isArray(partitions))
      throw new ConfigError('partitions', 'expected an array of { topic, partition }');
    for (const tp of partitions) checkTopicPartition(tp, 'partitions');
    this.place(partitions);
    this.kick();
  }

  /** The cursors of exactly these partitions (kept ones keep theirs), without starting anything. */
  private place(partitions: readonly TopicPartition[]): void {
    const next = new Map<string, Cursor>();
    for (const tp of partitions) {
      const k = key(tp.topic, tp.partition);
      const existing = this.cursors.get(k) ?? next.get(k);
      next.set(k, existing ?? new Cursor(tp.topic, tp.partition));
    }
    for (const [k, c] of this.cursors) {
      if (next.has(k)) continue;
      c.clearBuffer(this.memory);
      c.detached = true;
    }
    this.cursors.clear();
    for (const [k, c] of next) this.cursors.set(k, c);
    this.order = [...next.values()];
    this.nextCursor = 0;
    this.cluster.addTopics(new Set(partitions.map((p) => p.topic)));
  }

  /**
   * Joins the consumer group (`groupId`) for these topics; the group's leader splits their
   * partitions between its members, and rebalances move them as members come and go.
   */
  subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener = {}): void {
    this.assertOpen();
    const groupId = this.config.groupId;
    if (groupId === null)
      throw new ConfigError('groupId', 'subscribe() needs a groupId; use assign() without one');
    if (topics instanceof RegExp) {
      // A pattern: every topic of the cluster is watched, and matches are re-evaluated as
      // metadata refreshes; a new match triggers a rebalance.
      this.pattern = topics;
      this.cluster.watchAllTopics();
      this.subscription = [];
    } else {
      if (
        !Array.isArray(topics) ||
        topics.length === 0 ||
        topics.some((t) => typeof t !== 'string' || t === '')
      ) {
        throw new ConfigError('topics', 'expected a non-empty array of topic names, or a RegExp');
      }
      this.pattern = null;
      this.subscription = [...new Set(topics)].sort();
    }
    this.listener = listener;
    this.cluster.addTopics(this.subscription);
    this.group('subscribe()').needsRejoin = true;
  }

  /**
   * The group this consumer commits to (and, after `subscribe`, is a member of). With `assign`
   * it is never joined: commits then go in as from outside group management (generation -1),
   * as Java's do.
   */
  private group(what: string): GroupMembership {
    const groupId = this.config.groupId;
    if (groupId === null) throw new ConfigError('groupId', `${what} needs a groupId`);
    if (!this.membership) {
      const options = {
        groupId,
        groupInstanceId: this.config.groupInstanceId,
        sessionTimeoutMs: this.config.sessionTimeoutMs,
        rebalanceTimeoutMs: this.config.maxPollIntervalMs,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
        assignors: this.config.partitionAssignmentStrategy,
        retryBackoffMs: this.config.retryBackoffMs,
        retryBackoffMaxMs: this.config.retryBackoffMaxMs,
      };
      this.membership =
        this.config.groupProtocol === 'consumer'
          ? new ConsumerGroupMembership(this.cluster, {
              ...options,
              remoteAssignor: this.config.groupRemoteAssignor,
            })
          : new GroupMembership(this.cluster, options);
      this.membership.events = {
        heartbeatFailed: (err) => this.emit('heartbeatFailed', err),
        coordinatorChanged: (coordinator) => this.emit('coordinatorChanged', { group: groupId, coordinator }),
      };
    }
    return this.membership as GroupMembership;
  }

  /**
   * Commits, for every assigned partition, the offset after the last record the application
   * finished, and resolves when the coordinator has them (Java: `commitSync`). After `poll()` that
   * is every record it handed out; inside `run()`, the records whose handler resolved (not the
   * one running); with the async iterator, the batches it yielded.
   * While a cooperative rebalance is in flight it rejects with a REBALANCE_IN_PROGRESS
   * KafkaError (Java: `RebalanceInProgressException`): poll to complete it, then commit again.
   * Once the group went on without this member (it polled later than `maxPollIntervalMs`, or its
   * session expired) it rejects with an UNKNOWN_MEMBER_ID KafkaError and commits nothing (Java:
   * `CommitFailedException`): the next poll calls `onPartitionsLost` and rejoins.
   */
  async commit(): Promise<void>;
  /**
   * Commits the given offsets (Java: `commitSync(Map)`): each the offset of the next record to
   * read, i.e. the last processed offset + 1. The same rules as `commit()` apply.
   */
  async commit(offsets: readonly CommitOffset[]): Promise<void>;
  async commit(offsets?: readonly CommitOffset[]): Promise<void> {
    this.assertOpen();
    if (offsets === undefined) {
      await this.commitPositions(this.order);
      this.lastCommitAt = Date.now();
      return;
    }
    if (!Array.isArray(offsets))
      throw new ConfigError('offsets', 'expected an array of { topic, partition, offset }');
    const checked = offsets.map((o) => {
      checkTopicPartition(o, 'offsets');
      const offset =
        typeof o.offset === 'bigint' ? o.offset : Number.isSafeInteger(o.offset) ? BigInt(o.offset) : -1n;
      if (offset < 0n)
        throw new ConfigError('offsets', `offset must be a non-negative integer, got ${String(o.offset)}`);
      return { topic: o.topic, partition: o.partition, offset };
    });
    await this.group('commit()').commit(checked);
  }

  private async commitPositions(cursors: readonly Cursor[]): Promise<void> {
    const m = this.group('commit()');
    const offsets = [];
    for (const c of cursors)
      if (c.consumed !== null && !c.detached)
        offsets.push({ topic: c.topic, partition: c.partition, offset: c.consumed });
    await m.commit(offsets);
  }

  /**
   * The group's committed offsets of partitions (Java: `committed`), in the order asked: the
   * offset the group resumes from, or null where it has committed none.
   */
  async committed(
    partitions: readonly TopicPartition[],
  ): Promise<(TopicPartition & { offset: bigint | null })[]> {
    this.assertOpen();
    if (!Array.isArray(partitions))
      throw new ConfigError('partitions', 'expected an array of { topic, partition }');
    for (const tp of partitions) checkTopicPartition(tp, 'partitions');
    const found = await this.group('committed()').committed(partitions);
    return partitions.map(({ topic, partition }) => {
      const offset = found.get(key(topic, partition));
      return { topic, partition, offset: offset !== undefined && offset >= 0n ? offset : null };
    });
  }

  /** The first offset of each partition (Java: `beginningOffsets`). */
  async beginningOffsets(
    partitions: readonly TopicPartition[],
  ): Promise<(TopicPartition & { offset: bigint })[]> {
    return this.lookup(partitions.map((tp) => ({ ...tp, query: 'earliest' as const })));
  }

  /**
   * The offset after the last record of each partition (Java: `endOffsets`): the high watermark,
   * or with `isolationLevel: 'read_committed'` the last stable offset.
   */
  async endOffsets(partitions: readonly TopicPartition[]): Promise<(TopicPartition & { offset: bigint })[]> {
    return this.lookup(partitions.map((tp) => ({ ...tp, query: 'latest' as const })));
  }

  /**
   * For each partition, the first record whose timestamp is at or after the one given (Java:
   * `offsetsForTimes`), or null when every record is older. `seek` to its offset to read from
   * a point in time.
   */
  async offsetsForTimes(
    query: readonly (TopicPartition & { timestamp: number })[],
  ): Promise<(TopicPartition & { found: { offset: bigint; timestamp: number } | null })[]> {
    for (const q of query) {
      if (!Number.isSafeInteger(q?.timestamp) || q.timestamp < 0)
        throw new ConfigError(
          'timestamp',
          `must be a non-negative integer of milliseconds, got ${String(q?.timestamp)}`,
        );
    }
    const found = await this.lookup(
      query.map((q) => ({ topic: q.topic, partition: q.partition, query: { timestamp: q.timestamp } })),
    );
    return found.map((f) => ({
      topic: f.topic,
      partition: f.partition,
      found: f.offset >= 0n ? { offset: f.offset, timestamp: f.timestamp } : null,
    }));
  }

  private async lookup(lookups: OffsetLookup[]): Promise<OffsetFound[]> {
    for (const l of lookups) checkTopicPartition(l, 'partitions');
    await this.connect();
    return lookupOffsets(this.cluster, lookups, {
      timeoutMs: this.config.requestTimeoutMs,
      retryBackoffMs: this.config.retryBackoffMs,
      retryBackoffMaxMs: this.config.retryBackoffMaxMs,
      isolationLevel: this.config.isolationLevel,
    });
  }

  /** Starts a commit and returns at once; `onComplete` hears how it went (Java: `commitAsync`). */
  commitAsync(onComplete?: (err?: Error) => void): void {
    const commit = this.commit();
    const settled = () => this.asyncCommits.delete(commit);
    this.asyncCommits.add(commit);
    commit.then(settled, settled);
    commit.then(
      () => onComplete?.(),
      (err: unknown) => onComplete?.(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /**
   * Runs the group's side of a poll (`ensureGroup`, one at a time) and waits for it until
   * `deadline`. A step that takes longer (a commit or an offset lookup while the coordinator is
   * unavailable) goes on in the background, the next polls wait on the same one, and what it
   * fails with is thrown by the next poll. The join itself always runs in the background (see
   * `rebalance`): polls used to await it under the eager protocol, so with no coordinator every
   * poll hung for good (JoinGroup retried behind FindCoordinator, no error, no event), and any
   * eager rebalance held a poll until the slowest member rejoined. Regression tests:
   * consumer-deadlines.test.ts.
   */
  private async groupStepUntil(deadline: number, signal?: AbortSignal): Promise<void> {
    if (!this.groupStep && this.membership && this.subscription && !this.stopping) {
      const step: Promise<void> = this.ensureGroup().then(
        () => {
          this.groupStep = null;
        },
        (error: unknown) => {
          this.groupStep = null;
          this.groupFailure = { error };
        },
      );
      this.groupStep = step;
    }
    if (this.groupStep) await settledBy(this.groupStep, deadline, signal);
    const failure = this.groupFailure;
    if (failure) {
      this.groupFailure = null;
      throw failure.error;
    }
  }

  /** The group's side of a poll: a rebalance if one is due, and the auto-commit. */
  private async ensureGroup(): Promise<void> {
    const m = this.membership;
    if (!m || !this.subscription) return;
    await this.rebalance(m);
    if (
      !this.rebalancing &&
      !m.needsRejoin &&
      this.config.enableAutoCommit &&
      Date.now() - this.lastCommitAt >= this.config.autoCommitIntervalMs
    ) {
      this.lastCommitAt = Date.now();
      this.commitAsync();
    }
  }

  /**
   * One step of the rebalance state machine: apply a finished background join, drop lost
   * partitions, and start a join when one is due. Under the eager protocol everything is revoked
   * first; under either the join runs in the background and the poll that finds it finished
   * applies it, listeners included.
   */
  private async rebalance(m: GroupMembership): Promise<void> {
    const outcome = this.joined;
    if (outcome) {
      this.joined = null;
      if ('error' in outcome) throw outcome.error;
      await this.completeJoin(m, outcome.assignment, outcome.view);
    }
    if (m.lost) {
      const lost = this.assignment();
      this.assign([]);
      if (lost.length > 0) {
        await this.listener.onPartitionsLost?.(lost);
        this.emit('partitionsLost', lost);
      }
    }
    if (this.rebalancing) return;
    if (this.viewOfSubscription() !== this.joinedView) m.needsRejoin = true;
    if (!m.needsRejoin) return;
    if (m.protocol === 'eager') {
      const revoked = this.assignment();
      if (revoked.length > 0) {
        // Eager protocol: commit what the application finished, then give everything up before the join.
        if (this.config.enableAutoCommit) await this.commit().catch(() => {});
        await this.listener.onPartitionsRevoked?.(revoked);
        this.assign([]);
        this.emit('partitionsRevoked', revoked);
      }
    }
    if (this.pattern) await this.cluster.refresh();
    else if (this.viewOfSubscription().includes(':-1')) {
      // A topic just subscribed to has no metadata yet: learn its partition count before the
      // join, or the view would change right after it and cost a second rebalance.
      await this.cluster.refresh(this.subscription ?? []).catch(() => {});
    }
    const view = this.viewOfSubscription();
    const subscription = this.subscription ?? [];
    if (m.protocol === 'cooperative') {
      // KIP-429: keep everything still subscribed; only partitions of topics left behind go now.
      const topics = new Set(subscription);
      const gone = this.order.filter((c) => !topics.has(c.topic));
      if (gone.length > 0) await this.revoke(gone);
    }
    const join = m.join(subscription, this.assignment(), (topics) => this.partitionCounts(topics));
    this.joinStartedAt = Date.now();
    this.emit('rebalanceStarted', { group: m.options.groupId, memberId: m.memberId });
    this.publishRebalance({ group: m.options.groupId, phase: 'start', memberId: m.memberId });
    this.rebalancing = join
      .then(
        (assignment) => {
          this.joined = { assignment, view };
          if (assignment) this.consumerMetrics.rebalanced(Date.now() - this.joinStartedAt);
        },
        (error: unknown) => {
          this.joined = { error };
          this.consumerMetrics.rebalanceFailed();
          const e = error instanceof Error ? error : new Error(String(error));
          this.emit('rebalanceFailed', { group: m.options.groupId, error: e });
          this.publishRebalance({
            group: m.options.groupId,
            phase: 'fail',
            memberId: m.memberId,
            durationMs: Date.now() - this.joinStartedAt,
            error: e,
          });
        },
      )
      .finally(() => {
        this.rebalancing = null;
        this.wakeWaiters();
      });
  }

  /**
   * Applies a new assignment as a difference (Java `ConsumerCoordinator.onJoinComplete`): revoked
   * = owned − assigned goes first (committed when auto-commit is on), kept partitions keep their
   * cursors, added = assigned − owned start from the committed offsets. Under the eager protocol
   * nothing is owned by now, so everything is added.
   */
  private async completeJoin(m: GroupMembership, assignment: Assignment | null, view: string): Promise<void> {
    if (!assignment) return; // lost mid-join: the caller drops the partitions and joins again
    this.joinedView = view;
    const next = new Set(assignment.partitions.map((tp) => key(tp.topic, tp.partition)));
    const revoked = this.order.filter((c) => !next.has(key(c.topic, c.partition)));
    const added = assignment.partitions.filter((tp) => !this.cursors.has(key(tp.topic, tp.partition)));
    if (revoked.length > 0) await this.revoke(revoked);
    // The committed offsets are known before the new cursors exist: a cursor without a position
    // would otherwise go to autoOffsetReset at once, and a poll meanwhile (the join's step runs
    // past poll deadlines) handed out records from there — from offset 0 with 'earliest', though
    // the group had committed far beyond (duplicates downstream, the committed offset moved
    // back). A failed lookup is left to the cursors' own lookup, retried, never reset past it.
    // Regression test: consumer-rebalance-positions.test.ts.
    let committed: Map<string, bigint> | null = null;
    if (added.length > 0) committed = await m.committed(added).catch(() => null);
    this.place(assignment.partitions);
    const held: Cursor[] = [];
    for (const tp of added) {
      const c = this.cursor(tp);
      // Nothing fetched or handed out before onPartitionsAssigned returns (where a seek may go).
      c.held = true;
      held.push(c);
      if (!committed) continue;
      const offset = committed.get(key(tp.topic, tp.partition));
      if (offset !== undefined && offset >= 0n) this.setPosition(c, offset);
      else c.committedChecked = true; // none committed: autoOffsetReset applies
    }
    this.kick();
    try {
      await this.listener.onPartitionsAssigned?.(added);
    } finally {
      for (const c of held) c.held = false;
      this.kick();
    }
    if (added.length > 0) this.emit('partitionsAssigned', added);
    const finished = {
      group: m.options.groupId,
      memberId: m.memberId,
      generation: m.generation,
      assigned: assignment.partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
      durationMs: Date.now() - this.joinStartedAt,
    };
    this.emit('rebalanceFinished', finished);
    this.publishRebalance({ ...finished, phase: 'finish' });
    this.lastCommitAt = Date.now();
    // A cooperative assignor gave what we revoked to nobody yet: the follow-up rebalance does.
    if (revoked.length > 0 && assignment.protocol === 'cooperative') m.needsRejoin = true;
    // KIP-848: tell the broker at once what we own now (it hands what we released to others).
    if ((revoked.length > 0 || added.length > 0) && m.groupProtocol === 'consumer') m.needsRejoin = true;
  }

  /** Gives partitions up while keeping the rest: commit (auto-commit), listener, then drop the cursors. */
  private async revoke(cursors: readonly Cursor[]): Promise<void> {
    if (this.config.enableAutoCommit) await this.commitPositions(cursors).catch(() => {});
    const revoked = cursors.map((c) => ({ topic: c.topic, partition: c.partition }));
    await this.listener.onPartitionsRevoked?.(revoked);
    const gone = new Set(cursors);
    this.assign(
      this.order.filter((c) => !gone.has(c)).map((c) => ({ topic: c.topic, partition: c.partition })),
    );
    this.emit('partitionsRevoked', revoked);
  }

  /** The leader's view of partition counts for the assignor, fresh from metadata. */
  private async partitionCounts(topics: readonly string[]): Promise<Map<string, number>> {
    const md = await this.cluster.refresh(topics);
    const counts = new Map<string, number>();
    for (const t of topics) {
      const info = md.topics.get(t);
      if (info && info.errorCode === ErrorCode.NONE) counts.set(t, info.partitions.length);
    }
    return counts;
  }

  /**
   * The subscribed topics (pattern matches recomputed) and their partition counts, as one
   * string; refreshes metadata in the background when it is older than metadataMaxAgeMs.
   */
  private viewOfSubscription(): string {
    const md = this.cluster.metadata;
    if (Date.now() - md.updatedAt > this.config.metadataMaxAgeMs) void this.cluster.refresh().catch(() => {});
    if (this.pattern) {
      const re = this.pattern;
      this.subscription = [...md.topics.values()]
        .filter((t) => !t.isInternal && t.errorCode === ErrorCode.NONE && re.test(t.name))
        .map((t) => t.name)
        .sort();
    }
    return (this.subscription ?? [])
      .map((t) => `${t}:${md.topics.get(t)?.partitions.length ?? -1}`)
      .join(',');
  }

  /**
   * The application did not poll within maxPollIntervalMs: leave the group so the others take
   * the partitions (Java does the same from its heartbeat thread). The next poll rejoins.
   */
  private pollTooLate(): void {
    const m = this.membership;
    if (!m || this.closed) return;
    void m.leaveForRejoin();
  }

  /**
   * Starts the maxPollIntervalMs watchdog as a poll returns. It used to start as a poll began, so
   * time spent inside the poll counted: a poll waiting on an idle topic longer than the interval,
   * or an eager join the broker held until a slower member rejoined (up to the rebalance timeout,
   * which is this same interval), made a member that was polling leave the group (LeaveGroup
   * "max.poll.interval.ms exceeded" in the middle of its poll). Java counts only the time between
   * polls. Regression test: max-poll-interval.test.ts, "a poll that waits longer than it".
   */
  private armPollWatchdog(): void {
    if (this.pollWatchdog) clearTimeout(this.pollWatchdog);
    this.pollWatchdog = null;
    if (!this.membership || !this.subscription || this.closed) return;
    this.pollWatchdog = setTimeout(() => this.pollTooLate(), this.config.maxPollIntervalMs);
    this.pollWatchdog.unref();
  }

  /** Wanted topics the cluster does not have: reported, not fetched (missing-topics.ts). */
  private onMetadata(md: MetadataSnapshot): void {
    if (this.closed) return;
    const wanted = new Set<string>(this.pattern ? [] : (this.subscription ?? []));
    for (const c of this.order) wanted.add(c.topic);
    const { missing, back } = this.missingTopics.update(md, wanted);
    for (const topic of missing) {
      this.config.log.warn(
        { topic, group: this.config.groupId ?? undefined },
        'Topic not found; waiting for it to be created',
      );
      const partitions = this.order
        .filter((c) => c.topic === topic)
        .map((c) => ({ topic, partition: c.partition }));
      // Not from inside the metadata update: a listener that throws must not fail the refresh.
      process.nextTick(() => this.emit('topicNotFound', { topic, partitions }));
    }
    for (const topic of back) this.config.log.info({ topic }, 'Topic found');
    if (back.length > 0) this.kick();
  }

  /**
   * The group identity a transactional producer's `sendOffsetsToTransaction` needs (Java:
   * `groupMetadata()`): with the generation and member id of the last join, the group refuses the
   * offsets of a member it has fenced meanwhile (KIP-447). Outside group management (assign())
   * the generation is -1 and the member id ''.
   */
  groupMetadata(): {
    groupId: string;
    generationId: number;
    memberId: string;
    groupInstanceId: string | null;
  } {
    const groupId = this.config.groupId;
    if (groupId === null) throw new ConfigError('groupId', 'groupMetadata() needs a groupId');
    const m = this.membership;
    return {
      groupId,
      generationId: m?.generation ?? -1,
      memberId: m?.memberId ?? '',
      groupInstanceId: this.config.groupInstanceId,
    };
  }

  /** The partitions assigned. */
  assignment(): TopicPartition[] {
    return this.order.map((c) => ({ topic: c.topic, partition: c.partition }));
  }

  /** Next offset the application will get from a partition (null before it is known). */
  position(tp: TopicPartition): bigint | null {
    return this.cursor(tp).position;
  }

  /** Reads from `offset` next (Java: `seek`). */
  seek(tp: TopicPartition, offset: bigint | number): void {
    const c = this.cursor(tp);
    const o = BigInt(offset);
    if (o < 0n) throw new ConfigError('offset', `must be >= 0, got ${o}`);
    this.setPosition(c, o);
    this.kick();
  }

  /** Reads from the earliest offset still in the log next (Java: `seekToBeginning`). */
  seekToBeginning(tps: readonly TopicPartition[] = this.assignment()): void {
    for (const tp of tps) this.requestReset(this.cursor(tp), 'earliest');
    this.kick();
  }

  /** Reads from the latest offset next: only records produced from now on (Java: `seekToEnd`). */
  seekToEnd(tps: readonly TopicPartition[] = this.assignment()): void {
    for (const tp of tps) this.requestReset(this.cursor(tp), 'latest');
    this.kick();
  }

  /** Stops handing out (and fetching) records of these partitions until `resume`. */
  pause(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.cursor(tp).paused = true;
  }

  /** Hands out and fetches records of these partitions again, from where they stopped. */
  resume(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.cursor(tp).paused = false;
    this.kick();
  }

  /** The partitions paused now. */
  paused(): TopicPartition[] {
    return this.order.filter((c) => c.paused).map((c) => ({ topic: c.topic, partition: c.partition }));
  }

  /**
   * Up to `maxPollRecords` records, as batches per partition in offset order. Waits up to
   * `timeoutMs` when nothing is buffered, and resolves with an empty array then, whatever the
   * cluster does: a rebalance or a coordinator lookup that takes longer goes on in the
   * background. Rejects with a partition's error (e.g. OFFSET_OUT_OF_RANGE with autoOffsetReset
   * 'none') once. The records it returns count as processed: the next commit (auto-commit
   * included) covers them. One poll at a time: another one, or `run()` or an iteration under way,
   * makes it reject with an `IllegalStateError`.
   */
  async poll(options: PollOptions = {}): Promise<ConsumerBatch[]> {
    this.assertOpen();
    this.claim('poll()');
    try {
      const taken = await this.pollOnce(options.timeoutMs ?? 1000, options.signal, false);
      const batches = taken.map((t) => t.batch);
      if (this.config.tracing && batches.length > 0) {
        const topics = [...new Set(batches.map((b) => b.topic))];
        this.config.tracing.received(
          topics,
          batches.flatMap((b) => b.records),
          this.config.groupId,
        );
      }
      return batches;
    } finally {
      this.reader = null;
    }
  }

  /**
   * Takes the reader's place, or throws. Two polls at once used to run two rebalance steps side
   * by side, each starting a JoinGroup for the same member. Regression test:
   * consumer-delivery.test.ts, "one reader at a time".
   */
  private claim(reader: Reader): void {
    if (this.reader !== null) {
      throw new IllegalStateError(
        `${reader} called while ${this.reader} is under way: a consumer has one reader at a time (await the poll, or stop run() / the iteration, first)`,
      );
    }
    this.reader = reader;
  }

  /** One poll; `tracked`: its records do not count as processed (run() and the iterator count them). */
  private async pollOnce(
    timeoutMs: number,
    signal: AbortSignal | undefined,
    tracked: boolean,
  ): Promise<Taken[]> {
    // maxPollIntervalMs bounds the time the application spends away from poll, not in it.
    if (this.pollWatchdog) clearTimeout(this.pollWatchdog);
    try {
      return await this.pollRecords(Date.now() + timeoutMs, signal, tracked);
    } finally {
      this.armPollWatchdog();
    }
  }

  private async pollRecords(
    deadline: number,
    signal: AbortSignal | undefined,
    tracked: boolean,
  ): Promise<Taken[]> {
    if (!(await this.bootstrap.connectedBy(deadline, signal))) return [];
    for (;;) {
      await this.groupStepUntil(deadline, signal);
      this.kick();
      const out = this.take(tracked);
      if (out.length > 0 || Date.now() >= deadline || signal?.aborted || this.stopping) return out;
      // Woken by records, an error, a finished background join (applied by the next step) or close.
      await this.waitForData(deadline, signal);
    }
  }

  /** True once close() began: polls return, run() and the iterator stop at the next record. */
  get stopping(): boolean {
    return this.closing !== null || this.closed;
  }

  /**
   * Batches as they come, until `close()` or the signal. A batch counts as processed (the next
   * commit covers it) once the iterator yields it; batches of a poll it did not yield (a `break`,
   * a throw) are delivered again by the next poll. The iteration is the consumer's one reader
   * while it lasts.
   */
  async *batches(signal?: AbortSignal): AsyncGenerator<ConsumerBatch> {
    this.assertOpen();
    this.claim('the async iterator');
    try {
      yield* deliverBatches(this.deliveryHost(), signal);
    } finally {
      this.reader = null;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<ConsumerBatch> {
    return this.batches();
  }

  /**
   * Calls `eachBatch` or `eachMessage` for everything read, in order per partition, until close
   * or abort. A record counts as processed (auto-commit, close and rebalances commit it) once its
   * handler resolved. A handler that throws ends the loop: run() rejects with a `HandlerError`
   * carrying the record's topic, partition and offset and the handler's error as `cause`; the
   * partition is rewound to that record (nothing from it on is committed), and the next poll or
   * run delivers it again. `close()` during run() lets the running handler finish and commits
   * what had finished before.
   */
  async run(options: RunOptions): Promise<void> {
    if (!options?.eachBatch && !options?.eachMessage)
      throw new ConfigError('run', 'give eachBatch or eachMessage');
    this.assertOpen();
    this.claim('run()');
    try {
      await runHandlers(this.deliveryHost(), options);
    } finally {
      this.reader = null;
    }
  }

  private deliveryHost(): DeliveryHost {
    const consumer = this;
    return {
      pollTaken: (timeoutMs, signal) => this.pollOnce(timeoutMs, signal, true),
      get stopping() {
        return consumer.stopping;
      },
      rewind: () => this.rewind(),
      tracing: this.config.tracing,
      groupId: this.config.groupId,
    };
  }

  /** Partitions whose position ran ahead of what the application finished go back to it (delivery.ts). */
  private rewind(): void {
    let moved = false;
    for (const c of this.order) {
      if (c.consumed !== null && c.position !== c.consumed) {
        this.setPosition(c, c.consumed);
        moved = true;
      }
    }
    if (moved) this.kick();
  }

  /**
   * The consumer's metrics under the Java client's names (`records-consumed-rate`,
   * `records-lag-max`, `records-lag{topic=…,partition=…}`, `fetch-latency-avg`,
   * `commit-latency-avg`, `rebalance-total`, `connection-count`, ...), read now. Lag is kept from
   * the fetch responses (high watermark − position), without extra requests.
   */
  metrics(): MetricsSnapshot {
    return this.consumerMetrics.registry.snapshot();
  }

  /** @internal */
  [METRICS_REGISTRY](): MetricsRegistry {
    return this.consumerMetrics.registry;
  }

  /**
   * Closes the consumer, in Java's order (`KafkaConsumer.close`): commits started by
   * `commitAsync` get up to a second to finish; with auto-commit the positions the application
   * finished are committed; after `subscribe`, `onPartitionsRevoked` is called with every
   * assigned partition (`onPartitionsLost` when they are no longer this member's, or a rebalance
   * is under way), where the application may still commit; then the consumer leaves the group
   * (not a static member) and closes its connections. A poll under way returns; `run()` and the
   * iterator stop at the next record. Calls made meanwhile share the one close. Rejects with the
   * listener's error if it threw, once closed anyway.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    if (this.closed) return;
    this.wakeWaiters(); // a poll waiting for records returns now
    // Async commits first (bounded), as Java's close: sent after the leave they would be
    // refused. One still retrying after that is abandoned (fenced), so that it cannot land
    // after the final commit and move the offsets back.
    if (this.asyncCommits.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(this.asyncCommits),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 1000);
        }),
      ]);
      clearTimeout(timer);
    }
    const m = this.membership;
    m?.fenceCommits();
    if (m && this.config.enableAutoCommit && !m.lost && !m.needsRejoin) {
      await this.commit().catch(() => {});
    }
    const listenerError = await this.revokeAtClose(m);
    if (this.pollWatchdog) clearTimeout(this.pollWatchdog);
    await m?.leave();
    this.closed = true;
    if (this.kickTimer) clearTimeout(this.kickTimer);
    this.missingTopics.close();
    this.wakeWaiters();
    // Left in flight now: fetches and offset lookups whose answers nobody reads any more.
    // Closing used to wait up to 1 s for them (cluster.close(1000)): every close sat out the
    // fetch long poll (fetchMaxWaitMs), and a full second against a broker gone silent.
    // Regression test: consumer-faults.test.ts, "…closes promptly".
    await this.cluster.close(0);
    if (listenerError) throw listenerError.error;
  }

  /**
   * Java's `onLeavePrepare`: a closing group member gives its partitions up through the listener,
   * after the final auto-commit; `onPartitionsLost` when the group may have given them to
   * someone else already (lost, or a join in flight). close() used to skip the listener, so an
   * application that commits by hand in onPartitionsRevoked (the usual Java pattern) lost its
   * last commit on every clean shutdown. Regression test: consumer-delivery.test.ts, "close()
   * calls onPartitionsRevoked".
   */
  private async revokeAtClose(m: GroupMembership | null): Promise<{ error: unknown } | null> {
    if (!m || !this.subscription) return null;
    const partitions = this.assignment();
    if (partitions.length === 0) return null;
    try {
      const lost = m.lost || this.rebalancing !== null;
      if (lost) await this.listener.onPartitionsLost?.(partitions);
      else await this.listener.onPartitionsRevoked?.(partitions);
      this.emit(lost ? 'partitionsLost' : 'partitionsRevoked', partitions);
      return null;
    } catch (error) {
      return { error };
    } finally {
      this.assign([]);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private cursor(tp: TopicPartition): Cursor {
    const c = this.cursors.get(key(tp?.topic, tp?.partition));
    // Java: IllegalStateException "No current assignment for partition". This was a ConfigError,
    // which the CLI reports as a usage error (exit 2). Regression test: consumer-delivery.test.ts.
    if (!c) throw new IllegalStateError(`No current assignment for partition ${tp?.topic}-${tp?.partition}`);
    return c;
  }

  private assertOpen(): void {
    if (this.closed) throw new IllegalStateError('This consumer is closed');
  }

  /**
   * Reads from `offset` next. `finished`: the application is done with everything before it
   * (a seek, a reset, a committed offset, a rewind), so commits send it; false when the records
   * before it were handed out but maybe not processed (a corrupt batch fetched again).
   */
  private setPosition(c: Cursor, offset: bigint, finished = true): void {
    c.committedChecked = true; // a position is known: no committed offset to look up
    c.clearBuffer(this.memory);
    c.aborts.clear();
    c.epoch++;
    c.position = offset;
    if (finished) c.consumed = offset;
    c.fetchOffset = offset;
    c.resetting = false;
    c.error = null;
    c.inFlight = false;
  }

  private resetTo = new Map<Cursor, 'earliest' | 'latest'>();

  private requestReset(c: Cursor, to: 'earliest' | 'latest'): void {
    c.committedChecked = true; // a position asked for: the group's committed one does not apply
    c.clearBuffer(this.memory);
    c.epoch++;
    c.position = null;
    c.consumed = null;
    c.fetchOffset = null;
    c.inFlight = false;
    this.resetTo.set(c, to);
  }

  /** Hands out buffered records round-robin over partitions, up to maxPollRecords. */
  private take(tracked: boolean): Taken[] {
    const out: Taken[] = [];
    let budget = this.config.maxPollRecords;
    const n = this.order.length;
    for (let i = 0; i < n && budget > 0; i++) {
      const c = this.order[(this.nextCursor + i) % n];
      // An error comes from a fetch after the records buffered: those are handed out first.
      if (c.error && (c.paused || !c.hasBuffered)) {
        const err = c.error;
        c.error = null;
        if (out.length === 0) throw err;
        c.error = err; // deliver what we have first, the error next poll
        break;
      }
      if (c.paused || c.held || !c.hasBuffered) continue;
      let records: DecodedRecord[] = [];
      let failure: unknown = null;
      while (budget > 0) {
        if (c.bufferedIndex >= c.buffered.length) {
          try {
            if (!this.decodeNext(c)) break;
          } catch (err) {
            failure = err;
            break;
          }
        }
        const batch = c.buffered;
        const from = c.bufferedIndex;
        const end = Math.min(batch.length, from + budget);
        if (records.length === 0 && from === 0 && end === batch.length) records = batch;
        else for (let r = from; r < end; r++) records.push(batch[r]);
        budget -= end - from;
        c.bufferedIndex = end;
      }
      // Its last batch fully handed out: release its memory now, or a partition with nothing
      // more fetched would hold it (and the fetch budget) until its next record.
      if (failure === null) c.handedOut(this.memory);
      if (records.length > 0) {
        c.position = records[records.length - 1].offset + 1n;
        // poll(): handed out is processed. run() and the iterator say when (delivery.ts).
        if (!tracked) c.consumed = c.position;
      }
      if (failure !== null) {
        // A corrupt batch: drop what is buffered and fetch it again from the position, so the
        // error repeats until the application seeks past it (Java's behaviour too).
        if (c.position !== null) this.setPosition(c, c.position, false);
        c.error = this.partitionError(c, failure);
      }
      const batch = { topic: c.topic, partition: c.partition, records, highWatermark: c.highWatermark };
      if (records.length > 0) {
        out.push({ batch, cursor: c, epoch: c.epoch });
        this.consumerMetrics.consumed(records.length);
      }
      if (failure !== null) {
        if (out.length === 0) {
          const err = c.error as Error;
          c.error = null;
          throw err;
        }
        break;
      }
    }
    if (n > 0) this.nextCursor = (this.nextCursor + 1) % n;
    return out;
  }

  /**
   * `err` naming the partition. The record decoder's ProtocolError names the batch's offset
   * only, so with several partitions assigned the application could not tell which one to seek
   * past (Java: "Received exception when fetching the next record from <topic-partition>. If
   * needed, please seek past the record to continue consumption"). Regression test:
   * consumer-faults.test.ts, "names the topic and partition of a corrupt batch".
   */
  private partitionError(c: Cursor, err: unknown): Error {
    if (err instanceof ProtocolError) {
      return new ProtocolError(`${err.message} [topic ${c.topic}, partition ${c.partition}]`, {
        cause: err,
        topic: c.topic,
        partition: c.partition,
      });
    }
    if (err instanceof CodecUnavailableError) {
      // A batch this Node cannot decompress (zstd before Node 22.15): as a corrupt one, it fails
      // every poll until the application seeks past it. It used to read as "Corrupt zstd data".
      return new CodecUnavailableError(`${err.message} [topic ${c.topic}, partition ${c.partition}]`, {
        cause: err,
        codec: err.codec,
        packageName: err.packageName,
        topic: c.topic,
        partition: c.partition,
      });
    }
    return err instanceof Error ? err : new Error(String(err));
  }

  /** See Cursor.decodeNext: the next batch decoded, the last one's memory released. */
  private decodeNext(c: Cursor): boolean {
    return c.decodeNext(this.memory);
  }

  private waitForData(deadline: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }

  private wakeWaiters(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Starts what needs starting: offset resets, and a fetch loop per leader with work. */
  private kick(): void {
    if (this.closed || !this.bootstrap.connected) return;
    // With a groupId, start where the group committed, as Java does (after subscribe the join
    // looks committed offsets up before placing the cursors; these are the ones it could not).
    const fromGroup = this.config.groupId !== null;
    let lookUp: Cursor[] | null = null;
    for (const c of this.order) {
      if (c.position === null && fromGroup && !c.committedChecked) {
        // Not to autoOffsetReset while the lookup is due, even after a failed one: that could
        // jump past what the group committed. A failed lookup is tried again after a backoff.
        if (c.retryAt <= Date.now()) {
          c.committedChecked = true;
          c.resetting = true;
          (lookUp ??= []).push(c);
        }
        continue;
      }
      if (c.position === null && !this.resetTo.has(c) && !c.resetting) {
        const policy = this.config.autoOffsetReset;
        if (policy === 'none') {
          if (!c.error) {
            c.error = new KafkaError(
              ErrorCode.OFFSET_OUT_OF_RANGE,
              { topic: c.topic, partition: c.partition },
              'no offset to start from and autoOffsetReset is none',
            );
            c.resetting = true; // until a seek
            this.wakeWaiters();
          }
        } else {
          this.resetTo.set(c, policy);
        }
      }
    }
    if (lookUp) void this.startFromCommitted(lookUp);
    if (this.resetTo.size > 0) void this.runResets();
    const nodes = new Set<number>();
    for (const c of this.order) {
      if (this.missingTopics.has(c.topic)) continue; // checked again by onMetadata's timer
      const leader = this.cluster.leaderFor(c.topic, c.partition);
      if (leader === undefined) {
        this.refreshSoon();
        continue;
      }
      if (this.fetchable(c)) nodes.add(leader);
    }
    for (const node of nodes) {
      if (!this.loops.has(node)) {
        this.loops.add(node);
        void this.fetchLoop(node).finally(() => this.loops.delete(node));
      }
    }
  }

  private fetchable(c: Cursor): boolean {
    return (
      c.fetchOffset !== null &&
      !c.paused &&
      !c.held &&
      !c.inFlight &&
      c.error === null &&
      c.retryAt <= Date.now() &&
      !this.missingTopics.has(c.topic) &&
      c.bufferedBytes < this.config.maxPartitionFetchBytes &&
      this.memory.room > 0
    );
  }

  private kickTimer: NodeJS.Timeout | null = null;
  /** Fetch requests sent to each broker: where its next request starts (see fetchLoop). */
  private readonly fetchTurns = new Map<number, number>();

  /** Kicks again after `ms` (a partition's retry backoff ends then). */
  private kickAfter(ms: number): void {
    if (this.kickTimer || this.closed) return;
    const at = Date.now() + ms;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = null;
      // A timer counts from the event loop's cached clock, so it may fire a millisecond before
      // Date.now() reaches a partition's retryAt: that kick found nothing due, and nothing kicked
      // again until the next poll (a retry stalled for up to the poll's timeout). Wait the rest.
      // Regression test: consumer-faults.test.ts, "fetches again once a backoff is over".
      if (Date.now() < at) this.kickAfter(at - Date.now());
      else this.kick();
    }, ms);
  }

  private refreshSoon(): void {
    if (this.refreshing) return;
    this.refreshing = this.cluster
      .refresh()
      .catch(() => {})
      .then(() => new Promise((r) => setTimeout(r, this.config.retryBackoffMs)))
      .finally(() => {
        this.refreshing = null;
        this.kick();
      });
  }

  /** Positions from the group's committed offsets; partitions without one go on to autoOffsetReset. */
  private async startFromCommitted(cursors: Cursor[]): Promise<void> {
    const epochs = cursors.map((c) => c.epoch);
    let committed: Map<string, bigint> | null = null;
    let failure: Error | null = null;
    try {
      committed = await this.group('assign()').committed(cursors);
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    }
    cursors.forEach((c, i) => {
      if (c.epoch !== epochs[i] || this.cursors.get(key(c.topic, c.partition)) !== c) return; // seeked or unassigned
      c.resetting = false;
      const offset = committed?.get(key(c.topic, c.partition));
      if (offset !== undefined && offset >= 0n) this.setPosition(c, offset);
      else if (failure) {
        // The lookup is tried again rather than skipping to autoOffsetReset, which could jump
        // past what the group committed; reported at poll unless retriable (UNSTABLE_OFFSET_COMMIT
        // while a transaction's offsets are pending, a coordinator moving: Java retries those).
        if (!(failure instanceof KafkaError && failure.retriable)) c.error = failure;
        c.committedChecked = false;
        const wait = backoffMs(c.attempts++, this.config);
        c.retryAt = Date.now() + wait;
        this.kickAfter(wait);
      }
    });
    if (failure) this.wakeWaiters();
    this.kick();
  }

  private async runResets(): Promise<void> {
    if (this.resetting) return;
    this.resetting = true;
    try {
      while (this.resetTo.size > 0 && !this.closed) {
        const batch = [...this.resetTo];
        this.resetTo.clear();
        const byLeader = new Map<number, [Cursor, 'earliest' | 'latest', number][]>();
        for (const [c, to] of batch) {
          if (this.cursors.get(key(c.topic, c.partition)) !== c) continue; // unassigned meanwhile
          const leader = this.cluster.leaderFor(c.topic, c.partition);
          if (leader === undefined) {
            this.resetTo.set(c, to);
            continue;
          }
          c.resetting = true;
          const list = byLeader.get(leader) ?? [];
          list.push([c, to, c.epoch]);
          byLeader.set(leader, list);
        }
        if (byLeader.size === 0) {
          // Partitions of a topic that does not exist wait for onMetadata to see it back.
          if ([...this.resetTo.keys()].every((c) => this.missingTopics.has(c.topic))) break;
          await this.cluster.refresh().catch(() => {});
          await new Promise((r) => setTimeout(r, this.config.retryBackoffMs));
          continue;
        }
        await Promise.all([...byLeader].map(([node, list]) => this.listOffsets(node, list)));
      }
    } finally {
      this.resetting = false;
      this.kick();
    }
  }

  private async listOffsets(node: number, list: [Cursor, 'earliest' | 'latest', number][]): Promise<void> {
    // A broker refuses one partition twice in a request; each cursor appears once here.
    const topics = new Map<string, { partitionIndex: number; timestamp: bigint }[]>();
    for (const [c, to] of list) {
      const ps = topics.get(c.topic) ?? [];
      ps.push({
        partitionIndex: c.partition,
        timestamp: to === 'earliest' ? ListOffsetsTimestamp.earliest : ListOffsetsTimestamp.latest,
      });
      topics.set(c.topic, ps);
    }
    try {
      const res = await this.cluster.sendTo(node, ListOffsets, {
        replicaId: -1,
        isolationLevel: this.config.isolationLevel,
        topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
      });
      const results = new Map<string, { errorCode: number; offset: bigint }>();
      for (const t of res.topics) for (const p of t.partitions) results.set(key(t.name, p.partitionIndex), p);
      for (const [c, to, epoch] of list) {
        c.resetting = false;
        if (c.epoch !== epoch) continue; // seeked meanwhile
        const r = results.get(key(c.topic, c.partition));
        if (r && r.errorCode === ErrorCode.NONE) {
          this.setPosition(c, r.offset);
        } else {
          const err = kafkaError(r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, {
            topic: c.topic,
            partition: c.partition,
          });
          this.cluster.reportError(err);
          if (err.retriable) this.resetTo.set(c, to);
          else c.error = err;
        }
      }
    } catch (err) {
      this.cluster.reportError(err);
      for (const [c, to] of list) {
        c.resetting = false;
        if (shouldRetry(err).retry) this.resetTo.set(c, to);
        else c.error = err instanceof Error ? err : new Error(String(err));
      }
      await new Promise((r) => setTimeout(r, this.config.retryBackoffMs));
    }
  }

  /** One broker's fetch loop: runs while that broker leads fetchable partitions. */
  private async fetchLoop(node: number): Promise<void> {
    while (!this.closed) {
      const fetchable: { c: Cursor; offset: bigint; epoch: number }[] = [];
      for (const c of this.order) {
        if (this.cluster.leaderFor(c.topic, c.partition) === node && this.fetchable(c)) {
          fetchable.push({ c, offset: c.fetchOffset as bigint, epoch: c.epoch });
        }
      }
      if (fetchable.length === 0) return;
      // A broker fills a response in request order, and only the first partition with data is
      // sure to get a whole batch however large: each request to this broker starts one
      // partition further on, so none always comes last (Java rotates its fetch order too).
      const turn = this.fetchTurns.get(node) ?? 0;
      this.fetchTurns.set(node, turn + 1);
      const start = turn % fetchable.length;
      const parts = [...fetchable.slice(start), ...fetchable.slice(0, start)];
      for (const p of parts) p.c.inFlight = true;
      // What is left of fetchMaxBytes, reserved until the answer is kept: fetch loops of several
      // brokers share the one budget, counted as the memory kept batches pin (fetch-memory.ts).
      // Each used to ask for the whole of fetchMaxBytes while the batches' own bytes were under
      // it: 8-11 MiB alive under a 2 MiB fetchMaxBytes in the test, and more with more brokers
      // (the README said about fetchMaxBytes). Regression test: consumer-memory.test.ts.
      // Each broker gets its share of it, not all that is left: a loop long-polling partitions
      // at their end took the whole room again the moment its answer came, so the brokers
      // leading partitions with records never got any — a consumer reading nothing for minutes
      // with lag on other brokers. Regression test: failover.test.ts, "fetch budget".
      const maxBytes = Math.min(this.memory.room, this.fetchShare());
      this.memory.reserved += maxBytes;
      let failed: boolean;
      try {
        failed = await this.fetchOnce(node, parts, maxBytes);
      } finally {
        this.memory.reserved -= maxBytes;
        for (const p of parts) if (p.c.epoch === p.epoch) p.c.inFlight = false;
      }
      if (failed) await new Promise((r) => setTimeout(r, this.config.retryBackoffMs));
    }
  }

  /** fetchMaxBytes split evenly between the brokers leading partitions there is work for. */
  private fetchShare(): number {
    const nodes = new Set<number>();
    for (const c of this.order) {
      if (c.fetchOffset === null || c.paused || c.held || this.missingTopics.has(c.topic)) continue;
      const leader = this.cluster.leaderFor(c.topic, c.partition);
      if (leader !== undefined) nodes.add(leader);
    }
    return Math.ceil(this.config.fetchMaxBytes / Math.max(1, nodes.size));
  }

  /** One Fetch of `parts` from `node`, at most `maxBytes`; true when it failed as a whole. */
  private async fetchOnce(
    node: number,
    parts: { c: Cursor; offset: bigint; epoch: number }[],
    maxBytes: number,
  ): Promise<boolean> {
    const byTopic = new Map<
      string,
      { partition: number; fetchOffset: bigint; partitionMaxBytes: number }[]
    >();
    for (const { c, offset } of parts) {
      const list = byTopic.get(c.topic) ?? [];
      list.push({
        partition: c.partition,
        fetchOffset: offset,
        partitionMaxBytes: this.config.maxPartitionFetchBytes,
      });
      byTopic.set(c.topic, list);
    }
    let conn: Awaited<ReturnType<Cluster['connectionTo']>>;
    let request: FetchRequest;
    let fetchStartedAt = performance.now();
    try {
      conn = await this.cluster.connectionTo(node);
      const version = conn.versionFor(Fetch);
      const md = this.cluster.metadata;
      request = {
        maxWaitMs: this.config.fetchMaxWaitMs,
        minBytes: this.config.fetchMinBytes,
        maxBytes,
        isolationLevel: this.config.isolationLevel,
        topics: [...byTopic].map(([topic, partitions]) =>
          version >= 13 ? { topicId: md.topics.get(topic)?.topicId, partitions } : { topic, partitions },
        ),
      };
      fetchStartedAt = performance.now();
      const res = await conn.send(Fetch, request, {
        timeoutMs: this.config.requestTimeoutMs + this.config.fetchMaxWaitMs,
      });
      if (fetchChannel.hasSubscribers) this.publishFetch(node, parts.length, fetchStartedAt, res);
      // A top-level error (v7+) comes with no partitions. It used to be ignored, so every
      // partition looked unanswered and was fetched again at once, in a loop, the error never
      // reported; raised here it is retried after a backoff or surfaces at poll like any other.
      // Regression test: consumer-faults.test.ts, "a top-level Fetch error".
      if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, { broker: `node ${node}` });
      const byId = new Map<string, string>();
      for (const [name, t] of md.topics) byId.set(t.topicId, name);
      const results = new Map<string, (typeof res.responses)[number]['partitions'][number]>();
      for (const t of res.responses) {
        const name = t.topic !== '' ? t.topic : (byId.get(t.topicId) ?? '');
        for (const p of t.partitions) results.set(key(name, p.partitionIndex), p);
      }
      for (const part of parts)
        this.onPartition(part, results.get(key(part.c.topic, part.c.partition)), node);
      return false;
    } catch (err) {
      this.cluster.reportError(err);
      const decision = shouldRetry(err);
      let longest = 0;
      for (const { c, epoch } of parts) {
        if (c.epoch !== epoch) continue;
        if (decision.retry) {
          const wait = backoffMs(c.attempts++, this.config);
          longest = Math.max(longest, wait);
          c.retryAt = Date.now() + wait;
          this.kickAfter(wait);
        } else c.error = err instanceof Error ? err : new Error(String(err));
      }
      if (fetchChannel.hasSubscribers)
        this.publishFetch(
          node,
          parts.length,
          fetchStartedAt,
          null,
          err instanceof Error ? err : new Error(String(err)),
        );
      if (this.listenerCount('fetchError') > 0)
        this.emit('fetchError', {
          nodeId: node,
          error: err instanceof Error ? err : new Error(String(err)),
          retriable: decision.retry,
          backoffMs: longest,
        });
      if (decision.refreshMetadata) this.refreshSoon();
      this.wakeWaiters();
      return true;
    }
  }

  private publishFetch(
    nodeId: number,
    partitions: number,
    startedAt: number,
    res: { responses: { partitions: { records: Buffer | null }[] }[] } | null,
    error?: Error,
  ): void {
    let bytes = 0;
    if (res) for (const t of res.responses) for (const p of t.partitions) bytes += p.records?.length ?? 0;
    const m: FetchMessage = {
      clientId: this.config.clientId,
      nodeId,
      partitions,
      bytes,
      durationMs: performance.now() - startedAt,
      ...(error ? { error } : {}),
    };
    fetchChannel.publish(m);
  }

  /** Tells `kafkawire:consumer:rebalance` (when subscribed). */
  private publishRebalance(m: Omit<RebalanceMessage, 'clientId'>): void {
    if (rebalanceChannel.hasSubscribers) rebalanceChannel.publish({ clientId: this.config.clientId, ...m });
  }

  private onPartition(
    part: { c: Cursor; offset: bigint; epoch: number },
    p:
      | {
          errorCode: number;
          highWatermark: bigint;
          records: Buffer | null;
          abortedTransactions: unknown[] | null;
        }
      | undefined,
    node: number,
  ): void {
    const { c, offset, epoch } = part;
    // Seeked, or unassigned (and maybe assigned again since, as a new cursor).
    if (c.epoch !== epoch || this.cursors.get(key(c.topic, c.partition)) !== c) return;
    if (!p) {
      // Left out of the answer (a full fetch, with no session, should answer every partition
      // it asks for): fetch it again after a backoff. It used to be fetched again at once, in a
      // loop for as long as the broker left it out. Regression test: consumer-faults.test.ts,
      // "a partition left out of the response".
      const wait = backoffMs(c.attempts++, this.config);
      c.retryAt = Date.now() + wait;
      this.kickAfter(wait);
      return;
    }
    const code = p.errorCode;
    if (code === ErrorCode.NONE) {
      c.attempts = 0;
      c.highWatermark = p.highWatermark;
      if (this.config.isolationLevel === 1) c.aborts.add(p.abortedTransactions as never);
      if (!p.records || p.records.length === 0) return;
      this.consumerMetrics.fetched(p.records.length);
      // Headers now (the CRC and records of a batch are checked and decoded as take() hands
      // it out); control batches are read at once for the abort filter.
      let decoded: ReturnType<typeof decodeRecordBatches>;
      try {
        decoded = decodeRecordBatches(p.records, {
          verifyCrc: this.config.checkCrcs,
          fromOffset: offset,
          deferRecords: true,
        });
      } catch (err) {
        // A batch header that cannot be read fails this partition only. It used to escape to
        // fetchOnce, which failed every partition of the fetch with it (the healthy ones' records
        // held back, the error thrown once per partition, none named). Regression test:
        // consumer-faults.test.ts, "fails only the partition whose batch header cannot be read".
        c.error = this.partitionError(c, err);
        this.wakeWaiters();
        return;
      }
      const { batches, deferred, error } = decoded;
      let next = offset;
      for (let i = 0; i < batches.length; i++) {
        const b = batches[i];
        if (b.lastOffset < next) continue;
        next = b.lastOffset + 1n;
        if (this.config.isolationLevel === 1 ? c.aborts.skips(b) : b.isControl) continue;
        const d = deferred?.[i];
        if (d) c.keep(d, this.memory);
      }
      if (next !== offset) c.fetchOffset = next;
      if (error) {
        // A corrupt batch (its CRC): the good ones before it are handed out first, then every
        // poll fails on it (the next fetch starts there) until the application seeks past it.
        c.error = this.partitionError(c, error);
        this.wakeWaiters();
        return;
      }
      if (next === offset) {
        // Bytes, but no whole batch at or past the fetch offset (only part of one): since KIP-74
        // (Fetch v3+) a broker sends the first batch whole however large, so asking again gets the
        // same answer. This used to be fetched again at once, in a loop that delivered and
        // reported nothing; Java fails the poll too ("Failed to make progress reading messages
        // at <topic-partition>=<offset>"). Regression test: consumer-faults.test.ts, "part of a batch".
        c.error = this.partitionError(
          c,
          new ProtocolError(
            `Fetch at offset ${offset} returned ${p.records.length} bytes but no whole record batch at or past it`,
          ),
        );
        this.wakeWaiters();
        return;
      }
      if (c.hasBuffered) this.wakeWaiters();
      return;
    }
    const err = kafkaError(code, { topic: c.topic, partition: c.partition, broker: `node ${node}` });
    if (code === ErrorCode.OFFSET_OUT_OF_RANGE && c.hasBuffered) {
      // A fetch ahead of records still to hand out: those are good. Deliver them first; the
      // fetch is asked again later, and out of range then (nothing buffered), the policy applies.
      const wait = backoffMs(c.attempts++, this.config);
      c.retryAt = Date.now() + wait;
      this.kickAfter(wait);
    } else if (code === ErrorCode.OFFSET_OUT_OF_RANGE) {
      if (this.config.autoOffsetReset === 'none') c.error = err;
      else this.requestReset(c, this.config.autoOffsetReset);
    } else if (err.retriable) {
      this.cluster.reportError(err);
      if (err.refreshMetadata) this.refreshSoon();
      const wait = backoffMs(c.attempts++, this.config);
      c.retryAt = Date.now() + wait;
      this.kickAfter(wait);
    } else {
      c.error = err;
    }
    this.wakeWaiters();
  }
}
