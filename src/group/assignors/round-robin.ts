/**
 * Round-robin assignment (Java `RoundRobinAssignor`, name `roundrobin`): all partitions of all
 * subscribed topics, sorted by topic then partition, dealt to the members in member-id order,
 * skipping a member not subscribed to the partition's topic.
 */
import { type Assignor, addPartition, compareMembers, emptyAssignment } from './assignor.js';

/** Java's `roundrobin` assignor: all subscribed partitions dealt to the members in turn. */
export const RoundRobinAssignor: Assignor = {
  name: 'roundrobin',
  protocol: 'eager',
  assign(members, partitionCounts) {
    const out = emptyAssignment(members);
    const sorted = [...members].sort(compareMembers);
    if (sorted.length === 0) return out;
    const topics = new Set<string>();
    for (const m of members) for (const t of m.topics) topics.add(t);
    let next = 0;
    for (const topic of [...topics].sort()) {
      const count = partitionCounts.get(topic) ?? 0;
      for (let p = 0; p < count; p++) {
        // Deal to the next member that subscribes to this topic.
        for (let tries = 0; tries < sorted.length; tries++) {
          const m = sorted[next % sorted.length];
          next++;
          if (m.topics.includes(topic)) {
            addPartition(out, m.memberId, topic, p);
            break;
          }
        }
      }
    }
    return out;
  },
};
