/**
 * BufferPool: the producer's memory bound (Java: `buffer.memory`).
 *
 * Owns: a byte budget of `totalMemory`, and a free list of buffers of exactly `poolableSize`
 * bytes (the batch size) that finished batches give back, so steady-state producing allocates
 * no new batch buffers. Larger requests are allocated (and garbage-collected) one-off but still
 * count against the budget.
 *
 * Invariant: bytes handed out + bytes on the free list <= totalMemory. A caller that asks for
 * more than is free waits in FIFO order, up to its deadline, and then gets a BufferFullError;
 * a request larger than the whole budget fails at once.
 */
import { BufferFullError, ConfigError } from '../protocol/errors.js';

interface Waiter {
  size: number;
  resolve: (buf: Buffer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | null;
}

export class BufferPool {
  readonly totalMemory: number;
  readonly poolableSize: number;
  private readonly free: Buffer[] = [];
  /** Bytes neither handed out nor on the free list. */
  private nonPooledAvailable: number;
  private readonly waiters: Waiter[] = [];
  private closedError: Error | null = null;

  constructor(totalMemory: number, poolableSize: number) {
    if (poolableSize > totalMemory) {
      throw new ConfigError('batchSize', `batchSize (${poolableSize}) exceeds bufferMemory (${totalMemory})`);
    }
    this.totalMemory = totalMemory;
    this.poolableSize = poolableSize;
    this.nonPooledAvailable = totalMemory;
  }

  /** Bytes that can be handed out right now without waiting. */
  get availableMemory(): number {
    return this.nonPooledAvailable + this.free.length * this.poolableSize;
  }

  /** Number of callers waiting for memory. */
  get queued(): number {
    return this.waiters.length;
  }

  /**
   * Returns a buffer of at least `size` bytes (exactly `poolableSize` for poolable requests),
   * waiting up to `maxBlockMs` for memory.
   */
  allocate(size: number, maxBlockMs: number): Promise<Buffer> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (size > this.totalMemory) {
      return Promise.reject(
        new BufferFullError(
          `A batch of ${size} bytes can never fit in bufferMemory (${this.totalMemory} bytes); raise bufferMemory or lower maxRequestSize`,
        ),
      );
    }
    if (this.waiters.length === 0) {
      const buf = this.tryAllocate(size);
      if (buf) return Promise.resolve(buf);
    }
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

  /** Synchronous allocation: a buffer if memory is free now and nobody is waiting, else null. */
  tryAllocateNow(size: number): Buffer | null {
    if (this.closedError || this.waiters.length > 0 || size > this.totalMemory) return null;
    return this.tryAllocate(size);
  }

  /** Gives a buffer back. Poolable buffers go to the free list; others return their bytes. */
  deallocate(buf: Buffer): void {
    if (buf.length === this.poolableSize) this.free.push(buf);
    else this.nonPooledAvailable += buf.length;
    this.serveWaiters();
  }

  /** Fails every waiter and every later allocation with `err` (producer closing). */
  close(err: Error): void {
    this.closedError = err;
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(err);
    }
  }

  private tryAllocate(size: number): Buffer | null {
    if (size === this.poolableSize && this.free.length > 0) return this.free.pop() as Buffer;
    if (this.nonPooledAvailable + this.free.length * this.poolableSize < size) return null;
    // Release pooled buffers back to the budget until the one-off allocation fits.
    while (this.nonPooledAvailable < size) {
      this.free.pop();
      this.nonPooledAvailable += this.poolableSize;
    }
    this.nonPooledAvailable -= size;
    return Buffer.allocUnsafe(size);
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0) {
      const head = this.waiters[0];
      const buf = this.tryAllocate(head.size);
      if (!buf) return;
      this.waiters.shift();
      if (head.timer) clearTimeout(head.timer);
      head.resolve(buf);
    }
  }

  private fullError(size: number, maxBlockMs: number): BufferFullError {
    return new BufferFullError(
      `No room for ${size} bytes in bufferMemory (${this.totalMemory} bytes, ${this.availableMemory} free) within maxBlockMs (${maxBlockMs} ms)`,
    );
  }
}
