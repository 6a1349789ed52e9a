/**
 * Membership in a KIP-848 consumer group (`groupProtocol: 'consumer'`; Java: the
 * `ConsumerMembershipManager` of its `AsyncKafkaConsumer`): the broker assigns partitions, and
 * one request, ConsumerGroupHeartbeat, replaces JoinGroup, SyncGroup and Heartbeat.
 *
 * Owns: the member id (made here, KIP-1082), the member epoch (kept in `generation`, which commits
 * carry), the subscription and owned partitions last told to the broker, the assignment it gave
 * last, and the heartbeat timer. Commits and committed-offset lookups are the classic member's
 * (membership.ts), under the latest member epoch.
 *
 * Reconciliation, as the protocol requires: the broker sends the member's assignment whenever it
 * changes, and gives a partition only once its previous owner has said (in a heartbeat) that it
 * no longer owns it. The consumer applies an assignment as a difference (revoked first, then
 * added; the cooperative path of consumer.ts) and the next heartbeat reports what it owns now,
 * sent at once after every change so that partitions move without waiting for an interval.
 *
 * Invariants: one heartbeat in flight at a time; full state (subscription, owned partitions,
 * rebalance timeout, assignor) goes with the joining heartbeat (epoch 0), only changes after it;
 * FENCED_MEMBER_EPOCH / UNKNOWN_MEMBER_ID mark the assignment lost and the member joins again with
 * epoch 0 and the same member id, as Java; leaving sends epoch -1 (-2 for a static member, who
 * keeps its place for the session timeout).
 */
import { randomBytes } from 'node:crypto';
import type { Cluster } from '../network/cluster.js';
import { BrokerFeature, requireFeature } from '../network/features.js';
import { errorFields } from '../network/logger.js';
import { pushTo } from '../network/multimap.js';
import { backoffMs, shouldRetry } from '../network/retry.js';
import { partitionKey } from '../network/topic-partition.js';
import type { ConsumerGroupTopicPartitions } from '../protocol/apis/68-consumer-group-heartbeat.js';
import { ConsumerGroupHeartbeat } from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { IllegalStateError, KafkaError, kafkaError } from '../protocol/errors.js';
import { type Assignment, GroupMembership, type MembershipOptions } from './membership.js';

export interface ConsumerMembershipOptions extends MembershipOptions {
  /** Java `group.remote.assignor`: the broker-side assignor ('uniform', 'range'); null for the broker's default. */
  remoteAssignor: string | null;
}

type TopicPartition = { topic: string; partition: number };

/** Errors after which the member lost its partitions and must join again with epoch 0. */
const FENCED = new Set<number>([ErrorCode.FENCED_MEMBER_EPOCH, ErrorCode.UNKNOWN_MEMBER_ID]);
/** Errors that end the member: nothing to retry. */
const FATAL = new Set<number>([
  ErrorCode.GROUP_AUTHORIZATION_FAILED,
  ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  ErrorCode.UNSUPPORTED_ASSIGNOR,
  ErrorCode.GROUP_MAX_SIZE_REACHED,
  ErrorCode.FENCED_INSTANCE_ID,
  ErrorCode.UNRELEASED_INSTANCE_ID,
  ErrorCode.INVALID_REQUEST,
  ErrorCode.INVALID_REGULAR_EXPRESSION,
  ErrorCode.UNSUPPORTED_VERSION,
]);

const key = (tp: TopicPartition) => partitionKey(tp.topic, tp.partition);
const sameSet = (a: readonly TopicPartition[], b: readonly TopicPartition[]) => {
  if (a.length !== b.length) return false;
  const s = new Set(a.map(key));
  return b.every((tp) => s.has(key(tp)));
};

export class ConsumerGroupMembership extends GroupMembership {
  override readonly groupProtocol = 'consumer' as const;
  private readonly remoteAssignor: string | null;
  /** Broker-given heartbeat interval (group.consumer.heartbeat.interval.ms), until it says one. */
  private intervalMs: number;
  /** The subscription and owned partitions the broker last heard (null: send them). */
  private sentTopics: string | null = null;
  private sentOwned: string | null = null;
  /** What the member subscribes to and owns now (the consumer tells at each join()). */
  private topics: readonly string[] = [];
  private owned: readonly TopicPartition[] = [];
  /** The broker's last assignment for this member, in topic names. */
  private target: TopicPartition[] | null = null;
  /** Topic ids the broker assigned that metadata does not name yet. */
  private unresolved = false;
  private beating: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** A fatal heartbeat error, thrown by the next join(). */
  private failure: Error | null = null;

  constructor(cluster: Cluster, options: ConsumerMembershipOptions) {
    // No client-side assignors: `protocol` is then 'cooperative' (applied as a difference).
    super(cluster, { ...options, assignors: [] });
    this.remoteAssignor = options.remoteAssignor;
    this.intervalMs = options.heartbeatIntervalMs;
    this.memberId = randomBytes(16).toString('base64url');
    this.generation = 0;
  }

  protected override get epochFollows(): boolean {
    return true;
  }

  /**
   * Tells the broker the member's subscription and owned partitions and returns its assignment
   * once it has one (right away when a heartbeat already brought it). Resolves with null when the
   * member was fenced while it held partitions: `lost` is set, as for the classic member.
   */
  override async join(
    topics: readonly string[],
    owned: readonly TopicPartition[],
  ): Promise<Assignment | null> {
    this.joining = true;
    try {
      this.topics = [...topics];
      this.owned = [...owned];
      for (let attempt = 0; ; attempt++) {
        if (this.stopped) throw new IllegalStateError('This consumer is closed');
        if (this.failure) throw this.failure;
        if (this.lost && owned.length > 0) return null; // the caller drops them, then joins again
        // Changes since the last heartbeat (a join, owned partitions after a reconciliation) go now.
        await this.heartbeatNow();
        if (this.failure) throw this.failure;
        if (this.lost && owned.length > 0) return null;
        if (this.target !== null && !this.unresolved && this.generation > 0) {
          this.needsRejoin = false;
          this.lost = false;
          this.schedule(this.intervalMs);
          return { generation: this.generation, partitions: [...this.target], protocol: 'cooperative' };
        }
        // Joined, no assignment yet (the broker computes it): ask again after a short wait.
        await sleep(Math.min(this.intervalMs, backoffMs(Math.min(attempt, 5), this.options)));
      }
    } finally {
      this.joining = false;
    }
  }

  /**
   * A KIP-848 member commits under its current epoch while it reconciles a new assignment (as
   * Java's); only before its first epoch (joining with 0) is there nothing to commit under. It
   * used to refuse with REBALANCE_IN_PROGRESS whenever a reconciliation round ran, which a
   * commit right after a poll could meet. Seen in consumer-protocol.test.ts, "commits under the
   * member epoch".
   */
  protected override refusesCommitWhileJoining(): boolean {
    return this.joining && this.generation === 0;
  }

  /** Sends one heartbeat now, or waits for the one in flight and then sends one. */
  private async heartbeatNow(): Promise<void> {
    while (this.beating) await this.beating;
    this.beating = this.beat().finally(() => {
      this.beating = null;
    });
    await this.beating;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped || this.generation <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.heartbeatNow().then(() => this.schedule(this.intervalMs));
    }, ms);
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    const joiningNow = this.generation === 0;
    const md = this.cluster.metadata;
    const topicsKey = [...this.topics].sort().join('\0');
    const ownedIds = this.topicIds(this.owned);
    const ownedKey = ownedIds === null ? null : JSON.stringify(ownedIds);
    let code: number | null = null;
    try {
      const node = await this.coordinatorNode();
      const conn = await this.cluster.connectionTo(node, 'coordinator');
      requireFeature(conn, BrokerFeature.consumerGroupProtocol);
      const full = joiningNow;
      const res = await conn.send(ConsumerGroupHeartbeat, {
        groupId: this.options.groupId,
        memberId: this.memberId,
        memberEpoch: this.generation,
        instanceId: this.options.groupInstanceId,
        rackId: null,
        rebalanceTimeoutMs: full ? this.options.rebalanceTimeoutMs : -1,
        subscribedTopicNames: full || topicsKey !== this.sentTopics ? [...this.topics] : null,
        serverAssignor: full ? this.remoteAssignor : null,
        // Owned partitions: all of them when joining (none, or a static member's), then on change;
        // null while a topic id is unknown (sent once metadata names it).
        topicPartitions: full
          ? (ownedIds ?? [])
          : ownedKey !== null && ownedKey !== this.sentOwned
            ? ownedIds
            : null,
      });
      code = res.errorCode;
      if (code !== ErrorCode.NONE) {
        throw kafkaError(
          code,
          { group: this.options.groupId, broker: `node ${node}` },
          res.errorMessage ?? undefined,
        );
      }
      this.sentTopics = topicsKey;
      if (full || (ownedKey !== null && ownedKey !== this.sentOwned)) this.sentOwned = ownedKey ?? '[]';
      if (res.memberId) this.memberId = res.memberId;
      this.heartbeatFailures.clear();
      if (joiningNow && res.memberEpoch > 0)
        this.cluster.log.info(
          { group: this.options.groupId, memberId: this.memberId, memberEpoch: res.memberEpoch },
          'Joined group',
        );
      this.generation = res.memberEpoch;
      if (res.heartbeatIntervalMs > 0) this.intervalMs = res.heartbeatIntervalMs;
      if (res.assignment !== null) this.adopt(res.assignment.topicPartitions, md);
      else if (this.unresolved && this.target === null) this.unresolved = false;
      if (this.target !== null && !sameSet(this.target, this.owned)) this.needsRejoin = true;
    } catch (err) {
      this.coordinatorFailed(code);
      this.cluster.reportError(err);
      if (err instanceof KafkaError && FENCED.has(err.code)) {
        this.heartbeatFailures.clear();
        this.cluster.log.warn(
          { ...errorFields(err), memberId: this.memberId, memberEpoch: this.generation },
          'Member is no longer in the group; its partitions are dropped uncommitted and it rejoins',
        );
        // Java: give up the partitions (onPartitionsLost) and join again, same member id, epoch 0.
        this.generation = 0;
        this.target = null;
        this.sentOwned = null;
        this.sentTopics = null;
        if (this.owned.length > 0) this.lost = true;
        this.needsRejoin = true;
        return;
      }
      if (err instanceof KafkaError && FATAL.has(err.code)) {
        this.cluster.log.error({ ...errorFields(err), memberId: this.memberId }, 'Group membership failed');
        this.failure = err;
        this.needsRejoin = true;
        return;
      }
      if (!(err instanceof KafkaError) && !shouldRetry(err).retry) {
        this.failure = err instanceof Error ? err : new Error(String(err));
        this.needsRejoin = true;
      }
      // Retriable (coordinator moving, a connection lost): the next heartbeat tries again.
      else this.heartbeatFailed(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Takes the broker's assignment (topic ids) in topic names; unknown ids wait for metadata. */
  private adopt(assigned: readonly ConsumerGroupTopicPartitions[], md: Cluster['metadata']): void {
    const byId = new Map<string, string>();
    for (const [name, t] of md.topics) byId.set(t.topicId, name);
    const partitions: TopicPartition[] = [];
    let unresolved = false;
    for (const t of assigned) {
      const name = byId.get(t.topicId);
      if (name === undefined) {
        unresolved = true;
        continue;
      }
      for (const p of t.partitions) partitions.push({ topic: name, partition: p });
    }
    this.target = partitions;
    this.unresolved = unresolved;
    if (unresolved) {
      // Refresh the subscribed topics' metadata; the assignment is taken again from the next
      // answer, which repeats it until the member reports owning it.
      this.sentOwned = null;
      void this.cluster.refresh(this.topics).catch(() => {});
    }
  }

  /** Partitions by topic id, or null while metadata lacks one of their topics. */
  private topicIds(tps: readonly TopicPartition[]): ConsumerGroupTopicPartitions[] | null {
    const md = this.cluster.metadata;
    const byTopic = new Map<string, number[]>();
    for (const tp of tps) pushTo(byTopic, tp.topic, tp.partition);
    const out: ConsumerGroupTopicPartitions[] = [];
    for (const [topic, partitions] of [...byTopic].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const id = md.topics.get(topic)?.topicId;
      if (id === undefined) return null;
      out.push({ topicId: id, partitions: partitions.sort((a, b) => a - b) });
    }
    return out;
  }

  override stopHeartbeats(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Leaves with epoch -1 (the member is gone) and joins again as new: partitions marked lost. */
  override async leaveForRejoin(): Promise<void> {
    this.stopHeartbeats();
    const epoch = this.generation;
    this.lost = true;
    this.needsRejoin = true;
    this.target = null;
    this.sentOwned = null;
    this.sentTopics = null;
    this.generation = 0;
    if (epoch <= 0) return;
    await this.sendLeave(-1, 'max.poll.interval.ms exceeded').catch(() => {});
  }

  /** Leaves the group: epoch -1, or -2 for a static member (it keeps its place for the session timeout). */
  override async leave(): Promise<void> {
    this.stopped = true;
    this.stopHeartbeats();
    while (this.beating) await this.beating.catch(() => {});
    if (this.generation <= 0) return;
    const epoch = this.options.groupInstanceId !== null ? -2 : -1;
    this.generation = epoch;
    await this.sendLeave(epoch, 'the consumer is closing').catch(() => {});
  }

  private async sendLeave(epoch: number, _reason: string): Promise<void> {
    const node = await this.coordinatorNode();
    await this.cluster.sendTo(node, ConsumerGroupHeartbeat, {
      groupId: this.options.groupId,
      memberId: this.memberId,
      memberEpoch: epoch,
      instanceId: this.options.groupInstanceId,
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
