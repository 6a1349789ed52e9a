/**
 * Membership in a classic consumer group (Java: `ConsumerCoordinator`): finding the coordinator,
 * JoinGroup with the member-id round trip (KIP-394), the leader's assignment, SyncGroup, the
 * background heartbeat, LeaveGroup, and committed offsets.
 *
 * Owns: the coordinator's node id, member id, generation, the current assignment, and the
 * heartbeat timer. It does not fetch: the consumer asks `ensureActive()` before each poll and
 * gets back a new assignment when a rebalance completed.
 *
 * Invariants: one join at a time; heartbeats run only while the member is stable; an error
 * that says the member lost its place (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION,
 * FENCED_INSTANCE_ID) marks the assignment lost, one that says a rebalance started marks a
 * rejoin; the consumer learns of both on its next poll.
 *
 * Rebalance protocol (KIP-429), as Java's `ConsumerCoordinator`: cooperative when every configured
 * assignor is cooperative, eager otherwise. Either way the subscription carries the partitions the
 * member owns and its generation; under the eager protocol the consumer has revoked everything
 * before joining, so it owns none. Commits are refused while a join is in flight (Java:
 * RebalanceInProgressException): the group is not stable, and the broker would refuse them anyway;
 * and once the member lost its place (Java: CommitFailedException), until it has joined again.
 */

import type { Cluster } from '../network/cluster.js';
import { findGroupCoordinator } from '../network/coordinator.js';
import { type CommitMessage, commitChannel } from '../network/diagnostics.js';
import { errorFields } from '../network/logger.js';
import { pushTo } from '../network/multimap.js';
import { RepeatFilter } from '../network/repeats.js';
import { backoffMs, shouldRetry } from '../network/retry.js';
import { partitionKey } from '../network/topic-partition.js';
import {
  Heartbeat,
  JoinGroup,
  LeaveGroup,
  OffsetCommit,
  OffsetFetch,
  SyncGroup,
} from '../protocol/apis/index.js';
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../protocol/consumer-protocol.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { IllegalStateError, KafkaError, KafkawireError, kafkaError } from '../protocol/errors.js';
import type { Assignor, MemberSubscription } from './assignors/assignor.js';
import { CooperativeStickyAssignor } from './assignors/cooperative-sticky.js';

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

export interface MembershipOptions {
  groupId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  assignors: readonly Assignor[];
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
}

export interface Assignment {
  generation: number;
  partitions: { topic: string; partition: number }[];
  /** The protocol of the assignor the group chose (JoinGroup's protocolName). */
  protocol: 'eager' | 'cooperative';
}

/** Errors after which this member's partitions may already belong to someone else. */
const LOST = new Set<number>([
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.FENCED_INSTANCE_ID,
  ErrorCode.FENCED_MEMBER_EPOCH, // KIP-848
]);
/** Join/sync errors answered by joining again. */
const REJOIN = new Set<number>([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.UNKNOWN_MEMBER_ID]);
/** Errors that mean the coordinator moved or is not ready. */
const COORDINATOR = new Set<number>([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);

export class GroupMembership {
  /** 'classic' (JoinGroup/SyncGroup) or 'consumer' (KIP-848, see consumer-membership.ts). */
  readonly groupProtocol: 'classic' | 'consumer' = 'classic';
  readonly options: MembershipOptions;
  protected readonly cluster: Cluster;
  memberId = '';
  generation = -1;
  /** Java `ConsumerCoordinator.protocol`: the highest protocol every configured assignor supports. */
  readonly protocol: 'eager' | 'cooperative';
  protected coordinator: number | null = null;
  /** A JoinGroup/SyncGroup round is in flight: the group is not stable for us. */
  protected joining = false;
  /** A rebalance is needed (first join, REBALANCE_IN_PROGRESS, subscription change). */
  needsRejoin = true;
  /** Our partitions were taken from us (see LOST); the consumer must drop them uncommitted. */
  lost = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** Bumped by start/stop: a heartbeat answered for an older round neither reschedules nor flags. */
  private heartbeatEpoch = 0;
  protected stopped = false;
  /** The coordinator last found, to tell a change. */
  private lastCoordinator: number | null = null;
  /** Where the consumer hears of heartbeat failures and coordinator changes (its events). */
  events: { heartbeatFailed(err: Error): void; coordinatorChanged(node: number): void } | null = null;

  constructor(cluster: Cluster, options: MembershipOptions) {
    this.cluster = cluster;
    this.options = options;
    this.protocol = options.assignors.every((a) => a.protocol === 'cooperative') ? 'cooperative' : 'eager';
  }

  /**
   * The epoch a commit is sent under moves while it retries (KIP-848: the member epoch changes
   * with every reconciliation, and a commit goes in under the latest). False for classic groups,
   * where a new generation means the partitions may have moved.
   */
  protected get epochFollows(): boolean {
    return false;
  }

  /** The coordinator's node id, looked up once and again after it moves. */
  async coordinatorNode(): Promise<number> {
    if (this.coordinator === null) {
      this.coordinator = await findGroupCoordinator(this.cluster, this.options.groupId, this.options);
      if (this.coordinator !== this.lastCoordinator) {
        this.lastCoordinator = this.coordinator;
        this.events?.coordinatorChanged(this.coordinator);
      }
    }
    return this.coordinator;
  }

  /** A heartbeat failed (logged once then with a count; told to the consumer's events each time). */
  protected heartbeatFailed(err: Error): void {
    this.heartbeatFailures.add(err);
    this.events?.heartbeatFailed(err);
  }

  protected coordinatorFailed(code: number | null): void {
    if (code === null || COORDINATOR.has(code)) this.coordinator = null;
  }

  /**
   * Joins (or rejoins) the group and returns the new assignment. `topics` is this member's
   * subscription and `owned` the partitions it holds now (sent as ownedPartitions, KIP-429);
   * `partitionCounts` gives the leader the partition counts of every topic any member subscribes to.
   *
   * Resolves with null when the group dropped this member while it still held partitions
   * (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION): `lost` is set, and the caller gives them up before
   * joining again, since they may already be someone else's (Java resets the generation and calls
   * onPartitionsLost).
   */
  async join(
    topics: readonly string[],
    owned: readonly { topic: string; partition: number }[],
    partitionCounts: (topics: readonly string[]) => Promise<Map<string, number>>,
  ): Promise<Assignment | null> {
    this.stopHeartbeats();
    this.joining = true;
    try {
      return await this.joinLoop(topics, owned, partitionCounts);
    } finally {
      this.joining = false;
    }
  }

  private async joinLoop(
    topics: readonly string[],
    owned: readonly { topic: string; partition: number }[],
    partitionCounts: (topics: readonly string[]) => Promise<Map<string, number>>,
  ): Promise<Assignment | null> {
    const ownedByTopic = new Map<string, number[]>();
    for (const tp of owned) pushTo(ownedByTopic, tp.topic, tp.partition);
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new IllegalStateError('This consumer is closed');
      let code: number | null = null;
      try {
        const node = await this.coordinatorNode();
        const metadata = encodeSubscription({
          topics: [...topics],
          userData: null,
          ownedPartitions: [...ownedByTopic].map(([topic, partitions]) => ({ topic, partitions })),
          generationId: this.generation,
        });
        const join = await this.cluster.sendTo(
          node,
          JoinGroup,
          {
            groupId: this.options.groupId,
            sessionTimeoutMs: this.options.sessionTimeoutMs,
            rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
            memberId: this.memberId,
            groupInstanceId: this.options.groupInstanceId,
            protocolType: CONSUMER_PROTOCOL_TYPE,
            protocols: this.options.assignors.map((a) => ({ name: a.name, metadata })),
          },
          { timeoutMs: this.options.rebalanceTimeoutMs + 5_000 },
        );
        code = join.errorCode;
        if (code === ErrorCode.MEMBER_ID_REQUIRED) {
          // KIP-394: the broker hands out the member id, then expects the join again with it.
          this.memberId = join.memberId;
          attempt = -1;
          continue;
        }
        if (code === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
        if (code !== ErrorCode.NONE)
          throw kafkaError(code, { group: this.options.groupId, broker: `node ${node}` });
        this.memberId = join.memberId;
        this.generation = join.generationId;
        const chosen = this.options.assignors.find((a) => a.name === join.protocolName);
        let assignments: { memberId: string; assignment: Buffer }[] = [];
        if (join.leader === join.memberId && !join.skipAssignment) {
          assignments = await this.assign(join.protocolName ?? '', join.members, partitionCounts);
        }
        const sync = await this.cluster.sendTo(
          node,
          SyncGroup,
          {
            groupId: this.options.groupId,
            generationId: this.generation,
            memberId: this.memberId,
            groupInstanceId: this.options.groupInstanceId,
            protocolType: CONSUMER_PROTOCOL_TYPE,
            protocolName: join.protocolName,
            assignments,
          },
          { timeoutMs: this.options.rebalanceTimeoutMs + 5_000 },
        );
        code = sync.errorCode;
        if (code !== ErrorCode.NONE)
          throw kafkaError(code, { group: this.options.groupId, broker: `node ${node}` });
        const decoded =
          sync.assignment.length > 0 ? decodeAssignment(sync.assignment) : { assignedPartitions: [] };
        const partitions: { topic: string; partition: number }[] = [];
        for (const t of decoded.assignedPartitions)
          for (const p of t.partitions) partitions.push({ topic: t.topic, partition: p });
        this.needsRejoin = false;
        this.lost = false;
        this.startHeartbeats();
        this.cluster.log.info(
          {
            group: this.options.groupId,
            memberId: this.memberId,
            generation: this.generation,
            leader: join.leader === join.memberId,
            assignedPartitions: partitions.length,
          },
          'Joined group',
        );
        return { generation: this.generation, partitions, protocol: chosen?.protocol ?? this.protocol };
      } catch (err) {
        this.coordinatorFailed(code);
        this.cluster.reportError(err);
        // A static member fenced by a newer instance of itself must stop (KIP-345).
        if (err instanceof KafkaError && err.code === ErrorCode.FENCED_INSTANCE_ID) throw err;
        if (err instanceof KafkaError && LOST.has(err.code) && owned.length > 0) {
          // The group went on without us: what we hold may be someone else's already. Joining
          // again claiming it would let us keep consuming it meanwhile (cooperative protocol).
          this.generation = -1;
          this.lost = true;
          this.needsRejoin = true;
          return null;
        }
        const rejoin = err instanceof KafkaError && (REJOIN.has(err.code) || LOST.has(err.code));
        if (!rejoin && !shouldRetry(err).retry) throw err;
        await sleep(backoffMs(Math.min(attempt, 5), this.options));
      }
    }
  }

  /** The leader's part: run the assignor the group chose over every member's subscription. */
  private async assign(
    protocol: string,
    members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[],
    partitionCounts: (topics: readonly string[]) => Promise<Map<string, number>>,
  ): Promise<{ memberId: string; assignment: Buffer }[]> {
    const assignor = this.options.assignors.find((a) => a.name === protocol);
    if (!assignor)
      throw new KafkawireError(
        `The group chose assignor "${protocol}", which this consumer does not have`,
        false,
      );
    // generationId (subscription v2+) rides along for the sticky assignors (StickyMemberSubscription).
    const subs: (MemberSubscription & { generationId: number })[] = members.map((m) => {
      const s = decodeSubscription(m.metadata);
      return {
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        topics: s.topics,
        ownedPartitions: s.ownedPartitions.map((o) => ({ topic: o.topic, partitions: o.partitions })),
        userData: s.userData,
        generationId: s.generationId,
      };
    });
    const all = new Set<string>();
    for (const s of subs) for (const t of s.topics) all.add(t);
    const counts = await partitionCounts([...all]);
    const result = assignor.assign(subs, counts);
    // Java validates other cooperative assignors, not its own cooperative-sticky (KAFKA-13406).
    if (assignor.protocol === 'cooperative' && assignor.name !== CooperativeStickyAssignor.name) {
      validateCooperativeAssignment(assignor.name, subs, result);
    }
    return subs.map((s) => {
      const byTopic = result.get(s.memberId) ?? new Map<string, number[]>();
      return {
        memberId: s.memberId,
        assignment: encodeAssignment({
          assignedPartitions: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
          userData: null,
        }),
      };
    });
  }

  /** Failed heartbeats (an unreachable coordinator): logged once, then with a count. */
  protected readonly heartbeatFailures = new RepeatFilter((err) =>
    this.cluster.log.warn(
      { ...errorFields(err), group: this.options.groupId, memberId: this.memberId },
      'Heartbeat failed',
    ),
  );

  private startHeartbeats(): void {
    this.stopHeartbeats();
    const epoch = this.heartbeatEpoch;
    const beat = async () => {
      this.heartbeatTimer = null;
      if (this.stopped || this.needsRejoin || this.lost || epoch !== this.heartbeatEpoch) return;
      let code: number | null = null;
      try {
        const node = await this.coordinatorNode();
        const res = await this.cluster.sendTo(node, Heartbeat, {
          groupId: this.options.groupId,
          generationId: this.generation,
          memberId: this.memberId,
          groupInstanceId: this.options.groupInstanceId,
        });
        // A heartbeat of a round that ended (a join started meanwhile) says nothing about the new one.
        if (epoch !== this.heartbeatEpoch) return;
        code = res.errorCode;
        if (code === ErrorCode.NONE) this.heartbeatFailures.clear();
        else if (code === ErrorCode.REBALANCE_IN_PROGRESS) {
          this.heartbeatFailures.clear();
          this.needsRejoin = true;
          this.cluster.log.info(
            { group: this.options.groupId, memberId: this.memberId },
            'Group is rebalancing; rejoining',
          );
        } else if (LOST.has(code)) {
          this.heartbeatFailures.clear();
          this.cluster.log.warn(
            {
              ...errorFields(kafkaError(code, { group: this.options.groupId })),
              memberId: this.memberId,
              generation: this.generation,
            },
            'Member is no longer in the group; its partitions are dropped uncommitted and it rejoins',
          );
          if (code === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
          this.generation = -1;
          this.lost = true;
          this.needsRejoin = true;
        } else {
          this.heartbeatFailed(kafkaError(code, { group: this.options.groupId, broker: `node ${node}` }));
          this.coordinatorFailed(code);
        }
      } catch (err) {
        if (epoch !== this.heartbeatEpoch) return;
        this.heartbeatFailed(err instanceof Error ? err : new Error(String(err)));
        this.coordinatorFailed(null);
        this.cluster.reportError(err);
      }
      if (!this.stopped && !this.needsRejoin && !this.lost && epoch === this.heartbeatEpoch) {
        this.heartbeatTimer = setTimeout(beat, this.options.heartbeatIntervalMs);
      }
    };
    this.heartbeatTimer = setTimeout(beat, this.options.heartbeatIntervalMs);
  }

  stopHeartbeats(): void {
    this.heartbeatEpoch++;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private commitFence = 0;

  /**
   * Commits started before this are abandoned at their next attempt (a close's final commit
   * must not be overtaken by an older one still retrying, which would move offsets back).
   */
  fenceCommits(): void {
    this.commitFence++;
  }

  /**
   * True while a commit would be refused by the group: the classic protocol between JoinGroup
   * and SyncGroup. (The KIP-848 member overrides it: it commits under its epoch while it
   * reconciles.)
   */
  protected refusesCommitWhileJoining(): boolean {
    return this.joining;
  }

  /** Commits offsets (the next offset to read, as Java) under the current generation. */
  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    if (!commitChannel.hasSubscribers) return this.commitNow(offsets);
    const trace: CommitMessage = {
      group: this.options.groupId,
      memberId: this.memberId,
      generation: this.generation,
      offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })),
    };
    return commitChannel.tracePromise(() => this.commitNow(offsets), trace);
  }

  private async commitNow(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (this.lost) {
      // Refused here, as Java's CommitFailedException: the group went on without us (poll too
      // late, session expired), so these partitions may be another member's by now. Sent, the
      // commit would carry generation -1 and (after a LeaveGroup or UNKNOWN_MEMBER_ID) no member
      // id, which the broker refuses with UNKNOWN_MEMBER_ID only while the group has members: in
      // an empty group it takes it as a commit from outside group management and moves the
      // offsets. Regression test: max-poll-interval.test.ts, "a lone member stalled past it".
      throw new KafkaError(
        ErrorCode.UNKNOWN_MEMBER_ID,
        {},
        'cannot commit: this consumer is no longer in the group (maxPollIntervalMs exceeded or session expired) and its partitions are lost; poll to rejoin',
      );
    }
    if (this.refusesCommitWhileJoining()) {
      // Java fails it locally too: between JoinGroup and SyncGroup the broker answers
      // REBALANCE_IN_PROGRESS, which would also (wrongly) ask for yet another rebalance.
      throw new KafkaError(
        ErrorCode.REBALANCE_IN_PROGRESS,
        {},
        'cannot commit while the group rebalances: poll to complete the rebalance, then commit again',
      );
    }
    const byTopic = new Map<
      string,
      { partitionIndex: number; committedOffset: bigint; committedMetadata: null }[]
    >();
    for (const o of offsets) {
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partitionIndex: o.partition, committedOffset: o.offset, committedMetadata: null });
      byTopic.set(o.topic, list);
    }
    // The generation these offsets belong to: if the member loses its place while the commit
    // retries (a poll too late, an expired session), a later attempt must not go in under
    // generation -1, which an empty group would accept (see above).
    const generation = this.generation;
    const memberId = this.memberId;
    const fence = this.commitFence;
    for (let attempt = 0; ; attempt++) {
      const node = await this.coordinatorNode();
      if (this.commitFence !== fence) {
        throw new KafkawireError(
          'commit abandoned: the consumer is closing, and commits its final offsets instead',
          false,
        );
      }
      if (this.lost || this.memberId !== memberId) {
        throw new KafkaError(
          ErrorCode.UNKNOWN_MEMBER_ID,
          {},
          'cannot commit: this consumer lost its place in the group while the commit was retried; poll to rejoin',
        );
      }
      if (this.generation !== generation && !this.epochFollows) {
        throw new KafkaError(
          ErrorCode.ILLEGAL_GENERATION,
          {},
          'cannot commit: the group rebalanced while the commit was retried; the partitions may have moved',
        );
      }
      let failed: KafkaError | null = null;
      try {
        const res = await this.cluster.sendTo(node, OffsetCommit, {
          groupId: this.options.groupId,
          generationIdOrMemberEpoch: this.epochFollows ? this.generation : generation,
          memberId,
          groupInstanceId: this.options.groupInstanceId,
          topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
        });
        for (const t of res.topics) {
          for (const p of t.partitions) {
            if (p.errorCode !== ErrorCode.NONE && !failed) {
              failed = kafkaError(p.errorCode, {
                topic: t.name,
                partition: p.partitionIndex,
                group: this.options.groupId,
              });
            }
          }
        }
      } catch (err) {
        this.coordinatorFailed(null);
        if (!shouldRetry(err).retry || attempt >= 5) throw err;
        await sleep(backoffMs(attempt, this.options));
        continue;
      }
      if (!failed) return;
      this.coordinatorFailed(failed.code);
      if (failed.code === ErrorCode.STALE_MEMBER_EPOCH && this.epochFollows && attempt < 10) {
        // KIP-848: the epoch moved on while the commit was in flight; the next heartbeat brings
        // the new one, under which it is sent again.
        await sleep(backoffMs(attempt, this.options));
        continue;
      }
      if (LOST.has(failed.code) || failed.code === ErrorCode.REBALANCE_IN_PROGRESS) {
        // The group moved on: these offsets are not ours to commit any more (Java's CommitFailedException).
        this.needsRejoin = true;
        throw failed;
      }
      if (!failed.retriable || attempt >= 5) throw failed;
      await sleep(backoffMs(attempt, this.options));
    }
  }

  /** Committed offsets of partitions (-1n where the group has none). */
  async committed(partitions: readonly { topic: string; partition: number }[]): Promise<Map<string, bigint>> {
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) pushTo(byTopic, p.topic, p.partition);
    const topics = [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
    for (let attempt = 0; ; attempt++) {
      try {
        const node = await this.coordinatorNode();
        const conn = await this.cluster.connectionTo(node, 'coordinator');
        const v = conn.versionFor(OffsetFetch);
        const res = await conn.send(
          OffsetFetch,
          v >= 8
            ? { groups: [{ groupId: this.options.groupId, topics }], requireStable: true }
            : { groupId: this.options.groupId, topics, requireStable: true },
        );
        const groupError = v >= 8 ? (res.groups[0]?.errorCode ?? 0) : res.errorCode;
        if (groupError !== ErrorCode.NONE) throw kafkaError(groupError, { group: this.options.groupId });
        const out = new Map<string, bigint>();
        for (const t of v >= 8 ? (res.groups[0]?.topics ?? []) : res.topics) {
          for (const p of t.partitions) {
            if (p.errorCode !== ErrorCode.NONE)
              throw kafkaError(p.errorCode, {
                topic: t.name,
                partition: p.partitionIndex,
                group: this.options.groupId,
              });
            out.set(partitionKey(t.name, p.partitionIndex), p.committedOffset);
          }
        }
        return out;
      } catch (err) {
        if (err instanceof KafkaError) this.coordinatorFailed(err.code);
        else this.coordinatorFailed(null);
        if (!shouldRetry(err).retry || attempt >= 10) throw err;
        await sleep(backoffMs(attempt, this.options));
      }
    }
  }

  /** Leaves now and marks the assignment lost; the next ensure-active joins again as a new member. */
  async leaveForRejoin(): Promise<void> {
    this.stopHeartbeats();
    const memberId = this.memberId;
    this.lost = true;
    this.needsRejoin = true;
    this.memberId = '';
    this.generation = -1;
    if (!memberId || this.coordinator === null) return;
    try {
      await this.cluster.sendTo(this.coordinator, LeaveGroup, {
        groupId: this.options.groupId,
        memberId,
        members: [
          {
            memberId,
            groupInstanceId: this.options.groupInstanceId,
            reason: 'max.poll.interval.ms exceeded',
          },
        ],
      });
    } catch {
      // The session timeout removes us anyway.
    }
  }

  /** Leaves the group (not for a static member, which keeps its place for the session timeout). */
  async leave(): Promise<void> {
    this.stopped = true;
    this.stopHeartbeats();
    if (!this.memberId || this.options.groupInstanceId !== null || this.coordinator === null) return;
    try {
      await this.cluster.sendTo(this.coordinator, LeaveGroup, {
        groupId: this.options.groupId,
        memberId: this.memberId,
        members: [{ memberId: this.memberId, groupInstanceId: null, reason: 'the consumer is closing' }],
      });
    } catch {
      // Leaving is a courtesy: the session timeout removes us anyway.
    }
  }
}

/**
 * Java `ConsumerCoordinator.validateCooperativeAssignment`: under the cooperative protocol no
 * partition may go to a member while another member still claims it; it must be revoked first.
 */
function validateCooperativeAssignment(
  assignor: string,
  members: readonly MemberSubscription[],
  result: Map<string, Map<string, number[]>>,
): void {
  const added = new Set<string>();
  const revoked = new Set<string>();
  for (const m of members) {
    const owned = new Set<string>();
    for (const o of m.ownedPartitions) for (const p of o.partitions) owned.add(partitionKey(o.topic, p));
    const assigned = new Set<string>();
    for (const [topic, ps] of result.get(m.memberId) ?? [])
      for (const p of ps) assigned.add(partitionKey(topic, p));
    for (const k of assigned) if (!owned.has(k)) added.add(k);
    for (const k of owned) if (!assigned.has(k)) revoked.add(k);
  }
  const both = [...added].filter((k) => revoked.has(k));
  if (both.length > 0) {
    throw new KafkawireError(
      `Assignor "${assignor}" violates the cooperative protocol: it gives ${both
        .map((k) => k.replace('\0', '-'))
        .join(', ')} to a member while another still owns them`,
      false,
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
