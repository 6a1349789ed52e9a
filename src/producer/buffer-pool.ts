/**
 * BufferPool: the producer's memory bound (Java: `buffer.memory`).
 *
 * Owns a byte budget of `totalMemory`. Every batch reserves its size (`batchSize`, or more for a
 * record larger than that) when it opens and releases it when it is acknowledged or failed, so
 * the bytes of open and in-flight batches never exceed the budget. The batch builders
 * themselves are reused through a small free list in the accumulator: that is the fixed
 * overhead on top of the bound.
 *
 * Invariant: reserved <= totalMemory. A caller that asks for more than is free waits in FIFO
 * order, up to its deadline, then gets a BufferFullError; a request larger than the whole
 * budget fails at once.
 */
import { BufferFullError, ConfigError } from '../protocol/errors.js';

interface Waiter {
  size: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | null;
}

export class BufferPool {
  readonly totalMemory: number;
  private available: number;
  private readonly waiters: Waiter[] = [];
  private closedError: Error | null = null;

  constructor(totalMemory: number, batchSize: number) {
    if (batchSize > totalMemory) {
      throw new ConfigError('batchSize', `batchSize (${batchSize}) exceeds bufferMemory (${totalMemory})`);
    }
    this.totalMemory = totalMemory;
    this.available = totalMemory;
  }

  /** Bytes that can be reserved right now without waiting. */
  get availableMemory(): number {
    return this.available;
  }

  /** Number of callers waiting for memory: the accumulator treats this as memory pressure. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Reserves `size` bytes now if they are free and nobody waits ahead; false otherwise. */
  tryReserve(size: number): boolean {
    if (this.closedError || this.waiters.length > 0 || size > this.available) return false;
    this.available -= size;
    return true;
  }

  /** Reserves `size` bytes, waiting up to `maxBlockMs` for them. */
  reserve(size: number, maxBlockMs: number): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (size > this.totalMemory) {
      return Promise.reject(
        new BufferFullError(
          `A batch of ${size} bytes can never fit in bufferMemory (${this.totalMemory} bytes); raise bufferMemory or send smaller records`,
        ),
      );
    }
    if (this.tryReserve(size)) return Promise.resolve();
    if (maxBlockMs <= 0) return Promise.reject(this.fullError(size, maxBlockMs));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { size, resolve, reject, timer: null };
      waiter.timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(this.fullError(size, maxBlockMs));
        // The head may have changed: a smaller request behind it may fit now.
        this.serveWaiters();
      }, maxBlockMs);
      this.waiters.push(waiter);
    });
  }

  /** Gives back `size` reserved bytes. */
  release(size: number): void {
    this.available += size;
    if (this.available > this.totalMemory) this.available = this.totalMemory;
    this.serveWaiters();
  }

  /** Fails every waiter and every later reservation with `err` (producer closing). */
  close(err: Error): void {
    this.closedError = err;
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(err);
    }
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0) {
      const head = this.waiters[0];
      if (head.size > this.available) return;
      this.available -= head.size;
      this.waiters.shift();
      if (head.timer) clearTimeout(head.timer);
      head.resolve();
    }
  }

  private fullError(size: number, maxBlockMs: number): BufferFullError {
    return new BufferFullError(
      `No room for ${size} bytes in bufferMemory (${this.totalMemory} bytes, ${this.available} free) within maxBlockMs (${maxBlockMs} ms)`,
    );
  }
}
