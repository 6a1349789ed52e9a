/**
 * Cooperative sticky assignment (Java `CooperativeStickyAssignor`, name `cooperative-sticky`, KIP-429):
 * the sticky algorithm of Java's `AbstractStickyAssignor` (KIP-54), then the cooperative adjustment.
 *
 * Balanced first: member partition counts differ by at most one where subscriptions allow. Sticky
 * second: each member keeps what it owns (`ownedPartitions` of its subscription) unless balance
 * needs it elsewhere. When two members claim one partition, the claim of the higher generation
 * wins; two claims of the same generation are both invalid.
 *
 * Cooperative invariant (Java's `adjustAssignment`): a partition never goes straight from one
 * member to another. One that must move is only taken away from its owner in this round; the
 * owner revokes it and rejoins, and the follow-up rebalance gives it to its new member.
 *
 * Two paths, as Java: `constrained` when every member subscribes to the same topics (quotas, one
 * pass), `general` otherwise (greedy assignment, then moves while they improve the balance).
 * Rack-aware placement (KIP-881) is not done: members' racks are ignored.
 */

import { partitionKey } from '../../network/topic-partition.js';
import type { Assignor, GroupAssignment, MemberSubscription } from './assignor.js';

/** Java `AbstractStickyAssignor.DEFAULT_GENERATION`: a member that states no generation. */
const DEFAULT_GENERATION = -1;

/**
 * A subscription with the generation its owned partitions were claimed under: ConsumerProtocol
 * subscription v2+ `generationId` (-1 or absent when the member did not say). Without it the
 * generation is read from `userData`, where Java members before v2 put it (an int32).
 */
export interface StickyMemberSubscription extends MemberSubscription {
  generationId?: number;
}

interface TP {
  readonly topic: string;
  readonly partition: number;
}

/** One object per topic-partition, so Sets and Maps can key on identity. */
class Partitions {
  private readonly byKey = new Map<string, TP>();
  get(topic: string, partition: number): TP {
    const k = partitionKey(topic, partition);
    let tp = this.byKey.get(k);
    if (!tp) {
      tp = { topic, partition };
      this.byKey.set(k, tp);
    }
    return tp;
  }
}

const byTopicThenPartition = (a: TP, b: TP) =>
  a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
/** Java's constrained path keeps owned partitions in this order (partition, then topic). */
const byPartitionThenTopic = (a: TP, b: TP) =>
  a.partition - b.partition || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0);
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Java `memberData`: the generation field, else the int32 in userData, else none. */
function memberGeneration(m: MemberSubscription): number | null {
  const g = (m as StickyMemberSubscription).generationId;
  if (g !== undefined && g >= 0) return g;
  if (m.userData === null) return null;
  return m.userData.length >= 4 ? m.userData.readInt32BE(0) : DEFAULT_GENERATION;
}

/**
 * Java's `cooperative-sticky` assignor (KIP-429): balanced, keeps partitions where they are, and
 * rebalances incrementally (only the partitions that move are revoked, the others keep being
 * consumed). Interoperates with Java consumers in the same group.
 */
export const CooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  protocol: 'cooperative',
  assign(members, allCounts) {
    const out: GroupAssignment = new Map();
    for (const m of members) out.set(m.memberId, new Map());
    if (members.length === 0) return out;
    // Only topics someone subscribes to (Java's leader passes no others).
    const partitionCounts = new Map<string, number>();
    for (const m of members)
      for (const t of m.topics) {
        const n = allCounts.get(t);
        if (n !== undefined) partitionCounts.set(t, n);
      }
    const parts = new Partitions();
    // Java iterates a HashMap of members; member-id order makes the result reproducible.
    const sorted = [...members].sort((a, b) => byId(a.memberId, b.memberId));
    const claims = resolveClaims(sorted, partitionCounts, parts);
    let assignment: Map<string, TP[]>;
    let transferring: Map<TP, string>;
    if (claims.allSubscriptionsEqual) {
      transferring = new Map();
      assignment = constrainedAssign(sorted, partitionCounts, claims, parts, transferring);
    } else {
      assignment = generalAssign(sorted, partitionCounts, claims, parts);
      transferring = partitionsTransferringOwnership(sorted, assignment, parts);
    }
    // The cooperative adjustment: what changes owner waits for the follow-up rebalance.
    for (const [tp, memberId] of transferring) remove(assignment.get(memberId), tp);
    for (const [memberId, list] of assignment) {
      const byTopic = out.get(memberId) ?? new Map<string, number[]>();
      for (const tp of [...list].sort(byTopicThenPartition)) {
        const ps = byTopic.get(tp.topic);
        if (ps) ps.push(tp.partition);
        else byTopic.set(tp.topic, [tp.partition]);
      }
      out.set(memberId, byTopic);
    }
    return out;
  },
};

interface Claims {
  allSubscriptionsEqual: boolean;
  /** Each member's valid claims: existing partitions of existing topics, conflicts resolved. */
  owned: Map<string, TP[]>;
  /** Partitions claimed by two members of the same generation: neither keeps it. */
  multiplyClaimed: Set<TP>;
  generations: Map<string, number | null>;
  maxGeneration: number;
}

/** Java `allSubscriptionsEqual`: compares subscriptions and resolves claims by generation. */
function resolveClaims(
  members: readonly MemberSubscription[],
  counts: ReadonlyMap<string, number>,
  parts: Partitions,
): Claims {
  const owned = new Map<string, TP[]>();
  const multiplyClaimed = new Set<TP>();
  const generations = new Map<string, number | null>();
  const claimedBy = new Map<TP, string>();
  let maxGeneration = DEFAULT_GENERATION;
  let allSubscriptionsEqual = true;
  const first = new Set(members[0].topics);
  for (const m of members) {
    const topics = new Set(m.topics);
    if (topics.size !== first.size || [...topics].some((t) => !first.has(t))) allSubscriptionsEqual = false;
    const generation = memberGeneration(m);
    generations.set(m.memberId, generation);
    const gen = generation ?? DEFAULT_GENERATION;
    maxGeneration = Math.max(maxGeneration, gen);
    const mine: TP[] = [];
    owned.set(m.memberId, mine);
    for (const o of m.ownedPartitions) {
      const count = counts.get(o.topic);
      if (count === undefined) continue;
      for (const p of o.partitions) {
        if (!Number.isInteger(p) || p < 0 || p >= count) continue;
        const tp = parts.get(o.topic, p);
        const other = claimedBy.get(tp);
        if (other === undefined) {
          mine.push(tp);
          claimedBy.set(tp, m.memberId);
        } else if (other === m.memberId) {
          // listed twice by one member: one claim
        } else {
          const otherGen = generations.get(other) ?? DEFAULT_GENERATION;
          if (gen === otherGen) {
            multiplyClaimed.add(tp);
            remove(owned.get(other), tp);
            claimedBy.set(tp, m.memberId);
          } else if (gen > otherGen) {
            mine.push(tp);
            remove(owned.get(other), tp);
            claimedBy.set(tp, m.memberId);
          }
          // else: the other member's newer claim stands
        }
      }
    }
  }
  return { allSubscriptionsEqual, owned, multiplyClaimed, generations, maxGeneration };
}

function remove(list: TP[] | undefined, tp: TP): void {
  const i = list ? list.indexOf(tp) : -1;
  if (list && i >= 0) list.splice(i, 1);
}

function allPartitions(
  topics: readonly string[],
  counts: ReadonlyMap<string, number>,
  parts: Partitions,
): TP[] {
  const out: TP[] = [];
  for (const t of topics) for (let p = 0; p < (counts.get(t) ?? 0); p++) out.push(parts.get(t, p));
  return out;
}

/**
 * Java `ConstrainedAssignmentBuilder` (identical subscriptions): keep owned partitions up to the
 * quota (maxQuota for the first `total % members` members that own that many, minQuota for the
 * others), then deal the rest round-robin to members under quota in member-id order.
 * `transferring` collects partitions given to a member other than their previous owner.
 */
function constrainedAssign(
  members: readonly MemberSubscription[],
  counts: ReadonlyMap<string, number>,
  claims: Claims,
  parts: Partitions,
  transferring: Map<TP, string>,
): Map<string, TP[]> {
  const all = allPartitions([...counts.keys()].sort(), counts, parts);
  const n = members.length;
  const minQuota = Math.floor(all.length / n);
  const maxQuota = Math.ceil(all.length / n);
  const expectedOverMin = all.length % n;
  let currentOverMin = 0;
  const assignment = new Map<string, TP[]>();
  const assigned = new Set<TP>();
  const revoked = new Set<TP>();
  const underMin: string[] = [];
  let exactlyMin: string[] = [];
  for (const m of members) {
    const owned = (claims.owned.get(m.memberId) ?? [])
      .filter((tp) => !claims.multiplyClaimed.has(tp))
      .sort(byPartitionThenTopic);
    let keep: number;
    if (owned.length < minQuota) {
      keep = owned.length;
      underMin.push(m.memberId);
    } else if (owned.length >= maxQuota && currentOverMin < expectedOverMin) {
      keep = maxQuota;
      currentOverMin++;
      if (currentOverMin === expectedOverMin) exactlyMin = [];
    } else {
      keep = minQuota;
      // Still a candidate for one more while fewer members than expected are above minQuota.
      if (currentOverMin < expectedOverMin) exactlyMin.push(m.memberId);
    }
    const kept = owned.slice(0, keep);
    for (const tp of kept) assigned.add(tp);
    for (const tp of owned.slice(keep)) revoked.add(tp);
    assignment.set(m.memberId, kept);
  }
  underMin.sort(byId);
  exactlyMin.sort(byId);
  // Round-robin over the members under minQuota, then one more each to those at minQuota.
  let i = 0;
  for (const tp of all) {
    if (assigned.has(tp)) continue;
    let memberId: string;
    let fromUnderMin = true;
    if (i < underMin.length) memberId = underMin[i];
    else if (underMin.length > 0) {
      i = 0;
      memberId = underMin[0];
    } else {
      const next = exactlyMin.shift();
      if (next === undefined)
        throw new Error(`cooperative-sticky: no member left for ${tp.topic}-${tp.partition}`);
      memberId = next;
      fromUnderMin = false;
    }
    const list = assignment.get(memberId) as TP[];
    list.push(tp);
    if (revoked.has(tp) || claims.multiplyClaimed.has(tp)) transferring.set(tp, memberId);
    if (list.length === minQuota) {
      if (fromUnderMin) underMin.splice(i, 1);
      exactlyMin.push(memberId);
    } else {
      if (fromUnderMin) i++;
      if (list.length === maxQuota) currentOverMin++;
    }
  }
  return assignment;
}

/** Java `CooperativeStickyAssignor.computePartitionsTransferringOwnership`: added ∩ revoked, by raw claims. */
function partitionsTransferringOwnership(
  members: readonly MemberSubscription[],
  assignment: Map<string, TP[]>,
  parts: Partitions,
): Map<TP, string> {
  const added = new Map<TP, string>();
  const revoked = new Set<TP>();
  for (const m of members) {
    const owned = new Set<TP>();
    for (const o of m.ownedPartitions) for (const p of o.partitions) owned.add(parts.get(o.topic, p));
    const assigned = new Set(assignment.get(m.memberId) ?? []);
    for (const tp of assigned) if (!owned.has(tp)) added.set(tp, m.memberId);
    for (const tp of owned) if (!assigned.has(tp)) revoked.add(tp);
  }
  for (const tp of [...added.keys()]) if (!revoked.has(tp)) added.delete(tp);
  return added;
}

/**
 * Java `GeneralAssignmentBuilder` (subscriptions differ): keep valid claims, give each unassigned
 * partition to the least loaded member subscribed to it, then move partitions from members that
 * have two or more over another candidate while that improves the balance; the moves are kept
 * only if the balance score ends up better.
 */
function generalAssign(
  members: readonly MemberSubscription[],
  counts: ReadonlyMap<string, number>,
  claims: Claims,
  parts: Partitions,
): Map<string, TP[]> {
  const topicMembers = new Map<string, string[]>();
  for (const t of counts.keys()) topicMembers.set(t, []);
  const memberTopics = new Map<string, string[]>();
  for (const m of members) {
    const topics = [...new Set(m.topics)].filter((t) => counts.has(t));
    memberTopics.set(m.memberId, topics);
    for (const t of topics) topicMembers.get(t)?.push(m.memberId);
  }
  const topicsOf = (memberId: string) => memberTopics.get(memberId) ?? [];
  const membersOf = (topic: string) => topicMembers.get(topic) ?? [];
  const maxSizes = new Map<string, number>();
  for (const m of members)
    maxSizes.set(
      m.memberId,
      topicsOf(m.memberId).reduce((n, t) => n + (counts.get(t) ?? 0), 0),
    );
  const maxAssignmentSize = (memberId: string) => maxSizes.get(memberId) ?? 0;

  let current = new Map<string, TP[]>();
  const owner = new Map<TP, string>();
  let revocationRequired = false;
  const assigned = new Set<TP>();
  for (const m of members) {
    const subscribed = new Set(m.topics);
    const kept: TP[] = [];
    for (const tp of claims.owned.get(m.memberId) ?? []) {
      if (!subscribed.has(tp.topic)) {
        revocationRequired = true; // the member left this topic
        continue;
      }
      kept.push(tp);
      owner.set(tp, m.memberId);
      assigned.add(tp);
    }
    current.set(m.memberId, kept);
  }

  // Topics with the fewest candidate members first, as Java's TopicComparator.
  const sortedTopics = [...topicMembers.keys()].sort(
    (a, b) => membersOf(a).length - membersOf(b).length || byId(a, b),
  );
  let sortedAll = allPartitions(sortedTopics, counts, parts);
  let unassigned = sortedAll.filter((tp) => !assigned.has(tp));
  const prev = previousAssignment(members, claims, counts, parts);
  const size = (memberId: string) => current.get(memberId)?.length ?? 0;
  const leastLoaded = (topic: string): string | undefined => {
    let best: string | undefined;
    for (const m of membersOf(topic)) {
      if (!current.has(m)) continue;
      if (best === undefined || size(m) < size(best) || (size(m) === size(best) && m < best)) best = m;
    }
    return best;
  };

  const initializing = [...current.values()].every((l) => l.length === 0);
  for (const tp of unassigned) {
    const m = leastLoaded(tp.topic);
    if (m === undefined) continue; // no member subscribes to this topic
    current.get(m)?.push(tp);
    owner.set(tp, m);
  }

  // Only partitions of topics with two or more candidates, and members that could change, take part.
  const movable = (topic: string) => membersOf(topic).length >= 2;
  sortedAll = sortedAll.filter((tp) => movable(tp.topic));
  unassigned = unassigned.filter((tp) => movable(tp.topic));
  const fixed = new Map<string, TP[]>();
  for (const m of members) {
    const list = current.get(m.memberId) ?? [];
    if (list.length < maxAssignmentSize(m.memberId) || list.some((tp) => movable(tp.topic))) continue;
    fixed.set(m.memberId, list);
    current.delete(m.memberId);
  }

  const isBalanced = (): boolean => {
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (const l of current.values()) {
      min = Math.min(min, l.length);
      max = Math.max(max, l.length);
    }
    if (current.size === 0 || min >= max - 1) return true;
    // Unbalanced sizes may still be the best possible. Java asks, for each member short of all it
    // could get, whether a partition it could take sits with a member holding two or more than it:
    // that is whether the fullest owner of one of its topics is that far ahead.
    const fullestOwner = new Map<string, number>();
    for (const list of current.values())
      for (const tp of list)
        if (list.length > (fullestOwner.get(tp.topic) ?? 0)) fullestOwner.set(tp.topic, list.length);
    for (const [m, list] of current) {
      if (list.length === maxAssignmentSize(m)) continue;
      for (const t of topicsOf(m)) if ((fullestOwner.get(t) ?? 0) > list.length + 1) return false;
    }
    return true;
  };

  const movements = new PartitionMovements();
  const move = (tp: TP, to: string) => {
    const from = owner.get(tp) as string;
    // Move back a partition that earlier moved the other way instead of swapping two (stickiness).
    const actual = movements.partitionToMove(tp, from, to);
    const actualFrom = owner.get(actual) as string;
    movements.record(actual, actualFrom, to);
    remove(current.get(actualFrom), actual);
    current.get(to)?.push(actual);
    owner.set(actual, to);
  };

  const reassign = (reassignable: readonly TP[]): boolean => {
    let performed = false;
    let modified: boolean;
    do {
      modified = false;
      for (const tp of reassignable) {
        if (isBalanced()) break;
        const from = owner.get(tp);
        if (from === undefined || !current.has(from)) continue;
        const before = prev.get(tp);
        if (before !== undefined && current.has(before) && size(from) > size(before) + 1) {
          move(tp, before);
          performed = modified = true;
          continue;
        }
        for (const other of membersOf(tp.topic)) {
          if (current.has(other) && size(from) > size(other) + 1) {
            const to = leastLoaded(tp.topic);
            if (to !== undefined) {
              move(tp, to);
              performed = modified = true;
            }
            break;
          }
        }
      }
    } while (modified);
    return performed;
  };

  const preBalance = copy(current);
  // Without revocations forced by subscription changes, first balance by moving only new partitions.
  if (!revocationRequired) reassign(unassigned);
  const performed = reassign(sortedAll);
  if (!initializing && performed && balanceScore(current) >= balanceScore(preBalance)) {
    current = preBalance;
  }
  for (const [m, list] of fixed) current.set(m, list);
  return current;
}

/**
 * Java `prepopulateCurrentAssignments`: claims of members behind the highest generation, each
 * partition with its latest such claimant; a partition goes back to it when that helps balance.
 */
function previousAssignment(
  members: readonly MemberSubscription[],
  claims: Claims,
  counts: ReadonlyMap<string, number>,
  parts: Partitions,
): Map<TP, string> {
  const prev = new Map<TP, { memberId: string; generation: number }>();
  for (const m of members) {
    const g = claims.generations.get(m.memberId) ?? null;
    let generation: number;
    if (g !== null && g < claims.maxGeneration) generation = g;
    else if (g === null && claims.maxGeneration > DEFAULT_GENERATION) generation = DEFAULT_GENERATION;
    else continue;
    for (const o of m.ownedPartitions) {
      const count = counts.get(o.topic) ?? 0;
      for (const p of o.partitions) {
        if (p < 0 || p >= count) continue;
        const tp = parts.get(o.topic, p);
        const had = prev.get(tp);
        if (!had || generation > had.generation) prev.set(tp, { memberId: m.memberId, generation });
      }
    }
  }
  return new Map([...prev].map(([tp, v]) => [tp, v.memberId]));
}

/** Sum over member pairs of the difference in partition counts; 0 is perfectly balanced. */
function balanceScore(a: Map<string, TP[]>): number {
  const sizes = [...a.values()].map((l) => l.length);
  let score = 0;
  for (let i = 0; i < sizes.length; i++)
    for (let j = i + 1; j < sizes.length; j++) score += Math.abs(sizes[i] - sizes[j]);
  return score;
}

function copy(a: Map<string, TP[]>): Map<string, TP[]> {
  return new Map([...a].map(([m, l]) => [m, [...l]]));
}

/** Java `PartitionMovements`: where each partition moved during this assignment, by topic and member pair. */
class PartitionMovements {
  private readonly byTopic = new Map<string, Map<string, Set<TP>>>();
  private readonly moves = new Map<TP, { src: string; dst: string }>();

  /** The partition to move from `from` to `to`: one of the topic's that moved `to` → `from` before, if any. */
  partitionToMove(tp: TP, from: string, to: string): TP {
    const topic = this.byTopic.get(tp.topic);
    if (!topic) return tp;
    const earlier = this.moves.get(tp);
    if (earlier) from = earlier.src;
    const reverse = topic.get(pair(to, from));
    if (!reverse) return tp;
    return reverse.values().next().value ?? tp;
  }

  record(tp: TP, from: string, to: string): void {
    const earlier = this.moves.get(tp);
    if (earlier) {
      this.forget(tp, earlier);
      // back where it started: no movement left to record
      if (earlier.src !== to) this.add(tp, earlier.src, to);
    } else this.add(tp, from, to);
  }

  private add(tp: TP, src: string, dst: string): void {
    this.moves.set(tp, { src, dst });
    let topic = this.byTopic.get(tp.topic);
    if (!topic) {
      topic = new Map();
      this.byTopic.set(tp.topic, topic);
    }
    const k = pair(src, dst);
    const set = topic.get(k);
    if (set) set.add(tp);
    else topic.set(k, new Set([tp]));
  }

  private forget(tp: TP, m: { src: string; dst: string }): void {
    this.moves.delete(tp);
    const topic = this.byTopic.get(tp.topic);
    const k = pair(m.src, m.dst);
    const set = topic?.get(k);
    set?.delete(tp);
    if (topic && set?.size === 0) topic.delete(k);
    if (topic?.size === 0) this.byTopic.delete(tp.topic);
  }
}

const pair = (src: string, dst: string) => `${src}\0${dst}`;
