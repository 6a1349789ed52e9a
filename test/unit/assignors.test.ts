import { describe, expect, it } from 'vitest';
import type { GroupAssignment, MemberSubscription } from '../../src/group/assignors/assignor.js';
import { RangeAssignor } from '../../src/group/assignors/range.js';
import { RoundRobinAssignor } from '../../src/group/assignors/round-robin.js';

const member = (memberId: string, topics: string[]): MemberSubscription => ({
  memberId,
  groupInstanceId: null,
  topics,
  ownedPartitions: [],
  userData: null,
});

const plain = (a: GroupAssignment) =>
  Object.fromEntries(
    [...a].map(([m, byTopic]) => [m, Object.fromEntries([...byTopic].map(([t, ps]) => [t, ps]))]),
  );

describe('RangeAssignor (Java RangeAssignor semantics)', () => {
  it('gives each member a contiguous range, the first ones one extra', () => {
    const a = RangeAssignor.assign([member('c2', ['t']), member('c1', ['t'])], new Map([['t', 5]]));
    expect(plain(a)).toEqual({ c1: { t: [0, 1, 2] }, c2: { t: [3, 4] } });
  });

  it('ranges each topic on its own (the known imbalance of range across topics)', () => {
    const a = RangeAssignor.assign(
      [member('a', ['x', 'y']), member('b', ['x', 'y'])],
      new Map([
        ['x', 3],
        ['y', 3],
      ]),
    );
    expect(plain(a)).toEqual({ a: { x: [0, 1], y: [0, 1] }, b: { x: [2], y: [2] } });
  });

  it('splits 6 partitions 2-2-2 over 3 members and leaves non-subscribers empty', () => {
    const a = RangeAssignor.assign(
      [member('m1', ['t']), member('m2', ['t']), member('m3', ['t']), member('m4', ['other'])],
      new Map([['t', 6]]),
    );
    expect(plain(a)).toEqual({ m1: { t: [0, 1] }, m2: { t: [2, 3] }, m3: { t: [4, 5] }, m4: {} });
  });
});

describe('RoundRobinAssignor (Java RoundRobinAssignor semantics)', () => {
  it('deals sorted partitions over sorted members', () => {
    const a = RoundRobinAssignor.assign(
      [member('b', ['x', 'y']), member('a', ['x', 'y'])],
      new Map([
        ['x', 3],
        ['y', 2],
      ]),
    );
    expect(plain(a)).toEqual({ a: { x: [0, 2], y: [1] }, b: { x: [1], y: [0] } });
  });

  it('skips members not subscribed to a topic', () => {
    const a = RoundRobinAssignor.assign(
      [member('a', ['x']), member('b', ['x', 'y'])],
      new Map([
        ['x', 2],
        ['y', 2],
      ]),
    );
    expect(plain(a)).toEqual({ a: { x: [0] }, b: { x: [1], y: [0, 1] } });
  });

  it('assigns every partition exactly once', () => {
    const members = Array.from({ length: 7 }, (_, i) => member(`m${i}`, ['t', 'u']));
    const a = RoundRobinAssignor.assign(
      members,
      new Map([
        ['t', 13],
        ['u', 4],
      ]),
    );
    const seen: string[] = [];
    for (const byTopic of a.values())
      for (const [t, ps] of byTopic) for (const p of ps) seen.push(`${t}-${p}`);
    expect(seen.sort()).toEqual(
      [
        ...Array.from({ length: 13 }, (_, p) => `t-${p}`),
        ...Array.from({ length: 4 }, (_, p) => `u-${p}`),
      ].sort(),
    );
  });
});
