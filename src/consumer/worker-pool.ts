/**
 * The worker pool behind `run({ eachMessage, concurrency })`: up to `concurrency` handlers at
 * once, beyond the partition count, in one consumer. Records are put in lanes by `ordering`
 * (one lane per partition, per key within a partition, or per record); a lane runs one handler
 * at a time, in offset order, and lanes run side by side.
 *
 * Invariants:
 * - A partition's `consumed` (what commits send) moves only over the contiguous prefix of its
 *   records whose handlers finished: a record done out of order waits for the gap before it to
 *   close. A crash, a stop or a failed handler therefore never commits a record not handled.
 * - Records handed to the pool and not finished stay under `maxInFlightRecords` (and
 *   `maxInFlightBytes`): while full, the pool takes no records (its polls keep the group alive
 *   and run rebalances), and the consumer stops fetching once its buffer is full (fetchMaxBytes).
 * - A handler that throws is retried `retries` times with a doubling backoff; then `onFailure`:
 *   'stop' (default) ends run() with a HandlerError, nothing committed from that record on;
 *   'skip' counts it handled; a dead-letter sink gets the record with its origin and error in
 *   headers, and only once that send is acknowledged does the record count as handled.
 * - Before a rebalance commits revoked partitions (and before close's final commit), the
 *   handlers running for them finish, or `revokeTimeoutMs` passes; their queued records are
 *   dropped. Whatever finishes after that, or after the partitions were lost, is never committed
 *   (the cursor is no longer current).
 * - run() returns or rejects only once every handler it started has settled.
 */
import { enumOption, intOption } from '../network/config.js';
import { ConfigError, HandlerError } from '../protocol/errors.js';
import type { RecordHeader } from '../protocol/records/layout.js';
import type { Cursor } from './cursor.js';
import type { ConsumerRecord, DeliveryHost, EachMessagePayload, RunOptions, Taken } from './delivery.js';

/**
 * Where `onFailure: { deadLetter }` sends a record whose handler failed: a kafkawire Producer
 * fits. Key and value go as the handler saw them (with deserializers, a producer with matching
 * serializers writes them back as they were).
 */
export interface DeadLetterSink {
  send(record: {
    topic: string;
    key?: Buffer | string | null;
    value: Buffer | string | null;
    headers?: { key: string; value: Buffer | string | null }[];
  }): Promise<unknown>;
}

/** What happens to a record whose handler still fails after its retries. */
export type FailurePolicy = 'stop' | 'skip' | { deadLetter: { topic: string; producer: DeadLetterSink } };

/** Headers a dead-letter record carries besides the original ones. */
export const DEAD_LETTER_HEADERS = {
  topic: 'kafkawire.dlq.topic',
  partition: 'kafkawire.dlq.partition',
  offset: 'kafkawire.dlq.offset',
  error: 'kafkawire.dlq.error',
} as const;

/** One partition's records in the pool, as one assignment of its cursor handed them out. */
class Progress {
  /** Offsets handed out, in order; `head` is the first not finished. */
  private readonly offsets: bigint[] = [];
  private head = 0;
  private readonly done = new Set<bigint>();
  /** Handlers running for this partition now. */
  running = 0;
  private readonly settled: (() => void)[] = [];
  /** Being revoked: no handler starts for it any more (those running may still finish and count). */
  closing = false;
  /** Revoked or lost: nothing finishing from now on is committed. */
  dropped = false;

  constructor(
    readonly cursor: Cursor,
    readonly epoch: number,
  ) {}

  get current(): boolean {
    return !this.dropped && this.cursor.epoch === this.epoch && !this.cursor.detached;
  }

  add(offset: bigint): void {
    this.offsets.push(offset);
  }

  /** A record handled: `consumed` moves over the finished prefix. */
  finish(offset: bigint): void {
    this.done.add(offset);
    let next: bigint | null = null;
    while (this.head < this.offsets.length && this.done.has(this.offsets[this.head])) {
      const o = this.offsets[this.head++];
      this.done.delete(o);
      next = o + 1n;
    }
    if (this.head > 1024 && this.head * 2 > this.offsets.length) {
      this.offsets.splice(0, this.head);
      this.head = 0;
    }
    if (next !== null && this.current) this.cursor.consumed = next;
  }

  /** A record left the pool, handled or not. */
  left(): void {
    if (this.running === 0) for (const f of this.settled.splice(0)) f();
  }

  /** Resolves when no handler of this partition runs any more. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.settled.push(resolve));
  }
}

interface Item {
  progress: Progress;
  record: ConsumerRecord;
  payload: EachMessagePayload;
  bytes: number;
}

/** The options of a pooled run, resolved. */
export interface PoolConfig {
  concurrency: number;
  ordering: 'partition' | 'key' | 'none';
  maxInFlightRecords: number;
  maxInFlightBytes: number;
  retries: number;
  retryBackoffMs: number;
  onFailure: FailurePolicy;
  revokeTimeoutMs: number;
}

/** True when run() is asked for the pool (any of its options given). */
export function wantsPool(o: RunOptions): boolean {
  return (
    o.concurrency !== undefined ||
    o.ordering !== undefined ||
    o.retries !== undefined ||
    o.onFailure !== undefined ||
    o.maxInFlightRecords !== undefined ||
    o.maxInFlightBytes !== undefined ||
    o.threads !== undefined
  );
}

/** The pool's options, checked (a ConfigError naming the option otherwise). */
export function poolConfig(o: RunOptions): PoolConfig {
  if (o.eachBatch)
    throw new ConfigError(
      'eachBatch',
      'the worker pool (concurrency, ordering, retries, onFailure, threads) runs eachMessage handlers',
    );
  if (o.threads && o.eachMessage)
    throw new ConfigError(
      'threads',
      'give eachMessage or threads (a module exporting eachMessage), not both',
    );
  const concurrency = intOption('concurrency', o.concurrency, o.threads?.count ?? 1, 1, 100_000);
  const onFailure = o.onFailure ?? 'stop';
  if (onFailure !== 'stop' && onFailure !== 'skip') {
    const dl = (onFailure as { deadLetter?: { topic?: unknown; producer?: { send?: unknown } } })?.deadLetter;
    if (!dl || typeof dl.topic !== 'string' || dl.topic === '' || typeof dl.producer?.send !== 'function')
      throw new ConfigError('onFailure', "expected 'stop', 'skip' or { deadLetter: { topic, producer } }");
  }
  return {
    concurrency,
    ordering: enumOption('ordering', o.ordering, 'partition', ['partition', 'key', 'none'] as const),
    maxInFlightRecords: intOption(
      'maxInFlightRecords',
      o.maxInFlightRecords,
      Math.max(1000, concurrency * 10),
      1,
    ),
    maxInFlightBytes: intOption('maxInFlightBytes', o.maxInFlightBytes, 64 * 1024 * 1024, 1),
    retries: intOption('retries', o.retries, 0, 0, 1000),
    retryBackoffMs: intOption('retryBackoffMs', o.retryBackoffMs, 100, 0),
    onFailure,
    revokeTimeoutMs: intOption('revokeTimeoutMs', o.revokeTimeoutMs, 30_000, 0),
  };
}

function laneKey(ordering: PoolConfig['ordering'], item: Item, seq: number): string {
  const { topic, partition } = item.payload;
  if (ordering === 'partition') return `${topic}\0${partition}`;
  const k = item.record.key;
  // No key, or 'none': a lane of its own (no order to keep).
  if (ordering === 'none' || k === null || k === undefined) return `\0${seq}`;
  const text = typeof k === 'string' ? k : Buffer.isBuffer(k) ? k.toString('latin1') : JSON.stringify(k);
  return `${topic}\0${partition}\0${text}`;
}

function recordBytes(r: ConsumerRecord): number {
  const size = (v: unknown) => (Buffer.isBuffer(v) ? v.length : typeof v === 'string' ? v.length : 0);
  return 64 + size(r.key) + size(r.value);
}

export async function runPool(
  host: DeliveryHost,
  options: RunOptions,
  cfg: PoolConfig,
  handler: (m: EachMessagePayload) => unknown,
): Promise<void> {
  const { signal } = options;
  const lanes = new Map<string, Item[]>();
  const ready: string[] = [];
  const progressOf = new Map<Cursor, Progress>();
  const runningTasks = new Set<Promise<void>>();
  let inFlightRecords = 0;
  let inFlightBytes = 0;
  let seq = 0;
  let failure: HandlerError | null = null;
  let exiting = false;
  let roomFreed: (() => void) | null = null;
  // Aborted by the caller's signal, a failure or close: a poll waiting for records returns then.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) stop.abort();
  const stopped = () => exiting || failure !== null || host.stopping || stop.signal.aborted;

  const schedule = (): void => {
    while (runningTasks.size < cfg.concurrency && ready.length > 0 && !stopped()) {
      const lane = ready.shift() as string;
      const items = lanes.get(lane);
      if (!items || items.length === 0) continue;
      const task = runLane(lane, items);
      runningTasks.add(task);
      void task.finally(() => {
        runningTasks.delete(task);
        schedule();
      });
    }
  };

  const release = (item: Item): void => {
    inFlightRecords--;
    inFlightBytes -= item.bytes;
    item.progress.left();
    const r = roomFreed;
    roomFreed = null;
    r?.();
  };

  /** Runs a lane's head; the lane goes back in line while it has records. */
  const runLane = async (lane: string, items: Item[]): Promise<void> => {
    const item = items[0];
    const p = item.progress;
    if (p.current && !p.closing) {
      p.running++;
      try {
        if (await handle(item)) p.finish(item.record.offset);
      } finally {
        p.running--;
      }
    }
    items.shift();
    release(item);
    if (failure) return; // the lane stops at the failed record; the rest is redelivered
    if (items.length > 0) ready.push(lane);
    else lanes.delete(lane);
  };

  /** The handler with its retries and the failure policy; true when the record counts as handled. */
  const handle = async (item: Item): Promise<boolean> => {
    const { topic, partition } = item.payload;
    let lastError: unknown;
    for (let attempt = 0; attempt <= cfg.retries; attempt++) {
      if (attempt > 0) {
        await new Promise((r) => setTimeout(r, Math.min(cfg.retryBackoffMs * 2 ** (attempt - 1), 30_000)));
        if (!item.progress.current || stopped()) return false;
      }
      try {
        await handler(item.payload);
        return true;
      } catch (err) {
        lastError = err;
      }
    }
    const policy = cfg.onFailure;
    if (policy === 'skip') return true;
    if (policy !== 'stop') {
      try {
        await policy.deadLetter.producer.send(deadLetterRecord(policy.deadLetter.topic, item, lastError));
        return true;
      } catch (err) {
        lastError = new Error(
          `dead-letter send failed: ${err instanceof Error ? err.message : String(err)}`,
          {
            cause: lastError,
          },
        );
      }
    }
    failure ??= new HandlerError(topic, partition, item.record.offset, lastError);
    stop.abort();
    return false;
  };

  /** Revoked partitions (or close): running handlers finish or time out, queued records go. */
  const drain = async (cursors: readonly Cursor[]): Promise<void> => {
    const waits: Promise<void>[] = [];
    for (const c of cursors) {
      const p = progressOf.get(c);
      if (!p) continue;
      p.closing = true; // its queued records do not start
      waits.push(p.idle());
    }
    if (waits.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(waits),
      new Promise<void>((r) => {
        timer = setTimeout(r, cfg.revokeTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    for (const c of cursors) {
      const p = progressOf.get(c);
      if (p) p.dropped = true; // what is queued is not started; late finishes commit nothing
      progressOf.delete(c);
    }
  };

  host.setDrainer(drain);
  try {
    while (!stopped()) {
      const full = inFlightRecords >= cfg.maxInFlightRecords || inFlightBytes >= cfg.maxInFlightBytes;
      if (full) {
        // Room first (a handler finishing), but poll at least every 200 ms: the group's
        // rebalances and its poll-interval watchdog go through poll.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 200);
          roomFreed = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (stopped()) break;
        await host.pollTaken(0, stop.signal, 0);
        continue;
      }
      const budget = cfg.maxInFlightRecords - inFlightRecords;
      const taken = await host.pollTaken(1000, stop.signal, budget);
      for (const t of taken) enqueue(t);
      schedule();
    }
  } finally {
    // Every handler started settles before run() does; then positions go back to what finished.
    exiting = true;
    while (runningTasks.size > 0) await Promise.allSettled([...runningTasks]);
    signal?.removeEventListener('abort', onAbort);
    host.setDrainer(null);
    host.rewind();
  }
  if (failure) throw failure;

  function enqueue(t: Taken): void {
    let p = progressOf.get(t.cursor);
    if (!p || p.epoch !== t.epoch) {
      p = new Progress(t.cursor, t.epoch);
      progressOf.set(t.cursor, p);
    }
    const { topic, partition, highWatermark } = t.batch;
    for (const record of t.batch.records) {
      const item: Item = {
        progress: p,
        record,
        payload: { topic, partition, message: record, highWatermark },
        bytes: recordBytes(record),
      };
      p.add(record.offset);
      inFlightRecords++;
      inFlightBytes += item.bytes;
      const lane = laneKey(cfg.ordering, item, seq++);
      const items = lanes.get(lane);
      if (items) items.push(item);
      else {
        lanes.set(lane, [item]);
        ready.push(lane);
      }
    }
  }
}

/** The record for the dead-letter topic: as the handler saw it, with where it came from and why. */
function deadLetterRecord(topic: string, item: Item, error: unknown): Parameters<DeadLetterSink['send']>[0] {
  const r = item.record;
  const headers: { key: string; value: Buffer | string | null }[] = (r.headers as RecordHeader[]).map(
    (h) => ({
      key: h.key,
      value: h.value,
    }),
  );
  headers.push(
    { key: DEAD_LETTER_HEADERS.topic, value: item.payload.topic },
    { key: DEAD_LETTER_HEADERS.partition, value: String(item.payload.partition) },
    { key: DEAD_LETTER_HEADERS.offset, value: String(r.offset) },
    { key: DEAD_LETTER_HEADERS.error, value: error instanceof Error ? error.message : String(error) },
  );
  return { topic, key: r.key as Buffer | string | null, value: r.value as Buffer | string | null, headers };
}
