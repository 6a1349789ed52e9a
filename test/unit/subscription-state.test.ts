/**
 * SubscriptionState on its own (no broker, no I/O): assignment changes keep or detach cursors,
 * positions set from outside the fetch path bump the epoch, resets, rewinds, and the waiters.
 */
import { describe, expect, it } from 'vitest';
import { SubscriptionState } from '../../src/consumer/subscription-state.js';
import { IllegalStateError } from '../../src/protocol/errors.js';

const a0 = { topic: 'a', partition: 0 };
const a1 = { topic: 'a', partition: 1 };
const b0 = { topic: 'b', partition: 0 };

describe('SubscriptionState', () => {
  it('keeps the cursors of kept partitions, detaches the others, and never reattaches one', () => {
    const s = new SubscriptionState(1 << 20);
    s.place([a0, a1]);
    const kept = s.cursor(a0);
    const dropped = s.cursor(a1);
    s.setPosition(kept, 42n);
    s.place([a0, b0]);
    expect(s.cursor(a0)).toBe(kept);
    expect(kept.position).toBe(42n);
    expect(dropped.detached).toBe(true);
    expect(s.isCurrent(dropped)).toBe(false);
    s.place([a0, a1, b0]);
    expect(s.cursor(a1)).not.toBe(dropped); // assigned again: a new cursor
    expect(s.assignment()).toEqual([a0, a1, b0]);
  });

  it('refuses a partition it does not hold with an IllegalStateError, as Java', () => {
    const s = new SubscriptionState(1 << 20);
    s.place([a0]);
    expect(() => s.cursor(b0)).toThrow(IllegalStateError);
    expect(() => s.cursor(b0)).toThrow('No current assignment for partition b-0');
  });

  it('bumps the epoch on every position set from outside, and a seek cancels a reset asked before it', () => {
    const s = new SubscriptionState(1 << 20);
    s.place([a0]);
    const c = s.cursor(a0);
    const e0 = c.epoch;
    s.requestReset(c, 'earliest');
    expect(c.position).toBeNull();
    expect(s.resetTo.get(c)).toBe('earliest');
    expect(c.epoch).toBe(e0 + 1);
    // A seek after seekToBeginning, before the lookup ran: the seek wins (it used to stay queued,
    // and the reset's answer would then have moved the position back to the beginning).
    s.setPosition(c, 7n);
    expect(s.resetTo.has(c)).toBe(false);
    expect(c.position).toBe(7n);
    expect(c.consumed).toBe(7n);
    expect(c.epoch).toBe(e0 + 2);
  });

  it('forgets a queued reset of a partition taken out of the assignment', () => {
    const s = new SubscriptionState(1 << 20);
    s.place([a0, a1]);
    s.requestReset(s.cursor(a1), 'latest');
    s.place([a0]);
    expect(s.resetTo.size).toBe(0);
  });

  it('rewinds positions that ran ahead of what the application finished, and says whether any moved', () => {
    const s = new SubscriptionState(1 << 20);
    s.place([a0, a1]);
    const c0 = s.cursor(a0);
    const c1 = s.cursor(a1);
    s.setPosition(c0, 10n);
    s.setPosition(c1, 20n);
    c0.position = 15n; // handed out up to 15, finished up to 10
    expect(s.rewind()).toBe(true);
    expect(c0.position).toBe(10n);
    expect(c1.position).toBe(20n);
    expect(s.rewind()).toBe(false);
  });

  it('wakes every waiting poll at once, and a wait ends by its deadline without one', async () => {
    const s = new SubscriptionState(1 << 20);
    const started = Date.now();
    const woken = Promise.all([s.waitForChange(started + 10_000), s.waitForChange(started + 10_000)]);
    s.wake();
    await woken;
    expect(Date.now() - started).toBeLessThan(1000);
    const t = Date.now();
    await s.waitForChange(t + 50);
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
  });

  it('keeps no waiter once a wait ended by its deadline or an abort (an idle consumer polls for hours)', async () => {
    const s = new SubscriptionState(1 << 20);
    for (let i = 0; i < 50; i++) await s.waitForChange(Date.now() + 1);
    const ac = new AbortController();
    const aborted = s.waitForChange(Date.now() + 10_000, ac.signal);
    expect(s.waiting).toBe(1);
    ac.abort();
    await aborted;
    expect(s.waiting).toBe(0);
  });
});
