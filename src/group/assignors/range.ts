/**
 * Range assignment (Java `RangeAssignor`, name `range`): per topic, the members subscribed to it
 * in member-id order each get a contiguous range of partitions; the first `count % members`
 * members get one extra.
 */
import { type Assignor, addPartition, compareMembers, emptyAssignment } from './assignor.js';

/** Java's `range` assignor (the Java consumer's default): contiguous partition ranges per topic. */
export const RangeAssignor: Assignor = {
  name: 'range',
  protocol: 'eager',
  assign(members, partitionCounts) {
    const out = emptyAssignment(members);
    const topics = new Set<string>();
    for (const m of members) for (const t of m.topics) topics.add(t);
    for (const topic of [...topics].sort()) {
      const count = partitionCounts.get(topic);
      if (count === undefined) continue;
      const subscribers = members.filter((m) => m.topics.includes(topic)).sort(compareMembers);
      const per = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      subscribers.forEach((m, i) => {
        const start = per * i + Math.min(i, extra);
        const length = per + (i < extra ? 1 : 0);
        for (let p = start; p < start + length; p++) addPartition(out, m.memberId, topic, p);
      });
    }
    return out;
  },
};
