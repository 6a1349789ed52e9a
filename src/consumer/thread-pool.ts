/**
 * `run({ threads })`: the worker pool's handlers run in worker threads, for CPU-bound work. A
 * module (its path or file URL) exporting `eachMessage` is loaded in each of `count` threads
 * (thread-worker.ts); the pool (worker-pool.ts) calls `handle` for a record as it would call an
 * `eachMessage` handler, so ordering, retries, failure policy, rebalances and commits are exactly
 * the pool's. A record crosses by structured clone: its key, value and header values are copied
 * into fresh buffers of their own size and transferred (a record's Buffer is a view of a whole
 * fetch response, which a clone would copy entirely).
 *
 * Invariants:
 * - `handle` settles for every record handed: with the handler's result, or with an error when
 *   the thread died under it (an uncaught exception, `process.exit`, a resource limit) — the pool
 *   then retries or applies `onFailure`, never committing the record unhandled. A dead thread is
 *   replaced; records go to the live thread with the fewest in flight.
 * - `start` resolves once every thread loaded the module, or rejects with a ConfigError naming
 *   `threads.module` (the module's own error as the reason) within `startTimeoutMs`.
 * - `close` terminates every thread; run() calls it once every handler settled.
 */
import { availableParallelism } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { intOption } from '../network/config.js';
import { ConfigError } from '../protocol/errors.js';
import type { EachMessagePayload } from './delivery.js';

/** `run({ threads })`: where the handler lives, and how many threads run it. */
export interface ThreadsOptions {
  /**
   * The handler module: a path (relative to the working directory) or a `file:` URL (e.g.
   * `new URL('./handler.js', import.meta.url)`). It exports `eachMessage(payload)` (or a default
   * function), called with what an `eachMessage` handler gets — key, value and header values as
   * Buffers (or what the deserializers made, if they survive a structured clone).
   */
  module: string | URL;
  /** Threads. Default the smaller of `concurrency` and the machine's available parallelism. */
  count?: number;
  /** Each thread's V8 limits (Node's `resourceLimits`); a thread over them dies and is replaced. */
  resourceLimits?: ResourceLimits;
}

interface Pending {
  resolve(): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  dead: boolean;
  /** It loaded the module (only such a thread is replaced when it dies: a broken module is not retried forever). */
  loaded: boolean;
}

/** A handler's error from a thread, as the thread described it (name, message, stack). */
function fromWire(e: { name: string; message: string; stack?: string }): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

const BOOTSTRAP = new URL(
  `./thread-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

/** Copies a Buffer into an ArrayBuffer of its own (to transfer); anything else as it is. */
function own(v: unknown, transfer: ArrayBuffer[]): unknown {
  if (!(v instanceof Uint8Array)) return v;
  const copy = new Uint8Array(v.byteLength);
  copy.set(v);
  transfer.push(copy.buffer);
  return copy;
}

export class ThreadPool {
  private readonly threads: Thread[] = [];
  private nextId = 0;
  private closing = false;

  private constructor(
    private readonly moduleUrl: string,
    private readonly resourceLimits: ThreadsOptions['resourceLimits'],
  ) {}

  /** Starts the threads and waits for each to load the module. */
  static async start(o: ThreadsOptions, concurrency: number, startTimeoutMs = 30_000): Promise<ThreadPool> {
    if (!o || (typeof o.module !== 'string' && !(o.module instanceof URL)) || String(o.module) === '')
      throw new ConfigError(
        'threads.module',
        'expected the path or file URL of a module exporting eachMessage',
      );
    const count = intOption(
      'threads.count',
      o.count,
      Math.max(1, Math.min(concurrency, availableParallelism())),
      1,
      1024,
    );
    const href =
      o.module instanceof URL
        ? o.module.href
        : o.module.startsWith('file:')
          ? o.module
          : pathToFileURL(resolvePath(o.module)).href;
    const pool = new ThreadPool(href, o.resourceLimits);
    try {
      await Promise.all(Array.from({ length: count }, () => pool.spawn(startTimeoutMs)));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** Runs the module's handler for one record in the least busy live thread. */
  handle(payload: EachMessagePayload): Promise<void> {
    let thread: Thread | undefined;
    for (const t of this.threads)
      if (!t.dead && (!thread || t.pending.size < thread.pending.size)) thread = t;
    if (!thread)
      return Promise.reject(new Error('no worker thread is running (each one died while starting)'));
    const transfer: ArrayBuffer[] = [];
    const m = payload.message;
    const message = {
      ...m,
      key: own(m.key, transfer),
      value: own(m.value, transfer),
      headers: m.headers.map((h) => ({ key: h.key, value: own(h.value, transfer) })),
    };
    const id = this.nextId++;
    const t = thread;
    return new Promise<void>((resolve, reject) => {
      t.pending.set(id, { resolve, reject });
      t.worker.postMessage({ id, payload: { ...payload, message } }, transfer);
    });
  }

  /** Terminates every thread. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  /** One more thread; resolves once it loaded the module. */
  private spawn(startTimeoutMs: number): Promise<void> {
    const worker = new Worker(BOOTSTRAP, {
      workerData: { module: this.moduleUrl },
      ...(this.resourceLimits ? { resourceLimits: this.resourceLimits } : {}),
    });
    const thread: Thread = { worker, pending: new Map(), dead: false, loaded: false };
    this.threads.push(thread);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const timer = setTimeout(() => {
        fail(
          new ConfigError(
            'threads.module',
            `a worker thread did not load ${this.moduleUrl} within ${startTimeoutMs} ms`,
          ),
        );
        void worker.terminate();
      }, startTimeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        if (!started) {
          started = true;
          reject(err);
        }
      };
      worker.on(
        'message',
        (m: { ready?: true; fatal?: { name: string; message: string }; id?: number; error?: never }) => {
          if (m.ready) {
            started = true;
            thread.loaded = true;
            clearTimeout(timer);
            resolve();
          } else if (m.fatal) {
            fail(
              new ConfigError('threads.module', `${this.moduleUrl} could not be loaded: ${m.fatal.message}`),
            );
          } else if (m.id !== undefined) {
            const p = thread.pending.get(m.id);
            thread.pending.delete(m.id);
            if (m.error) p?.reject(fromWire(m.error));
            else p?.resolve();
          }
        },
      );
      worker.on('error', (err) => this.died(thread, err));
      worker.on('exit', (code) => {
        this.died(thread, new Error(`the worker thread stopped (exit code ${code})`));
        fail(
          new ConfigError(
            'threads.module',
            `a worker thread exited with code ${code} while loading ${this.moduleUrl}`,
          ),
        );
      });
    });
  }

  /**
   * A thread is gone: what it was handling fails (the pool retries it), and a new one starts if
   * this one had loaded the module (a module that no longer loads is not retried in a loop).
   */
  private died(thread: Thread, err: Error): void {
    if (thread.dead) return;
    thread.dead = true;
    const reason = new Error(`the worker thread running this handler died: ${err.message}`, { cause: err });
    for (const p of thread.pending.values()) p.reject(reason);
    thread.pending.clear();
    const i = this.threads.indexOf(thread);
    if (i >= 0) this.threads.splice(i, 1);
    if (!this.closing && thread.loaded)
      this.spawn(30_000).catch(() => {
        // A replacement that cannot load the module: handle() fails its records while none runs.
      });
  }
}
