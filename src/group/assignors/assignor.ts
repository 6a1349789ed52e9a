/**
 * Partition assignment, as the group leader runs it (client-side assignment, the classic group
 * protocol). An assignor is a pure function from members' subscriptions and the partition
 * counts to an assignment; its name is what JoinGroup advertises, so members of different
 * clients (kafkawire and Java) agree when they name the same assignor.
 */

export interface MemberSubscription {
  memberId: string;
  /** Static member id (KIP-345), used by some assignors for stable ordering. */
  groupInstanceId: string | null;
  topics: readonly string[];
  /** Partitions the member owns now (cooperative protocols), by topic. */
  ownedPartitions: readonly { topic: string; partitions: readonly number[] }[];
  userData: Buffer | null;
}

/** Member id → topic → partitions. */
export type GroupAssignment = Map<string, Map<string, number[]>>;

export interface Assignor {
  /** The protocol name in JoinGroup, as Java names it (`range`, `roundrobin`, `cooperative-sticky`). */
  readonly name: string;
  /** 'eager' revokes everything on a rebalance; 'cooperative' only what moves (KIP-429). */
  readonly protocol: 'eager' | 'cooperative';
  assign(
    members: readonly MemberSubscription[],
    partitionCounts: ReadonlyMap<string, number>,
  ): GroupAssignment;
}

export function emptyAssignment(members: readonly MemberSubscription[]): GroupAssignment {
  const out: GroupAssignment = new Map();
  for (const m of members) out.set(m.memberId, new Map());
  return out;
}

export function addPartition(a: GroupAssignment, memberId: string, topic: string, partition: number): void {
  let byTopic = a.get(memberId);
  if (!byTopic) {
    byTopic = new Map();
    a.set(memberId, byTopic);
  }
  const list = byTopic.get(topic);
  if (list) list.push(partition);
  else byTopic.set(topic, [partition]);
}

/** Java orders members by member id (static members by group instance id where set). */
export function compareMembers(a: MemberSubscription, b: MemberSubscription): number {
  const ka = a.groupInstanceId ?? a.memberId;
  const kb = b.groupInstanceId ?? b.memberId;
  return ka < kb ? -1 : ka > kb ? 1 : a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}
