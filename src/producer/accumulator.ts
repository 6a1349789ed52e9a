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
 * - Every batch holds `reserved` bytes of the BufferPool from creation until `complete`/`fail`.
 * - Appending allocates nothing per record beyond the metadata arrays of the batch.
 */

import type { RecordHeaderInput } from '../protocol/records/layout.js';
import { RECORD_BATCH_OVERHEAD } from '../protocol/records/layout.js';
import { RecordBatchBuilder } from '../protocol/records/record-batch-builder.js';
import type { BufferPool } from './buffer-pool.js';

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

export class ProducerBatch {
  readonly id = nextBatchId++;
  readonly queue: PartitionQueue;
  readonly createdAt: number;
  /** Bytes held in the BufferPool. */
  readonly reserved: number;
  builder: RecordBatchBuilder | null;
  /** The encoded batch, once finished (first drain). */
  buffer: Buffer | null = null;
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
  readonly timestamps: number[] = [];
  readonly keySizes: number[] = [];
  readonly valueSizes: number[] = [];
  readonly sinks: RecordSink[] = [];
  readonly sinkIndexes: number[] = [];
  /** Callbacks of flush() calls waiting for this batch. */
  doneWaiters: (() => void)[] | null = null;

  constructor(queue: PartitionQueue, builder: RecordBatchBuilder, reserved: number, now: number) {
    this.queue = queue;
    this.builder = builder;
    this.reserved = reserved;
    this.createdAt = now;
  }
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
  /** Idempotence: a batch is being retried, so at most one batch of the partition flies. */
  retrying = false;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }
}

export interface AccumulatorOptions {
  batchSize: number;
  compression: number;
}

/** Builders kept for reuse; what they hold is the fixed overhead above bufferMemory. */
const MAX_FREE_BUILDERS = 32;

export class Accumulator {
  readonly queues = new Map<string, Map<number, PartitionQueue>>();
  /** Batches created and not yet completed or failed. */
  readonly incomplete = new Set<ProducerBatch>();
  private readonly freeBuilders: RecordBatchBuilder[] = [];
  private readonly options: AccumulatorOptions;
  private readonly pool: BufferPool;

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
  ): boolean {
    const last = q.batches.length > 0 ? q.batches[q.batches.length - 1] : undefined;
    if (!last || last.closed || !last.builder) return false;
    const builder = last.builder;
    if (builder.sizeInBytes + builder.sizeOfNext(timestamp, key, value, headers) > this.options.batchSize) {
      last.closed = true;
      return false;
    }
    this.appendTo(last, timestamp, key, value, headers, sink, index);
    return true;
  }

  /** Opens a new batch holding `reserved` bytes (already taken from the pool) and appends. */
  appendToNewBatch(
    q: PartitionQueue,
    reserved: number,
    now: number,
    timestamp: number,
    key: Buffer | null,
    value: Buffer | null,
    headers: readonly RecordHeaderInput[] | null,
    sink: RecordSink,
    index: number,
  ): ProducerBatch {
    const last = q.batches.length > 0 ? q.batches[q.batches.length - 1] : undefined;
    if (last) last.closed = true;
    const builder = this.freeBuilders.pop() ?? new RecordBatchBuilder({}, this.options.batchSize);
    builder.reset({ compression: this.options.compression });
    const batch = new ProducerBatch(q, builder, reserved, now);
    q.batches.push(batch);
    this.incomplete.add(batch);
    this.appendTo(batch, timestamp, key, value, headers, sink, index);
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
  ): void {
    (b.builder as RecordBatchBuilder).append(timestamp, key, value, headers);
    b.recordCount++;
    b.timestamps.push(timestamp);
    b.keySizes.push(key === null ? -1 : key.length);
    b.valueSizes.push(value === null ? -1 : value.length);
    b.sinks.push(sink);
    b.sinkIndexes.push(index);
  }

  /** Encodes the batch (compressing it) and gives its builder back for reuse. */
  finish(b: ProducerBatch): Buffer {
    if (b.buffer) return b.buffer;
    const builder = b.builder as RecordBatchBuilder;
    b.buffer = builder.finish();
    b.builder = null;
    b.closed = true;
    if (this.freeBuilders.length < MAX_FREE_BUILDERS) this.freeBuilders.push(builder);
    return b.buffer;
  }

  /** Ends a batch's life: memory back to the pool, flush waiters told. */
  release(b: ProducerBatch): void {
    if (!this.incomplete.delete(b)) return;
    if (b.builder) {
      if (this.freeBuilders.length < MAX_FREE_BUILDERS) this.freeBuilders.push(b.builder);
      b.builder = null;
    }
    b.buffer = null;
    this.pool.release(b.reserved);
    if (b.doneWaiters) for (const w of b.doneWaiters) w();
  }
}
