/**
 * Accumulator: per-partition queues of batches waiting to be sent.
 *
 * Owns: one PartitionQueue per topic-partition written to, the open (last) batch of each, the
 * builders that encode records into them, and the memory each batch holds in the BufferPool.
 *
 * Invariants:
 * - Records of a partition are appended in `send` order and batches leave a queue from its
 *   head, so per-partition order is kept (retries go back to the head, see Sender).
 * - A batch's uncompressed size stays within `batchSize`, except a batch holding one larger
 *   record; the builder tracks the exact size, so "is it full" never encodes anything.
 * - Every batch holds `reserved` bytes of the BufferPool from creation until `complete`/`fail`:
 *   its size, plus RECORD_CHARGE_BYTES for each record it may hold (reserved RECORDS_PER_CHARGE
 *   at a time, so `recordCount <= chargedRecords`). A batch split after a MESSAGE_TOO_LARGE
 *   hands its reservation to its first half; the second holds none (so for a while the halves
 *   can hold a little more than was reserved, as Java's split batches live outside its pool too).
 * - Appending allocates nothing per record: what a batch keeps of each record is in its
 *   RecordSlots, reused from batch to batch like the builders.
 */

import { KafkawireError } from '../protocol/errors.js';
import type { RecordHeaderInput } from '../protocol/records/layout.js';
import { RECORD_BATCH_OVERHEAD } from '../protocol/records/layout.js';
import { RecordBatchBuilder } from '../protocol/records/record-batch-builder.js';
import { decodeRecordBatches } from '../protocol/records/record-batch-decoder.js';
import type { BufferPool } from './buffer-pool.js';
import { RecordSlots } from './record-slots.js';

/** What a record's send resolves to (Java: `RecordMetadata`). */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** Offset in the partition; -1n when unknown (acks=0, or a duplicate the broker dropped). */
  offset: bigint;
  /** The record's timestamp, or the broker's append time when the topic uses LogAppendTime. */
  timestamp: number;
  /** Bytes of the serialized key, -1 for a null key. */
  serializedKeySize: number;
  /** Bytes of the serialized value, -1 for a null value. */
  serializedValueSize: number;
}

/** Where a batch reports each record's outcome: one send() call's promise. */
export interface RecordSink {
  resolve(index: number, metadata: RecordMetadata): void;
  reject(index: number, err: Error): void;
}

let nextBatchId = 0;

/**
 * What an unacknowledged record holds beyond its bytes in the batch: its send()'s promise, the
 * promise's settlers and its sink (about 250 bytes of V8 heap, measured on Node 24). Batches
 * charge it to the BufferPool, so `bufferMemory` bounds what small records keep alive too: with
 * the broker throttled, 32 MiB of batches of 100 B records used to keep some 300,000 sends and
 * 320 MiB of RSS alive (bench case produce-100B-throttled).
 */
export const RECORD_CHARGE_BYTES = 256;
/** Records a batch charges for at a time (one pool reservation per this many appends). */
export const RECORDS_PER_CHARGE = 32;
/** The bytes of one such charge. */
export const RECORD_CHARGE_CHUNK = RECORD_CHARGE_BYTES * RECORDS_PER_CHARGE;

export class ProducerBatch {
  /** Creation order; the halves of a split batch keep their parent's (see `splitPath`). */
  readonly id: number;
  /**
   * '' for a batch as appended; a half of a split batch adds '0' (first) or '1' (second) to its
   * parent's path. Batches of a partition are in send order by (id, splitPath).
   */
  readonly splitPath: string;
  readonly queue: PartitionQueue;
  readonly createdAt: number;
  /** Bytes held in the BufferPool: the batch's size and its records' charges. */
  reserved: number;
  /** Records whose RECORD_CHARGE_BYTES are in `reserved` (Infinity: not charged per record). */
  chargedRecords: number;
  builder: RecordBatchBuilder | null;
  /** The encoded batch, once finished (first drain). */
  buffer: Buffer | null = null;
  /**
   * `buffer` went into a request: a connection may still be writing it (by reference), so it is
   * never changed in place again (see `rewritable`).
   */
  bufferShared = false;
  recordCount = 0;
  /** No more records go into this batch (it is full, or drained). */
  closed = false;
  attempts = 0;
  /** Earliest time of the next attempt (backoff). */
  retryAt = 0;
  /** Sequence of the first record (idempotence), -1 until drained. */
  baseSequence = -1;
  /** The sequence this batch carried when last sent (baseSequence may move since, see Sender). */
  sentSequence = -1;
  producerEpoch = -1;
  /** Each record's timestamp, sizes and sink; given back to the accumulator on release. */
  slots: RecordSlots;
  /** Callbacks of flush() calls waiting for this batch. */
  doneWaiters: (() => void)[] | null = null;

  constructor(
    queue: PartitionQueue,
    builder: RecordBatchBuilder,
    slots: RecordSlots,
    reserved: number,
    now: number,
    splitOf?: { parent: ProducerBatch; half: 0 | 1 },
    chargedRecords = Number.POSITIVE_INFINITY,
  ) {
    this.chargedRecords = chargedRecords;
    this.slots = slots;
    this.id = splitOf ? splitOf.parent.id : nextBatchId++;
    this.splitPath = splitOf ? splitOf.parent.splitPath + splitOf.half : '';
    this.queue = queue;
    this.builder = builder;
    this.reserved = reserved;
    this.createdAt = now;
  }
}

/**
 * The batch's buffer, safe to change (its producer state, when sequences move): a copy once a
 * request may still be writing the old one. Without it a rewrite could change the bytes of a
 * frame that sits in a socket's queue.
 */
export function rewritable(b: ProducerBatch): Buffer {
  let buffer = b.buffer as Buffer;
  if (b.bufferShared) {
    buffer = Buffer.from(buffer);
    b.buffer = buffer;
    b.bufferShared = false;
  }
  return buffer;
}

/** Negative when `a` goes before `b` in its partition (send order), positive when after. */
export function compareBatchOrder(a: ProducerBatch, b: ProducerBatch): number {
  if (a.id !== b.id) return a.id - b.id;
  return a.splitPath < b.splitPath ? -1 : a.splitPath > b.splitPath ? 1 : 0;
}

export class PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  /** Batches waiting to be sent, oldest first (retried ones back at the head). */
  readonly batches: ProducerBatch[] = [];
  /** Batches of this partition in flight. */
  readonly inFlightBatches = new Set<ProducerBatch>();
  /** Idempotence: next sequence to assign, last acknowledged sequence. */
  nextSequence = 0;
  lastAckedSequence = -1;
  /**
   * Idempotence: a batch of the current epoch was acknowledged, so the broker checks this
   * partition's sequences from now on (before that it accepts any first sequence).
   */
  sequenceEstablished = false;
  /**
   * A batch is being retried (idempotence) or split halves are on their way (always), so at
   * most one batch of the partition flies.
   */
  retrying = false;
  /** In the accumulator's `queueList` (it holds batches, or did at the sender's last drain). */
  listed = false;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }
}

export interface AccumulatorOptions {
  batchSize: number;
  compression: number;
  /**
   * The sender writes each batch's producer state, and with it the CRC, before sending it
   * (idempotent producers): finish() then leaves the CRC out, so it is computed once per batch.
   */
  crcBySender?: boolean;
}

/** Builders (and record slots) kept for reuse; what they hold is the fixed overhead above bufferMemory. */
const MAX_FREE_BUILDERS = 32;

/** The slots of a released batch: none (a released batch settles nothing more). */
const RELEASED = new RecordSlots(0);

export class Accumulator {
  readonly queues = new Map<string, Map<number, PartitionQueue>>();
  /**
   * The queues that hold batches, or held some at the last drain: what the sender's drain
   * rotates over. A queue is listed again when a batch joins it; idle ones are pruned by the
   * sender (`pruneIdle`), so a drain costs what is active, not every partition ever written.
   * Unlisted queues stay in `queues`: they keep their idempotence sequence state.
   */
  queueList: PartitionQueue[] = [];
  /** Batches created and not yet completed or failed. */
  readonly incomplete = new Set<ProducerBatch>();
  private readonly freeBuilders: RecordBatchBuilder[] = [];
  private readonly freeSlots: RecordSlots[] = [];
  private readonly options: AccumulatorOptions;
  private readonly pool: BufferPool;
  /** Told of each batch encoded: its wire size and its size before compression (metrics). */
  onFinish: ((bytes: number, uncompressed: number) => void) | null = null;

  constructor(options: AccumulatorOptions, pool: BufferPool) {
    this.options = options;
    this.pool = pool;
  }

  queue(topic: string, partition: number): PartitionQueue {
    let byPartition = this.queues.get(topic);
    if (!byPartition) {
      byPartition = new Map();
      this.queues.set(topic, byPartition);
    }
    let q = byPartition.get(partition);
    if (!q) {
      q = new PartitionQueue(topic, partition);
      byPartition.set(partition, q);
    }
    return q;
  }

  /** Puts a queue that just got a batch back in `queueList`. */
  list(q: PartitionQueue): void {
    if (q.listed) return;
    q.listed = true;
    this.queueList.push(q);
  }

  /** Drops the queues that hold nothing and have nothing in flight from `queueList`. */
  pruneIdle(): void {
    this.queueList = this.queueList.filter((q) => {
      q.listed = q.batches.length > 0 || q.inFlightBatches.size > 0;
      return q.listed;
    });
  }

  /** Bytes a batch holding just this record needs. */
  static batchBytesFor(recordBytes: number, batchSize: number): number {
    return Math.max(batchSize, RECORD_BATCH_OVERHEAD + recordBytes);
  }

  /**
   * Appends to the partition's open batch if the record fits. Returns false when a new batch
   * is needed (the open one, if any, is then closed: it is full).
   */
  tryAppend(
    q: PartitionQueue,
    timestamp: number,
    key: Buffer | null,
    value: Buffer | null,
    headers: readonly RecordHeaderInput[] | null,
    sink: RecordSink,
    index: number,
    payload: number,
  ): boolean {
    const last = q.batches.length > 0 ? q.batches[q.batches.length - 1] : undefined;
    if (!last || last.closed || !last.builder) return false;
    const builder = last.builder;
    if (
      builder.sizeInBytes + builder.sizeOfNext(timestamp, key, value, headers, payload) >
      this.options.batchSize
    ) {
      last.closed = true;
      return false;
    }
    if (last.recordCount >= last.chargedRecords) {
      // The next records' charge; with the pool full, the batch ends here and the record waits.
      if (!this.pool.tryReserve(RECORD_CHARGE_CHUNK)) {
        last.closed = true;
        return false;
      }
      last.reserved += RECORD_CHARGE_CHUNK;
      last.chargedRecords += RECORDS_PER_CHARGE;
    }
    this.appendTo(last, timestamp, key, value, headers, sink, index, payload);
    return true;
  }

  /**
   * What a new batch of `batchBytes` (`batchBytesFor`) reserves: those and the charge of its
   * first RECORDS_PER_CHARGE records, or its bytes alone when both would not fit in bufferMemory
   * (a pool hardly larger than one batch; such a batch is not charged per record).
   */
  static reservationFor(batchBytes: number, totalMemory: number): number {
    return batchBytes + RECORD_CHARGE_CHUNK <= totalMemory ? batchBytes + RECORD_CHARGE_CHUNK : batchBytes;
  }

  /**
   * Opens a new batch holding `reserved` bytes (already taken from the pool, as
   * `reservationFor` says: `perRecord` when they include a record charge) and appends.
   */
  appendToNewBatch(
    q: PartitionQueue,
    reserved: number,
    perRecord: boolean,
    now: number,
    timestamp: number,
    key: Buffer | null,
    value: Buffer | null,
    headers: readonly RecordHeaderInput[] | null,
    sink: RecordSink,
    index: number,
    payload: number,
  ): ProducerBatch {
    const last = q.batches.length > 0 ? q.batches[q.batches.length - 1] : undefined;
    if (last) last.closed = true;
    const builder = this.freeBuilders.pop() ?? new RecordBatchBuilder({}, this.options.batchSize);
    builder.reset({ compression: this.options.compression });
    const charged = perRecord ? RECORDS_PER_CHARGE : Number.POSITIVE_INFINITY;
    const batch = new ProducerBatch(
      q,
      builder,
      this.freeSlots.pop() ?? new RecordSlots(),
      reserved,
      now,
      undefined,
      charged,
    );
    q.batches.push(batch);
    this.list(q);
    this.incomplete.add(batch);
    this.appendTo(batch, timestamp, key, value, headers, sink, index, payload);
    return batch;
  }

  private appendTo(
    b: ProducerBatch,
    timestamp: number,
    key: Buffer | null,
    value: Buffer | null,
    headers: readonly RecordHeaderInput[] | null,
    sink: RecordSink,
    index: number,
    payload: number,
  ): void {
    (b.builder as RecordBatchBuilder).append(timestamp, key, value, headers, payload);
    b.recordCount++;
    b.slots.push(timestamp, key === null ? -1 : key.length, value === null ? -1 : value.length, sink, index);
  }

  /** Encodes the batch (compressing it) and gives its builder back for reuse. */
  finish(b: ProducerBatch): Buffer {
    if (b.buffer) return b.buffer;
    const builder = b.builder as RecordBatchBuilder;
    const uncompressed = builder.sizeInBytes;
    b.buffer = builder.finish(!this.options.crcBySender);
    this.onFinish?.(b.buffer.length, uncompressed);
    b.builder = null;
    b.closed = true;
    if (this.freeBuilders.length < MAX_FREE_BUILDERS) this.freeBuilders.push(builder);
    return b.buffer;
  }

  /**
   * Replaces a finished batch the broker refused as too large (MESSAGE_TOO_LARGE) by two
   * finished halves holding its records in order, as Java's `splitAndReenqueue` does. The halves
   * keep the batch's creation time (delivery timeout), its place in the partition's order and
   * its memory (the first half holds the reservation); flush() waiting on the batch waits on
   * both. Sequences and queueing are the Sender's.
   */
  split(b: ProducerBatch): [ProducerBatch, ProducerBatch] {
    const decoded = decodeRecordBatches(b.buffer as Buffer);
    const records = decoded.batches.length === 1 ? decoded.batches[0].records : [];
    if (records.length !== b.recordCount || b.recordCount < 2) {
      throw new KafkawireError(
        `Cannot split a batch of ${b.recordCount} record(s) for ${b.queue.topic}-${b.queue.partition}`,
        false,
      );
    }
    const mid = Math.ceil(records.length / 2);
    const halves = [0, 1].map((half) => {
      const builder = this.freeBuilders.pop() ?? new RecordBatchBuilder({}, this.options.batchSize);
      builder.reset({ compression: this.options.compression });
      const child = new ProducerBatch(
        b.queue,
        builder,
        this.freeSlots.pop() ?? new RecordSlots(),
        half === 0 ? b.reserved : 0,
        b.createdAt,
        { parent: b, half: half as 0 | 1 },
      );
      const from_ = b.slots;
      const [from, to] = half === 0 ? [0, mid] : [mid, records.length];
      for (let i = from; i < to; i++) {
        const r = records[i];
        builder.append(r.timestamp, r.key, r.value, r.headers.length > 0 ? r.headers : null);
        child.recordCount++;
        child.slots.push(
          from_.timestamps[i],
          from_.keySizes[i],
          from_.valueSizes[i],
          from_.sink(i),
          from_.sinkIndexes[i],
        );
      }
      this.finish(child);
      this.incomplete.add(child);
      return child;
    }) as [ProducerBatch, ProducerBatch];
    this.incomplete.delete(b);
    b.buffer = null;
    this.freeSlotsOf(b);
    const waiters = b.doneWaiters;
    if (waiters) {
      let left = halves.length;
      const done = () => {
        if (--left === 0) for (const w of waiters) w();
      };
      for (const h of halves) h.doneWaiters = [done];
    }
    return halves;
  }

  /** Ends a batch's life: memory back to the pool, flush waiters told. */
  release(b: ProducerBatch): void {
    if (!this.incomplete.delete(b)) return;
    if (b.builder) {
      if (this.freeBuilders.length < MAX_FREE_BUILDERS) this.freeBuilders.push(b.builder);
      b.builder = null;
    }
    b.buffer = null;
    this.freeSlotsOf(b);
    this.pool.release(b.reserved);
    if (b.doneWaiters) for (const w of b.doneWaiters) w();
  }

  /** A batch that settles nothing more gives its slots back for the next batch. */
  private freeSlotsOf(b: ProducerBatch): void {
    const slots = b.slots;
    if (slots === RELEASED) return;
    b.slots = RELEASED;
    slots.clear();
    if (this.freeSlots.length < MAX_FREE_BUILDERS) this.freeSlots.push(slots);
  }
}
