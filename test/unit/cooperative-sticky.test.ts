import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GroupAssignment } from '../../src/group/assignors/assignor.js';
import {
  CooperativeStickyAssignor,
  type StickyMemberSubscription,
} from '../../src/group/assignors/cooperative-sticky.js';

type Owned = Record<string, number[]>;

const member = (
  memberId: string,
  topics: string[],
  owned: Owned = {},
  generationId = -1,
): StickyMemberSubscription => ({
  memberId,
  groupInstanceId: null,
  topics,
  ownedPartitions: Object.entries(owned).map(([topic, partitions]) => ({ topic, partitions })),
  userData: null,
  generationId,
});

const counts = (c: Record<string, number>) => new Map(Object.entries(c));

const plain = (a: GroupAssignment): Record<string, Owned> =>
  Object.fromEntries(
    [...a].map(([m, byTopic]) => [m, Object.fromEntries([...byTopic].map(([t, ps]) => [t, [...ps].sort()]))]),
  );

const sizes = (a: GroupAssignment) =>
  Object.fromEntries(
    [...a].map(([m, byTopic]) => [m, [...byTopic.values()].reduce((n, ps) => n + ps.length, 0)]),
  );

const all = (a: GroupAssignment) => {
  const out: string[] = [];
  for (const byTopic of a.values()) for (const [t, ps] of byTopic) for (const p of ps) out.push(`${t}-${p}`);
  return out.sort();
};

/** Partitions handed to a member that did not claim them while another member's subscription does. */
function directTransfers(members: readonly StickyMemberSubscription[], a: GroupAssignment): string[] {
  const claimedBy = new Map<string, string[]>();
  for (const m of members)
    for (const o of m.ownedPartitions)
      for (const p of o.partitions)
        claimedBy.set(`${o.topic}-${p}`, [...(claimedBy.get(`${o.topic}-${p}`) ?? []), m.memberId]);
  const out: string[] = [];
  for (const [m, byTopic] of a)
    for (const [t, ps] of byTopic)
      for (const p of ps) {
        const claimants = claimedBy.get(`${t}-${p}`) ?? [];
        if (claimants.length > 0 && !claimants.includes(m)) out.push(`${t}-${p}→${m}`);
      }
  return out;
}

/**
 * Runs rebalances as the consumers would: each member then owns what it was assigned, under the
 * new generation, until the assignment stops changing. Returns every round's assignment.
 */
function rounds(
  start: StickyMemberSubscription[],
  partitionCounts: Map<string, number>,
  max = 5,
): { history: GroupAssignment[]; members: StickyMemberSubscription[] } {
  let members = start;
  const history: GroupAssignment[] = [];
  let generation = Math.max(0, ...members.map((m) => m.generationId ?? -1));
  for (let i = 0; i < max; i++) {
    const a = CooperativeStickyAssignor.assign(members, partitionCounts);
    expect(directTransfers(members, a)).toEqual([]);
    history.push(a);
    const changed = members.some((m) => {
      const before = m.ownedPartitions.flatMap((o) => o.partitions.map((p) => `${o.topic}-${p}`)).sort();
      const after = [...(a.get(m.memberId) ?? [])].flatMap(([t, ps]) => ps.map((p) => `${t}-${p}`)).sort();
      return before.join() !== after.join();
    });
    generation++;
    members = members.map((m) =>
      member(m.memberId, [...m.topics], Object.fromEntries(a.get(m.memberId) ?? []), generation),
    );
    if (!changed) break;
  }
  return { history, members };
}

describe('CooperativeStickyAssignor (Java CooperativeStickyAssignor semantics)', () => {
  it('is named cooperative-sticky and speaks the cooperative protocol', () => {
    expect(CooperativeStickyAssignor.name).toBe('cooperative-sticky');
    expect(CooperativeStickyAssignor.protocol).toBe('cooperative');
  });

  it('gives a fresh group a balanced assignment with every partition exactly once', () => {
    const a = CooperativeStickyAssignor.assign(
      [member('c', ['t', 'u']), member('a', ['t', 'u']), member('b', ['t', 'u'])],
      counts({ t: 7, u: 3 }),
    );
    expect(Object.values(sizes(a)).sort()).toEqual([3, 3, 4]);
    expect(all(a)).toEqual(
      [
        ...Array.from({ length: 7 }, (_, i) => `t-${i}`),
        ...Array.from({ length: 3 }, (_, i) => `u-${i}`),
      ].sort(),
    );
  });

  it('when a member joins, takes from the others only what balance needs and keeps the rest', () => {
    const before = [member('a', ['t'], { t: [0, 1, 2] }, 3), member('b', ['t'], { t: [3, 4, 5] }, 3)];
    const { history } = rounds([...before, member('c', ['t'])], counts({ t: 6 }));
    // Round 1: a and b each give one partition up; c gets nothing while they still own them.
    expect(plain(history[0])).toEqual({ a: { t: [0, 1] }, b: { t: [3, 4] }, c: {} });
    // Round 2 (after a and b revoked and rejoined): c gets the two freed partitions.
    expect(plain(history[1])).toEqual({ a: { t: [0, 1] }, b: { t: [3, 4] }, c: { t: [2, 5] } });
    // Round 3 moves nothing.
    expect(plain(history[2])).toEqual(plain(history[1]));
  });

  it('when a member leaves, hands its partitions out at once without moving anyone else’s', () => {
    const a = CooperativeStickyAssignor.assign(
      [member('a', ['t'], { t: [0, 1] }, 4), member('b', ['t'], { t: [2, 3] }, 4)],
      counts({ t: 6 }), // c, which owned 4 and 5, is gone
    );
    const p = plain(a);
    expect(p.a.t.slice(0, 2)).toEqual([0, 1]);
    expect(p.b.t.slice(0, 2)).toEqual([2, 3]);
    expect([...p.a.t, ...p.b.t].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sizes(a)).toEqual({ a: 3, b: 3 });
  });

  it('keeps a partition two members claim with the one of the higher generation', () => {
    // b is a zombie from generation 4 that still claims 2; a owned it in generation 5.
    const a = CooperativeStickyAssignor.assign(
      [member('a', ['t'], { t: [0, 1, 2] }, 5), member('b', ['t'], { t: [2, 3] }, 4)],
      counts({ t: 6 }),
    );
    expect(plain(a).a.t).toEqual([0, 1, 2]);
    expect(plain(a).b.t).toEqual([3, 4, 5]);
    // Whichever order the subscriptions arrive in.
    const reversed = CooperativeStickyAssignor.assign(
      [member('a', ['t'], { t: [2, 3] }, 4), member('b', ['t'], { t: [0, 1, 2] }, 5)],
      counts({ t: 6 }),
    );
    expect(plain(reversed).b.t).toEqual([0, 1, 2]);
    expect(plain(reversed).a.t).toEqual([3, 4, 5]);
  });

  it('gives a partition claimed by two members of the same generation to nobody until both let go', () => {
    const members = [member('a', ['t'], { t: [0, 1] }, 5), member('b', ['t'], { t: [1, 2] }, 5)];
    const first = CooperativeStickyAssignor.assign(members, counts({ t: 4 }));
    expect(all(first)).not.toContain('t-1');
    expect(plain(first).a.t).toContain(0);
    expect(plain(first).b.t).toContain(2);
    expect(directTransfers(members, first)).toEqual([]);
    // Both revoke 1 and rejoin: now it is free and is handed out.
    const { history } = rounds(
      [
        member('a', ['t'], Object.fromEntries(first.get('a') ?? []), 6),
        member('b', ['t'], Object.fromEntries(first.get('b') ?? []), 6),
      ],
      counts({ t: 4 }),
    );
    expect(all(history[0])).toEqual(['t-0', 't-1', 't-2', 't-3']);
    expect(Object.values(sizes(history[0]))).toEqual([2, 2]);
  });

  it('reads the generation from userData (an int32, as Java members before subscription v2 send it)', () => {
    const gen = (g: number) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(g);
      return b;
    };
    const members: StickyMemberSubscription[] = [
      { ...member('a', ['t'], { t: [0, 1] }), generationId: undefined, userData: gen(7) },
      { ...member('b', ['t'], { t: [1, 2] }), generationId: undefined, userData: gen(6) },
    ];
    const a = CooperativeStickyAssignor.assign(members, counts({ t: 4 }));
    expect(plain(a).a.t).toEqual([0, 1]);
    expect(plain(a).b.t).toContain(2);
  });

  it('moves a partition in two rebalances: taken from its owner first, given to the new member next', () => {
    // a owns everything; b joins.
    const start = [member('a', ['t'], { t: [0, 1, 2, 3] }, 1), member('b', ['t'])];
    const first = CooperativeStickyAssignor.assign(start, counts({ t: 4 }));
    expect(plain(first)).toEqual({ a: { t: [0, 1] }, b: {} });
    const second = CooperativeStickyAssignor.assign(
      [member('a', ['t'], { t: [0, 1] }, 2), member('b', ['t'], {}, 2)],
      counts({ t: 4 }),
    );
    expect(plain(second)).toEqual({ a: { t: [0, 1] }, b: { t: [2, 3] } });
  });

  it('balances members with different subscriptions as far as they allow, and stays sticky', () => {
    // a reads only x; b and c read x and y.
    const fresh = CooperativeStickyAssignor.assign(
      [member('a', ['x']), member('b', ['x', 'y']), member('c', ['x', 'y'])],
      counts({ x: 3, y: 6 }),
    );
    expect(all(fresh)).toHaveLength(9);
    expect(Object.values(sizes(fresh)).sort()).toEqual([3, 3, 3]);
    expect([...(fresh.get('a') ?? new Map()).keys()]).toEqual(['x']);
    // d joins, reading y only: everyone keeps as much as they can.
    const owned = (m: string) => Object.fromEntries(fresh.get(m) ?? []);
    const { history } = rounds(
      [
        member('a', ['x'], owned('a'), 1),
        member('b', ['x', 'y'], owned('b'), 1),
        member('c', ['x', 'y'], owned('c'), 1),
        member('d', ['y']),
      ],
      counts({ x: 3, y: 6 }),
    );
    const last = history[history.length - 1];
    expect(all(last)).toHaveLength(9);
    const s = Object.values(sizes(last));
    expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
    let kept = 0;
    for (const m of ['a', 'b', 'c'])
      for (const [t, ps] of fresh.get(m) ?? [])
        for (const p of ps) if (plain(last)[m][t]?.includes(p)) kept++;
    expect(kept).toBeGreaterThanOrEqual(9 - 2); // d needs 2 of the 9 and takes nothing more
  });

  it('ignores claims on topics that are gone or partitions that do not exist', () => {
    const a = CooperativeStickyAssignor.assign(
      [member('a', ['t'], { t: [0, 7], gone: [0] }, 2), member('b', ['t'], {}, 2)],
      counts({ t: 2 }),
    );
    expect(plain(a)).toEqual({ a: { t: [0] }, b: { t: [1] } });
  });

  it('never hands a claimed partition straight to another member, and converges to balance (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 20, maxLength: 20 }),
        (partitions, before, joining, owners) => {
          // `before` members own a random disjoint split of the partitions (some unowned), then `joining` more join.
          const ids = Array.from({ length: before + joining }, (_, i) => `m${String(i).padStart(2, '0')}`);
          const owned = ids.map((): number[] => []);
          for (let p = 0; p < partitions; p++) if (owners[p] < before) owned[owners[p]].push(p);
          const members = ids.map((id, i) =>
            member(id, ['t'], i < before ? { t: owned[i] } : {}, i < before ? 3 : -1),
          );
          const { history } = rounds(members, counts({ t: partitions }), 6);
          expect(history.length).toBeLessThanOrEqual(3); // balanced after the follow-up, stable after that
          const last = history[history.length - 1];
          expect(all(last)).toEqual(Array.from({ length: partitions }, (_, p) => `t-${p}`).sort());
          const s = Object.values(sizes(last));
          expect(Math.max(...s) - Math.min(...s)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the cooperative rule with mixed subscriptions too (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.subarray(['x', 'y', 'z'], { minLength: 1 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 3, maxLength: 3 }),
        (subscriptions, partitionCounts) => {
          const c = counts({ x: partitionCounts[0], y: partitionCounts[1], z: partitionCounts[2] });
          const members = subscriptions.map((topics, i) => member(`m${i}`, topics));
          const first = rounds(members, c, 2).members;
          // One member leaves, one with another subscription joins; every round obeys the rule.
          const next = [...first.slice(1), member('new', ['z', 'x'])];
          const { history } = rounds(next, c, 6);
          const last = history[history.length - 1];
          for (const [m, byTopic] of last) {
            const sub = next.find((s) => s.memberId === m)?.topics ?? [];
            for (const t of byTopic.keys()) expect(sub).toContain(t);
          }
          // Every partition of a topic someone subscribes to ends up assigned exactly once.
          const wanted = new Set(next.flatMap((m) => m.topics));
          const expected = [...c]
            .filter(([t]) => wanted.has(t))
            .flatMap(([t, n]) => Array.from({ length: n }, (_, p) => `${t}-${p}`));
          expect(all(last)).toEqual(expected.sort());
        },
      ),
      { numRuns: 200 },
    );
  });
});
