/**
 * The consumer's two delivery loops, `run()` and the async iterator, and what each lets the
 * consumer commit.
 *
 * Invariants:
 * - A record counts as finished (`Cursor.consumed` moves past it, so commits may include it)
 *   only when `run()`'s handler for it resolved (`eachBatch`: for the whole batch), or when the
 *   iterator yields its batch. Records a poll handed out but the loop did not reach never count.
 * - When a loop ends — a handler error, an abort, close, a `break` out of the iterator — every
 *   partition whose position ran ahead of what was finished goes back to it (`rewind`), so the
 *   next poll or run delivers those records again and no commit (auto-commit, close, a
 *   rebalance) goes past them. Records lost after a handler error used to be: `take()` moved the
 *   position over the whole poll before the handler ran, and close's auto-commit sent it.
 *   Regression tests: consumer-delivery.test.ts.
 * - A batch whose partition was seeked, reset or unassigned meanwhile is dropped where it stands:
 *   the position now comes from the seek, or the partition's new owner starts from the commit.
 */
import type { Tracing } from '../network/tracing.js';
import { HandlerError } from '../protocol/errors.js';
import type { DecodedRecord } from '../protocol/records/layout.js';
import type { Cursor } from './cursor.js';
import { ThreadPool, type ThreadsOptions } from './thread-pool.js';
import { type FailurePolicy, poolConfig, runPool, wantsPool } from './worker-pool.js';

/**
 * A record as the consumer hands it out: `key` and `value` as the deserializers made them
 * (Buffer | null, the bytes, without deserializers).
 */
export interface ConsumerRecord<K = Buffer | null, V = Buffer | null>
  extends Omit<DecodedRecord, 'key' | 'value'> {
  key: K;
  value: V;
}

/** Records of one partition, in offset order, as one poll hands them out. */
export interface ConsumerBatch<K = Buffer | null, V = Buffer | null> {
  topic: string;
  partition: number;
  records: ConsumerRecord<K, V>[];
  /** The partition's high watermark at the last fetch (lag = highWatermark - next offset). */
  highWatermark: bigint;
}

/** A batch as `take()` cut it, with the cursor state it was cut under. */
export interface Taken {
  batch: ConsumerBatch;
  cursor: Cursor;
  epoch: number;
}

/** What `eachMessage` is called with. */
export interface EachMessagePayload<K = Buffer | null, V = Buffer | null> {
  topic: string;
  partition: number;
  message: ConsumerRecord<K, V>;
  /** The partition's high watermark at the last fetch (its lag after this record: highWatermark − offset − 1). */
  highWatermark: bigint;
}

export interface RunOptions<K = Buffer | null, V = Buffer | null> {
  /**
   * Called with each batch (one partition, in offset order). The batch counts as processed, and
   * may be committed, once the returned promise resolves. A throw or rejection ends `run()` (see
   * `eachMessage`), the batch's first record being the one redelivered.
   */
  eachBatch?: (batch: ConsumerBatch<K, V>) => Promise<void> | void;
  /**
   * Called with each record, one at a time, in order per partition. A record counts as
   * processed, and may be committed, once the returned promise resolves. A throw or rejection
   * ends `run()`: it rejects with a `HandlerError` naming the record (the error as `cause`), and
   * that record is where the partition reads (and commits) from next.
   */
  eachMessage?: (m: EachMessagePayload<K, V>) => Promise<void> | void;
  /** Stops the loop when aborted (after the handler running then returns). */
  signal?: AbortSignal;
  /**
   * Worker pool (worker-pool.ts): up to this many `eachMessage` handlers at once, across
   * partitions and, with `ordering: 'key'` or `'none'`, within one. Default 1 (one at a time).
   * Any of the pool's options (concurrency, ordering, retries, onFailure, maxInFlight*) turns it
   * on; only the contiguous prefix of finished records of each partition is ever committed.
   */
  concurrency?: number;
  /**
   * What is handled one at a time, in offset order: `'partition'` (default) — the records of a
   * partition; `'key'` — the records of one key within a partition (records without a key are
   * unordered); `'none'` — nothing (every record may run beside any other).
   */
  ordering?: 'partition' | 'key' | 'none';
  /** Records handed to the pool and not finished, at most. Default max(1000, 10 × concurrency). */
  maxInFlightRecords?: number;
  /** Their key and value bytes, at most (about). Default 64 MiB. */
  maxInFlightBytes?: number;
  /** Times a failed handler is called again for the same record before `onFailure`. Default 0. */
  retries?: number;
  /** The first wait before a retry, doubling with each (up to 30 s). Default 100. */
  retryBackoffMs?: number;
  /**
   * A record whose handler failed every retry: `'stop'` (default) — run() rejects with a
   * HandlerError once the running handlers settle, and nothing from that record on is committed;
   * `'skip'` — it counts as handled; `{ deadLetter: { topic, producer } }` — the record (key,
   * value and headers as the handler saw them, plus `kafkawire.dlq.topic` / `.partition` /
   * `.offset` / `.error` headers) is sent with `producer`, and counts as handled once that send
   * is acknowledged (a failed send stops the run as `'stop'` does).
   */
  onFailure?: FailurePolicy;
  /**
   * How long a rebalance (and close) waits for the handlers running for partitions it takes
   * away before committing them. Default 30000. What finishes later is not committed.
   */
  revokeTimeoutMs?: number;
  /**
   * Runs the handlers in worker threads, for CPU-bound work: `{ module, count }`, a module
   * exporting `eachMessage`, loaded in each of `count` threads (thread-pool.ts), instead of an
   * `eachMessage` function here. Everything else is the worker pool's: `concurrency` handlers at
   * once (default `count`), `ordering`, retries, `onFailure`, commits of finished records only. A
   * thread that dies fails the records it was handling (retried, then `onFailure`) and is replaced.
   */
  threads?: ThreadsOptions;
}

/** What the loops need from the consumer. */
export interface DeliveryHost {
  /** One poll whose records do not count as finished; at most `maxRecords` (default maxPollRecords). */
  pollTaken(timeoutMs: number, signal: AbortSignal | undefined, maxRecords?: number): Promise<Taken[]>;
  /** The worker pool's wait for the handlers of partitions about to be committed and revoked. */
  setDrainer(drain: ((cursors: readonly Cursor[]) => Promise<void>) | null): void;
  /** True once the consumer is closing: a loop stops at the next record. */
  readonly stopping: boolean;
  /** Puts every position that ran ahead of what was finished back to it. */
  rewind(): void;
  /** Spans around handlers when tracing is on (tracing.ts). */
  readonly tracing: Tracing | null;
  readonly groupId: string | null;
}

/** The cursor still stands where `t` was cut: not seeked, reset or unassigned since. */
function current(t: Taken): boolean {
  return t.cursor.epoch === t.epoch && !t.cursor.detached;
}

function finish(t: Taken, next: bigint): void {
  if (current(t)) t.cursor.consumed = next;
}

/** Batches until close or the signal; each counts as finished as it is yielded. */
export async function* deliverBatches(
  host: DeliveryHost,
  signal: AbortSignal | undefined,
): AsyncGenerator<ConsumerBatch> {
  try {
    while (!host.stopping && !signal?.aborted) {
      for (const t of await host.pollTaken(1000, signal)) {
        if (!current(t)) continue;
        const records = t.batch.records;
        finish(t, records[records.length - 1].offset + 1n);
        yield t.batch;
      }
    }
  } finally {
    host.rewind();
  }
}

/** `run()`: handlers over everything read, until close, the signal, or a handler's error. */
export async function runHandlers(host: DeliveryHost, options: RunOptions): Promise<void> {
  const { eachBatch, eachMessage, signal } = options;
  const tracing = host.tracing;
  if (wantsPool(options)) {
    const cfg = poolConfig(options);
    const threads = options.threads ? await ThreadPool.start(options.threads, cfg.concurrency) : null;
    const each = threads
      ? (m: EachMessagePayload) => threads.handle(m)
      : (eachMessage as (m: EachMessagePayload) => unknown);
    const handler = tracing
      ? (m: EachMessagePayload) =>
          tracing.process(m.topic, m.partition, m.message, host.groupId, async () => {
            await each(m);
          })
      : each;
    try {
      return await runPool(host, options, cfg, handler);
    } finally {
      await threads?.close();
    }
  }
  try {
    while (!host.stopping && !signal?.aborted) {
      for (const t of await host.pollTaken(1000, signal)) {
        const { topic, partition, records } = t.batch;
        if (host.stopping || signal?.aborted) break;
        if (eachBatch) {
          if (!current(t)) continue;
          try {
            const batch = t.batch;
            if (tracing)
              await tracing.processBatch(topic, partition, records, host.groupId, () => eachBatch(batch));
            else await eachBatch(batch);
          } catch (err) {
            throw new HandlerError(topic, partition, records[0].offset, err);
          }
          finish(t, records[records.length - 1].offset + 1n);
          continue;
        }
        for (const message of records) {
          if (!current(t) || host.stopping || signal?.aborted) break;
          try {
            const payload = { topic, partition, message, highWatermark: t.batch.highWatermark };
            if (tracing)
              await tracing.process(topic, partition, message, host.groupId, () => eachMessage?.(payload));
            else await eachMessage?.(payload);
          } catch (err) {
            throw new HandlerError(topic, partition, message.offset, err);
          }
          finish(t, message.offset + 1n);
        }
      }
    }
  } finally {
    host.rewind();
  }
}

/** Resolves once `p` settles, `deadline` passes or `signal` aborts, whichever comes first. */
export function settledBy(
  p: Promise<unknown>,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
    signal?.addEventListener('abort', done, { once: true });
    p.then(done, done);
  });
}
