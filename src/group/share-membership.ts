/**
 * Membership in a share group (KIP-932; Java: the `ShareMembershipManager` of its
 * `KafkaShareConsumer`): ShareGroupHeartbeat to the group coordinator, the broker assigns.
 * Unlike a consumer group there is nothing to reconcile: a share partition may be assigned to
 * many members at once, and records are locked one by one by ShareFetch, not by ownership. The
 * member fetches from whatever the last assignment names.
 *
 * Owns: the member id (a UUID made here), the member epoch, the subscription last told to the
 * broker, the assignment (in topic names) and the heartbeat timer.
 *
 * Invariants: one heartbeat in flight at a time; the subscription goes with the joining heartbeat
 * (epoch 0) and again only when it changes; FENCED_MEMBER_EPOCH / UNKNOWN_MEMBER_ID make the
 * member join again with epoch 0 and the same member id; a fatal error (authorization, an invalid
 * request) is kept and thrown by `check()` (the next poll); leaving sends epoch -1 once.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster } from '../network/cluster.js';
import { findGroupCoordinator } from '../network/coordinator.js';
import { BrokerFeature, requireFeature } from '../network/features.js';
import { errorFields } from '../network/logger.js';
import { type BackoffOptions, backoffMs, shouldRetry } from '../network/retry.js';
import type { ShareGroupTopicPartitions } from '../protocol/apis/76-share-group-heartbeat.js';
import { ShareGroupHeartbeat } from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { KafkaError, kafkaError } from '../protocol/errors.js';

type TopicPartition = { topic: string; partition: number };

const FENCED = new Set<number>([ErrorCode.FENCED_MEMBER_EPOCH, ErrorCode.UNKNOWN_MEMBER_ID]);
const COORDINATOR_MOVED = new Set<number>([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);

export interface ShareMembershipOptions extends BackoffOptions {
  groupId: string;
  rackId: string | null;
}

export class ShareGroupMembership {
  readonly memberId = randomBytes(16).toString('base64url');
  /** 0 before joining (and after being fenced), -1 once left. */
  epoch = 0;
  /** What the broker assigned last, in topic names (empty until the first assignment). */
  assignment: TopicPartition[] = [];
  /** Bumped at every new assignment, so the fetcher sees a change. */
  assignmentVersion = 0;
  private topics: string[] = [];
  private sentTopics: string | null = null;
  private intervalMs = 500;
  private coordinator: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private failure: Error | null = null;
  private failures = 0;
  private stopped = false;
  /** Topic ids of the last assignment that metadata did not name yet. */
  private unresolved: ShareGroupTopicPartitions[] | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ShareMembershipOptions,
  ) {}

  /** Sets the subscription; the next heartbeat (sent now) tells the broker. */
  subscribe(topics: readonly string[]): void {
    this.topics = [...topics].sort();
    this.cluster.addTopics(this.topics);
    void this.beatNow();
  }

  /** Throws the membership's fatal error, once there is one. */
  check(): void {
    if (this.failure) throw this.failure;
  }

  /** Stops the heartbeats and leaves the group (epoch -1). */
  async leave(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.beating) await this.beating.catch(() => {});
    if (this.epoch <= 0) return;
    this.epoch = -1;
    const node =
      this.coordinator ?? (await findGroupCoordinator(this.cluster, this.options.groupId, this.options, 2));
    await this.cluster.sendTo(node, ShareGroupHeartbeat, {
      groupId: this.options.groupId,
      memberId: this.memberId,
      memberEpoch: -1,
    });
  }

  /** One heartbeat now (or after the one in flight), then the next on the broker's interval. */
  beatNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const run = async () => {
      while (this.beating) await this.beating;
      this.beating = this.beat().finally(() => {
        this.beating = null;
      });
      await this.beating;
      this.schedule();
    };
    return run();
  }

  private schedule(): void {
    if (this.stopped || this.failure || this.timer) return;
    // After failures, back off (coordinator moving, broker down); else the broker's interval.
    const wait = this.failures > 0 ? backoffMs(Math.min(this.failures, 6), this.options) : this.intervalMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.beatNow();
    }, wait);
  }

  private async beat(): Promise<void> {
    if (this.stopped || this.failure) return;
    if (this.unresolved) this.adopt(this.unresolved);
    const topicsKey = this.topics.join('\0');
    const joining = this.epoch === 0;
    let code: number | null = null;
    try {
      this.coordinator ??= await findGroupCoordinator(this.cluster, this.options.groupId, this.options, 2);
      const conn = await this.cluster.connectionTo(this.coordinator, 'coordinator');
      requireFeature(conn, BrokerFeature.shareGroups);
      const res = await conn.send(ShareGroupHeartbeat, {
        groupId: this.options.groupId,
        memberId: this.memberId,
        memberEpoch: this.epoch,
        rackId: joining ? this.options.rackId : null,
        subscribedTopicNames: joining || topicsKey !== this.sentTopics ? this.topics : null,
      });
      code = res.errorCode;
      if (code !== ErrorCode.NONE)
        throw kafkaError(code, { group: this.options.groupId }, res.errorMessage ?? undefined);
      this.sentTopics = topicsKey;
      this.failures = 0;
      if (joining && res.memberEpoch > 0)
        this.cluster.log.info(
          { group: this.options.groupId, memberId: this.memberId, memberEpoch: res.memberEpoch },
          'Joined share group',
        );
      this.epoch = res.memberEpoch;
      if (res.heartbeatIntervalMs > 0) this.intervalMs = res.heartbeatIntervalMs;
      if (res.assignment !== null) this.adopt(res.assignment.topicPartitions);
    } catch (err) {
      this.failures++;
      if (code !== null && COORDINATOR_MOVED.has(code)) this.coordinator = null;
      if (code === null && !(err instanceof KafkaError)) this.coordinator = null; // connection lost
      this.cluster.reportError(err);
      if (err instanceof KafkaError && FENCED.has(err.code)) {
        // Join again, same member id, epoch 0, full state; the assignment stays until a new one.
        this.epoch = 0;
        this.sentTopics = null;
        this.failures = 0;
        return;
      }
      const retriable = err instanceof KafkaError ? err.retriable : shouldRetry(err).retry;
      if (!retriable) {
        this.cluster.log.error(
          { ...errorFields(err), memberId: this.memberId },
          'Share group membership failed',
        );
        this.failure = err instanceof Error ? err : new Error(String(err));
      }
    }
  }

  /** Takes the broker's assignment (topic ids) in topic names; unknown ids wait for metadata. */
  private adopt(assigned: readonly ShareGroupTopicPartitions[]): void {
    const byId = new Map<string, string>();
    for (const [name, t] of this.cluster.metadata.topics) byId.set(t.topicId, name);
    const next: TopicPartition[] = [];
    let missing = false;
    for (const t of assigned) {
      const name = byId.get(t.topicId);
      if (name === undefined) missing = true;
      else for (const partition of t.partitions) next.push({ topic: name, partition });
    }
    this.unresolved = missing ? [...assigned] : null;
    if (missing) void this.cluster.refresh(this.topics).catch(() => {});
    this.assignment = next;
    this.assignmentVersion++;
  }
}
