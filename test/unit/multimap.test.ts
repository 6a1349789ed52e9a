import { describe, expect, it } from 'vitest';
import { pushTo } from '../../src/network/multimap.js';

describe('pushTo', () => {
  it('groups values by key in order, appending to the same array', () => {
    const m = new Map<string, number[]>();
    for (let i = 0; i < 10_000; i++) pushTo(m, i % 3 === 0 ? 'a' : 'b', i);
    const a = m.get('a');
    pushTo(m, 'a', -1);
    expect(m.get('a')).toBe(a);
    expect(a?.length).toBe(3335);
    expect(a?.slice(0, 3)).toEqual([0, 3, 6]);
    expect(a?.at(-1)).toBe(-1);
    expect(m.get('b')?.length).toBe(6666);
  });
});
