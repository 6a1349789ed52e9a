/**
 * RebalanceCoordinator: the consumer's side of group membership (Java: the rebalance half of
 * `ConsumerCoordinator`) — the subscription (topic list or pattern), the membership it joins
 * with (classic or KIP-848), the rebalance steps polls run, the listener, and the
 * maxPollIntervalMs watchdog.
 *
 * Invariants:
 * - Rebalances run inside poll, listeners included; the join itself runs in the background and a
 *   poll waits for the group only until its deadline. Eager protocol: everything is revoked
 *   (committed first with auto-commit), then the join runs. Cooperative protocol (KIP-429): the
 *   join runs while polls keep delivering the owned partitions; once it completes only the
 *   difference moves (revoked partitions are dropped, kept ones keep position and buffer), and a
 *   member that revoked anything rejoins at once so the follow-up rebalance hands them on.
 * - New partitions start from the group's committed offsets, looked up before their cursors
 *   exist, and nothing of theirs is fetched or handed out before onPartitionsAssigned returns.
 * - One group step at a time, shared by the polls that wait on it; what a step that outlived its
 *   poll failed with is thrown by the next poll.
 * - maxPollIntervalMs counts the time the application spends away from poll, not in it.
 */
import type { EventEmitter } from 'node:events';
import { ConsumerGroupMembership } from '../group/consumer-membership.js';
import { type Assignment, GroupMembership } from '../group/membership.js';
import type { Cluster, MetadataSnapshot } from '../network/cluster.js';
import { type RebalanceMessage, rebalanceChannel } from '../network/diagnostics.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { ConfigError } from '../protocol/errors.js';
import type { CommitManager } from './commit-manager.js';
import type { ResolvedConsumerConfig } from './config.js';
import { type Cursor, key } from './cursor.js';
import { settledBy } from './delivery.js';
import type { ConsumerMetrics } from './metrics.js';
import type { SubscriptionState } from './subscription-state.js';
import type { ConsumerEvents, GroupMetadata, RebalanceListener, TopicPartition } from './types.js';

/** A finished join: the assignment (null: lost mid-join) and the subscription view it was made for. */
type JoinOutcome = { assignment: Assignment | null; view: string } | { error: unknown };

/** What the coordinator needs of its consumer. */
export interface RebalanceHost {
  readonly closed: boolean;
  /** True once close() began. */
  readonly stopping: boolean;
  emit: EventEmitter<ConsumerEvents>['emit'];
  /**
   * Reads exactly these partitions from now on (kept ones keep their positions). `kick`: start
   * lookups and fetches at once (false: the caller kicks once it has set positions).
   */
  assign(partitions: readonly TopicPartition[], kick?: boolean): void;
  kick(): void;
  /**
   * Before partitions are committed and given up (a revocation, close): the handlers run()'s
   * worker pool runs for them finish, or its revokeTimeoutMs passes.
   */
  beforeRevoke(cursors: readonly Cursor[]): Promise<void>;
}

export class RebalanceCoordinator {
  membership: GroupMembership | null = null;
  /** The subscribed topics (pattern matches, recomputed as metadata comes); null after assign(). */
  subscription: string[] | null = null;
  private pattern: RegExp | null = null;
  /** Topics and partition counts at the last join: a change means a rebalance (new partitions, new matches). */
  private joinedView = '';
  private listener: RebalanceListener = {};
  /** A background join in flight. */
  private rebalancing: Promise<void> | null = null;
  /** What the background join came back with, applied by the next poll. */
  private joined: JoinOutcome | null = null;
  private pollWatchdog: NodeJS.Timeout | null = null;
  /** The group's side of a poll under way (see stepUntil), shared by the polls that wait on it. */
  private groupStep: Promise<void> | null = null;
  /** What a group step that outlived its poll failed with: the next poll reports it. */
  private groupFailure: { error: unknown } | null = null;
  /** When the join under way started (rebalance events and metrics). */
  private joinStartedAt = 0;
  /** When subscribe() was last called (ms). */
  private subscribedAt = 0;
  /** viewOfSubscription's last answer and what it was computed from. */
  private view: {
    md: MetadataSnapshot;
    pattern: RegExp | null;
    subscription: string[] | null;
    value: string;
  } | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly config: ResolvedConsumerConfig,
    private readonly state: SubscriptionState,
    private readonly commits: CommitManager,
    private readonly metrics: ConsumerMetrics,
    private readonly host: RebalanceHost,
  ) {}

  /** Subscribes to topics or a pattern (checked), with the listener; a rebalance is due. */
  subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener): void {
    if (this.config.groupId === null)
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
    this.subscribedAt = Date.now();
    this.cluster.addTopics(this.subscription);
    this.group('subscribe()').needsRejoin = true;
  }

  /** True while a join runs in the background (its outcome not applied yet). */
  get joinInFlight(): boolean {
    return this.rebalancing !== null;
  }

  /** Topics named by the subscription (none for a pattern, which only watches what exists). */
  get namedTopics(): readonly string[] {
    return this.pattern ? [] : (this.subscription ?? []);
  }

  /**
   * The group this consumer commits to (and, after `subscribe`, is a member of). With `assign`
   * it is never joined: commits then go in as from outside group management (generation -1),
   * as Java's do.
   */
  /** `groupMetadata()`: the identity of the last join (generation -1, member '' before one). */
  groupMetadata(): GroupMetadata {
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

  /** `committed()`: the group's committed offsets, in the order asked, null where none. */
  async committedOffsets(
    partitions: readonly TopicPartition[],
  ): Promise<(TopicPartition & { offset: bigint | null })[]> {
    const found = await this.group('committed()').committed(partitions);
    return partitions.map(({ topic, partition }) => {
      const offset = found.get(key(topic, partition));
      return { topic, partition, offset: offset !== undefined && offset >= 0n ? offset : null };
    });
  }

  group(what: string): GroupMembership {
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
        heartbeatFailed: (err) => this.host.emit('heartbeatFailed', err),
        coordinatorChanged: (coordinator) =>
          this.host.emit('coordinatorChanged', { group: groupId, coordinator }),
      };
    }
    return this.membership as GroupMembership;
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
  async stepUntil(deadline: number, signal?: AbortSignal): Promise<void> {
    if (!this.groupStep && this.membership && this.subscription && !this.host.stopping) {
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
    if (!this.rebalancing && !m.needsRejoin && this.commits.autoCommitDue) {
      this.commits.lastCommitAt = Date.now();
      this.commits.commitAsync(this.commits.commitAll(this.state.order));
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
      const lost = this.state.assignment();
      this.host.assign([]);
      if (lost.length > 0) {
        await this.listener.onPartitionsLost?.(lost);
        this.host.emit('partitionsLost', lost);
      }
    }
    if (this.rebalancing) return;
    if (this.viewOfSubscription() !== this.joinedView) m.needsRejoin = true;
    if (!m.needsRejoin) return;
    // Metadata that came since this rebalance was asked for (the first join after subscribe():
    // since the subscribe, whose topics were looked up then) is fresh enough for the leader.
    const rebalanceAt = this.subscribedAt > this.joinStartedAt ? this.subscribedAt : Date.now();
    if (m.protocol === 'eager') {
      const revoked = this.state.assignment();
      if (revoked.length > 0) {
        // Eager protocol: commit what the application finished, then give everything up before the join.
        await this.host.beforeRevoke(this.state.order);
        if (this.config.enableAutoCommit) await this.commits.commitAll(this.state.order).catch(() => {});
        await this.listener.onPartitionsRevoked?.(revoked);
        this.host.assign([]);
        this.host.emit('partitionsRevoked', revoked);
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
      const gone = this.state.order.filter((c) => !topics.has(c.topic));
      if (gone.length > 0) await this.revoke(gone);
    }
    this.startJoin(m, subscription, view, rebalanceAt);
  }

  /**
   * Starts the join in the background; the next poll applies what it comes back with. `since`:
   * metadata from then on is fresh enough for the leader's assignment (partitionCounts).
   */
  private startJoin(m: GroupMembership, subscription: string[], view: string, since: number): void {
    const join = m.join(subscription, this.state.assignment(), (topics) =>
      this.partitionCounts(topics, since),
    );
    this.joinStartedAt = Date.now();
    this.host.emit('rebalanceStarted', { group: m.options.groupId, memberId: m.memberId });
    this.publish({ group: m.options.groupId, phase: 'start', memberId: m.memberId });
    this.rebalancing = join
      .then(
        (assignment) => {
          this.joined = { assignment, view };
          if (assignment) this.metrics.rebalanced(Date.now() - this.joinStartedAt);
        },
        (error: unknown) => {
          this.joined = { error };
          this.metrics.rebalanceFailed();
          const e = error instanceof Error ? error : new Error(String(error));
          this.host.emit('rebalanceFailed', { group: m.options.groupId, error: e });
          this.publish({
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
        this.state.wake();
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
    const revoked = this.state.order.filter((c) => !next.has(c.key));
    const added = assignment.partitions.filter((tp) => !this.state.has(tp.topic, tp.partition));
    if (revoked.length > 0) await this.revoke(revoked);
    // The committed offsets are known before the new cursors exist: a cursor without a position
    // would otherwise go to autoOffsetReset at once, and a poll meanwhile (the join's step runs
    // past poll deadlines) handed out records from there — from offset 0 with 'earliest', though
    // the group had committed far beyond (duplicates downstream, the committed offset moved
    // back). A failed lookup is left to the cursors' own lookup, retried, never reset past it.
    // Regression test: consumer-rebalance-positions.test.ts.
    let committed: Map<string, bigint> | null = null;
    if (added.length > 0) committed = await m.committed(added).catch(() => null);
    // No kick before the committed offsets are set: the kick found every new cursor without a
    // position or a committed offset checked, and looked them all up again (a second OffsetFetch
    // of every added partition on each rebalance: 200 kB for 10,000 partitions).
    // Regression test: consumer-rebalance-positions.test.ts, "one OffsetFetch".
    this.host.assign(assignment.partitions, false);
    const held: Cursor[] = [];
    for (const tp of added) {
      const c = this.state.cursor(tp);
      // Nothing fetched or handed out before onPartitionsAssigned returns (where a seek may go).
      c.held = true;
      held.push(c);
      if (!committed) continue;
      const offset = committed.get(c.key);
      if (offset !== undefined && offset >= 0n) this.state.setPosition(c, offset);
      else c.committedChecked = true; // none committed: autoOffsetReset applies
    }
    this.host.kick();
    try {
      await this.listener.onPartitionsAssigned?.(added);
    } finally {
      for (const c of held) c.held = false;
      this.host.kick();
    }
    if (added.length > 0) this.host.emit('partitionsAssigned', added);
    const finished = {
      group: m.options.groupId,
      memberId: m.memberId,
      generation: m.generation,
      assigned: assignment.partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
      durationMs: Date.now() - this.joinStartedAt,
    };
    this.host.emit('rebalanceFinished', finished);
    this.publish({ ...finished, phase: 'finish' });
    this.commits.lastCommitAt = Date.now();
    // A cooperative assignor gave what we revoked to nobody yet: the follow-up rebalance does.
    if (revoked.length > 0 && assignment.protocol === 'cooperative') m.needsRejoin = true;
    // KIP-848: tell the broker at once what we own now (it hands what we released to others).
    if ((revoked.length > 0 || added.length > 0) && m.groupProtocol === 'consumer') m.needsRejoin = true;
  }

  /** Gives partitions up while keeping the rest: commit (auto-commit), listener, then drop the cursors. */
  private async revoke(cursors: readonly Cursor[]): Promise<void> {
    await this.host.beforeRevoke(cursors);
    if (this.config.enableAutoCommit) await this.commits.commitPositions(cursors).catch(() => {});
    const revoked = cursors.map((c) => ({ topic: c.topic, partition: c.partition }));
    await this.listener.onPartitionsRevoked?.(revoked);
    const gone = new Set(cursors);
    this.host.assign(
      this.state.order.filter((c) => !gone.has(c)).map((c) => ({ topic: c.topic, partition: c.partition })),
    );
    this.host.emit('partitionsRevoked', revoked);
  }

  /**
   * The leader's view of partition counts for the assignor: the metadata as it is when it came
   * during this rebalance (`since`) and knows every topic, else fresh from the brokers. It was
   * always refreshed, a second Metadata of every subscribed partition right after the one before
   * the join (260 kB for 10,000 partitions, ~50 ms of the join's CPU). A count that grows later
   * changes the subscription's view, which rejoins (viewOfSubscription).
   */
  private async partitionCounts(topics: readonly string[], since: number): Promise<Map<string, number>> {
    const known = this.cluster.metadata;
    const current =
      known.updatedAt >= since && topics.every((t) => known.topics.get(t)?.errorCode === ErrorCode.NONE);
    const md = current ? known : await this.cluster.refresh(topics);
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
    // Every poll asks; the view changes only with the metadata snapshot or the subscription. It
    // was rebuilt each time, a string of every subscribed topic: 1,000 topics, about a third of
    // the consumer's CPU while records flowed (bench/results/consume-view/README.md).
    // Regression test: consumer-scale.test.ts, "view of the subscription".
    const cached = this.view;
    if (
      cached &&
      cached.md === md &&
      cached.pattern === this.pattern &&
      cached.subscription === this.subscription
    )
      return cached.value;
    if (this.pattern) {
      const re = this.pattern;
      this.subscription = [...md.topics.values()]
        .filter((t) => !t.isInternal && t.errorCode === ErrorCode.NONE && re.test(t.name))
        .map((t) => t.name)
        .sort();
    }
    const value = (this.subscription ?? [])
      .map((t) => `${t}:${md.topics.get(t)?.partitions.length ?? -1}`)
      .join(',');
    this.view = { md, pattern: this.pattern, subscription: this.subscription, value };
    return value;
  }

  /** A poll begins: the time in it does not count against maxPollIntervalMs. */
  pollStarted(): void {
    if (this.pollWatchdog) clearTimeout(this.pollWatchdog);
    this.pollWatchdog = null;
  }

  /**
   * Starts the maxPollIntervalMs watchdog as a poll returns. It used to start as a poll began, so
   * time spent inside the poll counted: a poll waiting on an idle topic longer than the interval,
   * or an eager join the broker held until a slower member rejoined (up to the rebalance timeout,
   * which is this same interval), made a member that was polling leave the group (LeaveGroup
   * "max.poll.interval.ms exceeded" in the middle of its poll). Java counts only the time between
   * polls. Regression test: max-poll-interval.test.ts, "a poll that waits longer than it".
   */
  pollEnded(): void {
    this.pollStarted();
    if (!this.membership || !this.subscription || this.host.closed) return;
    this.pollWatchdog = setTimeout(() => this.pollTooLate(), this.config.maxPollIntervalMs);
    this.pollWatchdog.unref();
  }

  /**
   * The application did not poll within maxPollIntervalMs: leave the group so the others take
   * the partitions (Java does the same from its heartbeat thread). The next poll rejoins.
   */
  private pollTooLate(): void {
    const m = this.membership;
    if (!m || this.host.closed) return;
    void m.leaveForRejoin();
  }

  /**
   * The close's group part, in Java's order: the final auto-commit (unless the partitions are
   * no longer ours), then the listener. Resolves with the listener's error, if it threw.
   */
  async close(): Promise<{ error: unknown } | null> {
    const m = this.membership;
    if (m && this.subscription) await this.host.beforeRevoke(this.state.order);
    m?.fenceCommits();
    if (m && this.config.enableAutoCommit && !m.lost && !m.needsRejoin) {
      await this.commits.commitAll(this.state.order).catch(() => {});
    }
    const listenerError = await this.revokeAtClose(m);
    this.pollStarted();
    await m?.leave();
    return listenerError;
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
    const partitions = this.state.assignment();
    if (partitions.length === 0) return null;
    try {
      const lost = m.lost || this.rebalancing !== null;
      if (lost) await this.listener.onPartitionsLost?.(partitions);
      else await this.listener.onPartitionsRevoked?.(partitions);
      this.host.emit(lost ? 'partitionsLost' : 'partitionsRevoked', partitions);
      return null;
    } catch (error) {
      return { error };
    } finally {
      this.host.assign([]);
    }
  }

  /** Tells `kafkawire:consumer:rebalance` (when subscribed). */
  private publish(m: Omit<RebalanceMessage, 'clientId'>): void {
    if (rebalanceChannel.hasSubscribers) rebalanceChannel.publish({ clientId: this.config.clientId, ...m });
  }
}
