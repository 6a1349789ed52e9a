import { describe, expect, it } from 'vitest';
import { addSequence } from '../../src/producer/sender.js';

describe('idempotent producer sequences', () => {
  it('wrap from 2^31-1 to 0 as the broker expects, in both directions', () => {
    const max = 2 ** 31 - 1;
    expect(addSequence(-1, 1)).toBe(0);
    expect(addSequence(5, 10)).toBe(15);
    expect(addSequence(max - 2, 2)).toBe(max);
    expect(addSequence(max, 1)).toBe(0);
    expect(addSequence(max - 1, 5)).toBe(3);
    expect(addSequence(3, -5)).toBe(max - 1);
    expect(addSequence(0, -1)).toBe(max);
  });
});
