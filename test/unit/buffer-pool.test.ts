import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/producer/buffer-pool.js';
import { BufferFullError, ConfigError } from '../../src/protocol/errors.js';

describe('BufferPool', () => {
  it('reuses poolable buffers', async () => {
    const pool = new BufferPool(4096, 1024);
    const a = await pool.allocate(1024, 0);
    pool.deallocate(a);
    expect(await pool.allocate(1024, 0)).toBe(a);
  });

  it('never hands out more than its total memory, and makes callers wait in order', async () => {
    const pool = new BufferPool(2048, 1024);
    const a = await pool.allocate(1024, 0);
    const b = await pool.allocate(1024, 0);
    expect(pool.availableMemory).toBe(0);
    const order: string[] = [];
    const c = pool.allocate(1024, 1000).then((buf) => {
      order.push('c');
      return buf;
    });
    const d = pool.allocate(1024, 1000).then((buf) => {
      order.push('d');
      return buf;
    });
    expect(pool.queued).toBe(2);
    pool.deallocate(a);
    await c;
    pool.deallocate(b);
    await d;
    expect(order).toEqual(['c', 'd']);
  });

  it('rejects with BufferFullError after maxBlockMs', async () => {
    const pool = new BufferPool(1024, 1024);
    await pool.allocate(1024, 0);
    const started = Date.now();
    await expect(pool.allocate(1024, 50)).rejects.toBeInstanceOf(BufferFullError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(pool.queued).toBe(0);
  });

  it('accounts one-off large buffers against the budget', async () => {
    const pool = new BufferPool(4096, 1024);
    const small = await pool.allocate(1024, 0);
    pool.deallocate(small);
    const big = await pool.allocate(3000, 0);
    expect(big.length).toBe(3000);
    expect(pool.availableMemory).toBe(1096);
    pool.deallocate(big);
    expect(pool.availableMemory).toBe(4096);
  });

  it('refuses a request larger than the whole budget at once', async () => {
    const pool = new BufferPool(1024, 512);
    await expect(pool.allocate(2048, 10_000)).rejects.toThrow(/can never fit/);
  });

  it('refuses a batch size larger than the memory', () => {
    expect(() => new BufferPool(100, 200)).toThrow(ConfigError);
  });

  it('fails waiters when closed', async () => {
    const pool = new BufferPool(1024, 1024);
    await pool.allocate(1024, 0);
    const waiting = pool.allocate(1024, 10_000);
    pool.close(new Error('closing'));
    await expect(waiting).rejects.toThrow('closing');
  });
});
