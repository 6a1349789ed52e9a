import { describe, expect, it } from 'vitest';
import { MetricsRegistry, Windowed } from '../../src/network/metrics.js';

describe('windowed statistics (Java metrics semantics)', () => {
  it('divides a rate by at least one full 30 s window, and forgets samples older than two', () => {
    const w = new Windowed();
    const t0 = 1_000_000;
    w.record(300, t0);
    // One second in: 300 over the 30 s floor, not 300 per second.
    expect(w.rate(t0 + 1_000)).toBeCloseTo(10);
    expect(w.countRate(t0 + 1_000)).toBeCloseTo(1 / 30);
    w.record(100, t0 + 31_000); // a second sample window
    expect(w.rate(t0 + 40_000)).toBeCloseTo(400 / 40);
    expect(w.avg(t0 + 40_000)).toBe(200);
    expect(w.max(t0 + 40_000)).toBe(300);
    // 60 s after the first sample it has aged out; the total has not.
    expect(w.avg(t0 + 61_000)).toBe(100);
    expect(w.total).toBe(400);
    expect(w.count).toBe(2);
    // Nothing in the window: NaN, as Java's Avg and Max.
    expect(w.avg(t0 + 200_000)).toBeNaN();
    expect(w.max(t0 + 200_000)).toBeNaN();
    expect(w.rate(t0 + 200_000)).toBe(0);
  });

  it('lists per-partition entries with the client id, and snapshots them by tag', () => {
    const r = new MetricsRegistry('c1');
    r.add('up', 'g', 'Up.', () => 1);
    r.addEach('lag', 'g', 'Lag.', () => [
      { tags: { topic: 't', partition: '0' }, value: 5 },
      { tags: { topic: 't', partition: '1' }, value: 0 },
    ]);
    r.add('broken', 'g', 'Throws.', () => {
      throw new Error('x');
    });
    expect(r.snapshot()).toEqual({
      up: 1,
      'lag{topic=t,partition=0}': 5,
      'lag{topic=t,partition=1}': 0,
      broken: Number.NaN,
    });
    expect(r.list().find((m) => m.name === 'lag')?.tags).toEqual({
      'client-id': 'c1',
      topic: 't',
      partition: '0',
    });
    expect([...r.names().keys()]).toEqual(['up', 'lag', 'broken']);
  });
});
