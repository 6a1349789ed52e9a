/**
 * Sends that could not be appended at once: the producer's waiting line and its parts.
 *
 * A send waits in the main line (`Fifo` of `Pending`) for the first connection or for buffer
 * memory, strictly in order. One that waits for a topic's metadata is parked in that topic's own
 * line (`TopicLines`) so sends to known topics go on; while a topic has a line, every later send
 * to it joins that line too (per-partition order holds). When the topic is known, or its wait
 * fails, the line goes back to the front of the main line, in order.
 *
 * Invariants: a Pending is in exactly one line; `index` is the first of its records not yet
 * appended or refused; every record of every Pending is settled exactly once (by its sink).
 */
import type { RecordSink } from './accumulator.js';

/** A record as send() took it (the fields the waiting line needs). */
export interface WaitingRecord {
  readonly topic: string;
  /** The partition asked for: the topic's metadata must have it before the record goes in. */
  readonly partition?: number;
  readonly key?: unknown;
  readonly value: unknown;
}

/** One send() call that waits: its records from `index` on. */
export interface Pending {
  records: readonly WaitingRecord[];
  index: number;
  sink: RecordSink;
  /** maxBlockMs after the call: when its waiting records are refused. */
  deadline: number;
  /** Bytes the records from `index` on were estimated at (counted against the waiting budget). */
  bytes: number;
}

/** A FIFO with a head index, so taking from the front is O(1) however long it grows. */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  /** Puts `items` (in their order) ahead of everything queued. */
  unshiftAll(items: readonly T[]): void {
    if (items.length === 0) return;
    if (this.head >= items.length) {
      this.head -= items.length;
      for (let i = 0; i < items.length; i++) this.items[this.head + i] = items[i];
    } else {
      this.items = [...items, ...this.items.slice(this.head)];
      this.head = 0;
    }
  }
  takeAll(): T[] {
    const out = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return out;
  }
}

/** The lines of sends waiting for a topic's metadata, one per topic. */
export class TopicLines {
  private readonly lines = new Map<string, Fifo<Pending>>();

  get size(): number {
    return this.lines.size;
  }

  /** True while sends to `topic` wait for its metadata: a later send to it must wait behind them. */
  has(topic: string): boolean {
    return this.lines.size > 0 && this.lines.has(topic);
  }

  /**
   * Parks `p` in the line of the topic of its next record. Returns the line when it is new: the
   * caller starts the one wait that serves it.
   */
  park(p: Pending): { topic: string; line: Fifo<Pending> } | undefined {
    const topic = p.records[p.index].topic;
    const existing = this.lines.get(topic);
    if (existing) {
      existing.push(p);
      return undefined;
    }
    const line = new Fifo<Pending>();
    line.push(p);
    this.lines.set(topic, line);
    return { topic, line };
  }

  /** Ends the topic's line (if `line` is still it) and returns what was left in it, in order. */
  close(topic: string, line: Fifo<Pending>): Pending[] {
    if (this.lines.get(topic) === line) this.lines.delete(topic);
    return line.takeAll();
  }

  /** Every parked send, line by line; the lines end. */
  takeAll(): Pending[] {
    const out: Pending[] = [];
    for (const line of this.lines.values()) out.push(...line.takeAll());
    this.lines.clear();
    return out;
  }
}

/**
 * A cheap estimate of what a record will hold in memory before it is serialized: key and value
 * bytes when they are Buffers or strings, a fixed guess otherwise (a serializer's input).
 */
export function estimateRecordBytes(r: WaitingRecord): number {
  if (r === null || typeof r !== 'object') return RECORD_GUESS; // refused when its turn comes
  return RECORD_GUESS + sizeGuess(r.key) + sizeGuess(r.value);
}

/** Per-record overhead of a waiting record: its object, its promise and sink, the Pending. */
const RECORD_GUESS = 256;

function sizeGuess(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'string') return v.length * 2;
  if (v instanceof Uint8Array) return v.byteLength;
  return 256;
}

/** How `promise` settled within `ms`: 'ok', its error, or 'timeout' (the promise goes on). */
export function settleWithin(
  promise: Promise<unknown>,
  ms: number,
): Promise<'ok' | 'timeout' | { error: unknown }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), Math.max(0, ms));
    promise.then(
      () => {
        clearTimeout(timer);
        resolve('ok');
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ error });
      },
    );
  });
}
