import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/producer/buffer-pool.js';
import { BufferFullError, ConfigError } from '../../src/protocol/errors.js';

describe('BufferPool', () => {
  it('never reserves more than its total memory, and makes callers wait in order', async () => {
    const pool = new BufferPool(2048, 1024);
    expect(pool.tryReserve(1024)).toBe(true);
    await pool.reserve(1024, 0);
    expect(pool.availableMemory).toBe(0);
    expect(pool.tryReserve(1)).toBe(false);
    const order: string[] = [];
    const c = pool.reserve(1024, 1000).then(() => order.push('c'));
    const d = pool.reserve(1024, 1000).then(() => order.push('d'));
    expect(pool.queued).toBe(2);
    pool.release(1024);
    await c;
    pool.release(1024);
    await d;
    expect(order).toEqual(['c', 'd']);
    expect(pool.availableMemory).toBe(0);
  });

  it('does not let a small request overtake a waiting one', async () => {
    const pool = new BufferPool(2048, 1024);
    await pool.reserve(2000, 0);
    const big = pool.reserve(1024, 1000);
    expect(pool.tryReserve(10)).toBe(false);
    pool.release(2000);
    await big;
    expect(pool.availableMemory).toBe(1024);
  });

  it('rejects with BufferFullError after maxBlockMs', async () => {
    const pool = new BufferPool(1024, 1024);
    await pool.reserve(1024, 0);
    const started = Date.now();
    await expect(pool.reserve(1024, 50)).rejects.toBeInstanceOf(BufferFullError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(pool.queued).toBe(0);
  });

  it('refuses a request larger than the whole budget at once', async () => {
    const pool = new BufferPool(1024, 512);
    await expect(pool.reserve(2048, 10_000)).rejects.toThrow(/can never fit/);
  });

  it('refuses a batch size larger than the memory', () => {
    expect(() => new BufferPool(100, 200)).toThrow(ConfigError);
  });

  it('fails waiters when closed', async () => {
    const pool = new BufferPool(1024, 1024);
    await pool.reserve(1024, 0);
    const waiting = pool.reserve(1024, 10_000);
    pool.close(new Error('closing'));
    await expect(waiting).rejects.toThrow('closing');
  });
});
