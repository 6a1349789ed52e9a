/**
 * RecordBatchBuilder: the producer's hot path from records to one RecordBatch v2.
 *
 * Records are appended one at a time into one reused Writer, behind 61 reserved header bytes;
 * the header is written only by `finish()`, into the output buffer, once the count, timestamps
 * and (for a codec) the compressed size are known. Invariants: `sizeInBytes` is always the exact
 * uncompressed wire size of the batch so far, so "is it full?" needs no encoding; appending
 * allocates nothing per record (no closure, no temporary buffer, no concat) once the Writer has
 * grown to the batch size; `finish()` returns a buffer the caller owns, and the builder can be
 * `reset()` and reused at once. An uncompressed batch at least half the Writer's size is handed
 * over rather than copied (the Writer takes a fresh buffer at the next append or reset), so a
 * record's bytes are copied once on their way to the socket: into the batch.
 *
 * Bytes match Java's MemoryRecordsBuilder (checked by test/conformance against batches built by
 * kafka-clients): baseTimestamp is the first record's timestamp, maxTimestamp the largest
 * (-1 for none), offset deltas count from 0.
 */
import { compress, compressSync } from '../codecs/index.js';
import { crc32c } from '../crc32c.js';
import { ConfigError } from '../errors.js';
import { Writer } from '../writer.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD,
  type RecordHeaderInput,
  type RecordInput,
  sizeOfBodyWithPayload,
  sizeOfRecordPayload,
  sizeOfRecordWithPayload,
  TIMESTAMP_TYPE_MASK,
  type TimestampType,
  TRANSACTIONAL_FLAG_MASK,
  utf8Length,
} from './layout.js';

/** zstd, the highest codec id Kafka defines. */
const MAX_CODEC_ID = 4;

/** Batch-level fields of a RecordBatchBuilder; all optional, defaults are a plain producer's. */
export interface RecordBatchOptions {
  /** Codec id (see `Compression`); default none. Java: `compression.type`. */
  compression?: number;
  /** Codec level for gzip / zstd. Java: `compression.gzip.level`, `compression.zstd.level`. */
  compressionLevel?: number;
  /** Default 0: the broker assigns offsets. */
  baseOffset?: bigint;
  /** Default -1 (not idempotent). */
  producerId?: bigint;
  /** Default -1. */
  producerEpoch?: number;
  /** Sequence of the first record; default -1. */
  baseSequence?: number;
  /** Default false. Java: set when `transactional.id` is. */
  isTransactional?: boolean;
  /** Default false; control batches are written by brokers (and fakes of them). */
  isControl?: boolean;
  /** Default createTime. */
  timestampType?: TimestampType;
  /** Default -1; brokers set it. */
  partitionLeaderEpoch?: number;
  /**
   * With timestampType logAppendTime, the broker's append time: written as maxTimestamp, which
   * readers then report as every record's timestamp (Java MemoryRecordsBuilder's logAppendTime).
   */
  logAppendTime?: number;
}

/** The producer state of a batch, as `setProducerState` rewrites it. */
export interface ProducerState {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  isTransactional?: boolean;
}

/** Header fields captured when a batch is finished (so an async finish survives a reset). */
interface Sealed {
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  count: number;
  baseOffset: bigint;
  partitionLeaderEpoch: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

/**
 * Builds one RecordBatch v2 at a time from records appended in offset order (Java
 * `MemoryRecordsBuilder`); reuse it across batches with `reset()`.
 */
export class RecordBatchBuilder {
  private readonly w: Writer;
  private compression = 0;
  private compressionLevel: number | undefined;
  private attributes = 0;
  private baseOffset = 0n;
  private producerId = NO_PRODUCER_ID;
  private producerEpoch = NO_PRODUCER_EPOCH;
  private baseSequence = NO_SEQUENCE;
  private partitionLeaderEpoch = NO_PARTITION_LEADER_EPOCH;
  private count = 0;
  private baseTimestamp = NO_TIMESTAMP;
  private maxTimestamp = NO_TIMESTAMP;
  private logAppendTime = NO_TIMESTAMP;
  /** The Writer's buffer was handed over by `finish()`: it gets a new one before the next write. */
  private handedOver = false;

  /** `initialCapacity` sizes the reused Writer; it grows by doubling up to the largest batch. */
  constructor(options: RecordBatchOptions = {}, initialCapacity = 16 * 1024) {
    this.w = new Writer(Math.max(initialCapacity, RECORD_BATCH_OVERHEAD));
    this.reset(options);
  }

  /** Starts a new, empty batch, keeping the Writer's memory. */
  reset(options: RecordBatchOptions = {}): this {
    const compression = options.compression ?? 0;
    if (!(compression >= 0 && compression <= MAX_CODEC_ID && Number.isInteger(compression))) {
      throw new ConfigError('compressionType', `unknown compression codec id ${compression}`);
    }
    this.compression = compression;
    this.compressionLevel = options.compressionLevel;
    this.attributes =
      this.compression |
      (options.timestampType === 1 ? TIMESTAMP_TYPE_MASK : 0) |
      (options.isTransactional ? TRANSACTIONAL_FLAG_MASK : 0) |
      (options.isControl ? CONTROL_FLAG_MASK : 0);
    this.baseOffset = options.baseOffset ?? 0n;
    this.producerId = options.producerId ?? NO_PRODUCER_ID;
    this.producerEpoch = options.producerEpoch ?? NO_PRODUCER_EPOCH;
    this.baseSequence = options.baseSequence ?? NO_SEQUENCE;
    this.partitionLeaderEpoch = options.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH;
    this.logAppendTime = options.timestampType === 1 ? (options.logAppendTime ?? NO_TIMESTAMP) : NO_TIMESTAMP;
    this.count = 0;
    this.baseTimestamp = NO_TIMESTAMP;
    this.maxTimestamp = NO_TIMESTAMP;
    if (this.handedOver) {
      this.w.buf = Buffer.allocUnsafe(this.w.buf.length);
      this.handedOver = false;
    }
    this.w.reset().skip(RECORD_BATCH_OVERHEAD);
    return this;
  }

  /** An append after `finish()` handed the buffer over: the records so far go to a new one. */
  private reclaim(): void {
    const w = this.w;
    const next = Buffer.allocUnsafe(w.buf.length);
    w.buf.copy(next, 0, 0, w.pos);
    w.buf = next;
    this.handedOver = false;
  }

  /** Records appended so far. */
  get recordCount(): number {
    return this.count;
  }

  /** Exact wire size of the batch so far, header included, before compression. */
  get sizeInBytes(): number {
    return this.w.pos;
  }

  /** The codec this batch is compressed with at `finish()`. */
  get compressionCodec(): number {
    return this.compression;
  }

  /**
   * Bytes a record takes in a batch, its length varint included (Java
   * `DefaultRecord.sizeInBytes`). `timestampDelta` is its timestamp minus the batch's first.
   */
  static sizeOfRecord(
    offsetDelta: number,
    timestampDelta: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers?: readonly RecordHeaderInput[] | null,
  ): number {
    return sizeOfRecordWithPayload(offsetDelta, timestampDelta, sizeOfRecordPayload(key, value, headers));
  }

  /**
   * Bytes `append` with these arguments would add to `sizeInBytes`. `payload`, when given, is
   * `sizeOfRecordPayload(key, value, headers)`, computed once by the caller.
   */
  sizeOfNext(
    timestamp: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers?: readonly RecordHeaderInput[] | null,
    payload: number = sizeOfRecordPayload(key, value, headers),
  ): number {
    const delta = this.count === 0 ? 0 : timestamp - this.baseTimestamp;
    return sizeOfRecordWithPayload(this.count, delta, payload);
  }

  /**
   * Appends one record (offset delta = records so far). `timestamp` must be an integer number of
   * milliseconds; the producer validates it, this does not. `payload` as for `sizeOfNext`.
   * Returns the bytes added.
   */
  append(
    timestamp: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers?: readonly RecordHeaderInput[] | null,
    payload: number = sizeOfRecordPayload(key, value, headers),
  ): number {
    if (this.handedOver) this.reclaim();
    const offsetDelta = this.count;
    if (offsetDelta === 0) this.baseTimestamp = timestamp;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const timestampDelta = timestamp - this.baseTimestamp;
    const body = sizeOfBodyWithPayload(offsetDelta, timestampDelta, payload);
    const w = this.w;
    const start = w.pos;
    w.ensure(5 + body);
    // Written through a local buffer and position (the Writer only guarantees the room): one
    // bounds check for the whole record instead of one per field.
    const b = w.buf;
    let p = writeVarint(b, start, body);
    b[p++] = 0; // record attributes: unused
    if (timestampDelta >= -0x40000000 && timestampDelta < 0x40000000) {
      p = writeVarint(b, p, timestampDelta);
    } else {
      w.pos = p;
      w.varlong(timestampDelta);
      p = w.pos;
    }
    p = writeVarint(b, p, offsetDelta);
    if (key == null) {
      b[p++] = 1; // zigzag(-1)
    } else {
      p = writeVarint(b, p, key.length);
      p = copyBytes(b, p, key);
    }
    if (value == null) {
      b[p++] = 1;
    } else {
      p = writeVarint(b, p, value.length);
      p = copyBytes(b, p, value);
    }
    if (headers == null) {
      b[p++] = 0;
    } else {
      p = writeVarint(b, p, headers.length);
      for (let i = 0; i < headers.length; i++) {
        const h = headers[i];
        const hk = h.key;
        const keyLength = utf8Length(hk);
        p = writeVarint(b, p, keyLength);
        if (keyLength === hk.length && keyLength <= 64) {
          for (let j = 0; j < keyLength; j++) b[p + j] = hk.charCodeAt(j);
          p += keyLength;
        } else {
          p += b.write(hk, p, keyLength, 'utf8');
        }
        const hv = h.value;
        if (hv == null) {
          b[p++] = 1;
        } else {
          p = writeVarint(b, p, hv.length);
          p = copyBytes(b, p, hv);
        }
      }
    }
    w.pos = p;
    this.count = offsetDelta + 1;
    return w.pos - start;
  }

  /** `append` taking a RecordInput. */
  appendRecord(record: RecordInput): number {
    return this.append(record.timestamp, record.key, record.value, record.headers);
  }

  private seal(): Sealed {
    return {
      attributes: this.attributes,
      lastOffsetDelta: this.count - 1,
      baseTimestamp: this.baseTimestamp,
      maxTimestamp: this.attributes & TIMESTAMP_TYPE_MASK ? this.logAppendTime : this.maxTimestamp,
      count: this.count,
      baseOffset: this.baseOffset,
      partitionLeaderEpoch: this.partitionLeaderEpoch,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence: this.baseSequence,
    };
  }

  /**
   * Finishes the batch: compresses the records (synchronously) if a codec is set, writes the
   * header and CRC, and returns the batch in a new buffer of its exact size. The builder keeps
   * its state until `reset()`. `crc: false` leaves the CRC for `setProducerState` to write: an
   * idempotent producer sets the producer state of every batch before sending it, and the CRC
   * (over the whole batch) is then computed once instead of twice.
   */
  finish(crc = true): Buffer {
    const w = this.w;
    let out: Buffer;
    if (this.compression === 0 && w.pos * 2 >= w.buf.length) {
      // Half full or more: the batch keeps the Writer's buffer, no copy.
      out = w.buf.subarray(0, w.pos);
      this.handedOver = true;
    } else if (this.compression === 0) {
      out = Buffer.allocUnsafe(w.pos);
      w.buf.copy(out, 0, 0, w.pos);
    } else {
      const compressed = compressSync(
        this.compression,
        w.buf.subarray(RECORD_BATCH_OVERHEAD, w.pos),
        this.compressionLevel,
      );
      out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + compressed.length);
      compressed.copy(out, RECORD_BATCH_OVERHEAD);
    }
    writeHeader(out, this.seal(), crc);
    return out;
  }

  /**
   * `finish()` with gzip and zstd compressed on libuv's thread pool. The records are copied
   * first, so the builder may be reset and refilled while the promise is pending.
   */
  async finishAsync(crc = true): Promise<Buffer> {
    if (this.compression === 0) return this.finish(crc);
    const sealed = this.seal();
    const records = Buffer.from(this.w.buf.subarray(RECORD_BATCH_OVERHEAD, this.w.pos));
    const compressed = await compress(this.compression, records, this.compressionLevel);
    const out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + compressed.length);
    compressed.copy(out, RECORD_BATCH_OVERHEAD);
    writeHeader(out, sealed, crc);
    return out;
  }
}

/** Zigzag varint of a 32-bit value at `p`; returns the position after it. Room is the caller's. */
function writeVarint(b: Buffer, p: number, v: number): number {
  let z = ((v << 1) ^ (v >> 31)) >>> 0;
  while (z > 0x7f) {
    b[p++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  b[p++] = z;
  return p;
}

/** Copies `src` to `p`: a plain loop for short keys and values, where `set` costs more. */
function copyBytes(b: Buffer, p: number, src: Uint8Array): number {
  const n = src.length;
  if (n < 32) {
    for (let i = 0; i < n; i++) b[p + i] = src[i];
  } else {
    b.set(src, p);
  }
  return p + n;
}

function writeTimestamp(out: Buffer, at: number, v: number): void {
  out.writeInt32BE(Math.floor(v / 0x100000000), at);
  out.writeUInt32BE(v >>> 0, at + 4);
}

/** Writes the 61-byte header into `out` (records already in place) and then the CRC (or 0). */
function writeHeader(out: Buffer, s: Sealed, crc: boolean): void {
  out.writeBigInt64BE(s.baseOffset, 0);
  out.writeInt32BE(out.length - LOG_OVERHEAD, 8);
  out.writeInt32BE(s.partitionLeaderEpoch, 12);
  out.writeInt8(CURRENT_MAGIC, 16);
  out.writeInt16BE(s.attributes, ATTRIBUTES_OFFSET);
  out.writeInt32BE(s.lastOffsetDelta, 23);
  writeTimestamp(out, 27, s.baseTimestamp);
  writeTimestamp(out, 35, s.maxTimestamp);
  out.writeBigInt64BE(s.producerId, PRODUCER_ID_OFFSET);
  out.writeInt16BE(s.producerEpoch, PRODUCER_EPOCH_OFFSET);
  out.writeInt32BE(s.baseSequence, BASE_SEQUENCE_OFFSET);
  out.writeInt32BE(s.count, 57);
  out.writeUInt32BE(crc ? crc32c(out, ATTRIBUTES_OFFSET, out.length) : 0, CRC_OFFSET);
}

/**
 * Rewrites a finished batch's producer id, epoch, base sequence (and transactional flag) in place
 * and recomputes its CRC, e.g. when an idempotent producer assigns sequences at drain time or
 * bumps its epoch before a retry (KIP-360). None of these fields is inside the compressed part.
 */
export function setProducerState(batch: Buffer, state: ProducerState): void {
  batch.writeBigInt64BE(state.producerId, PRODUCER_ID_OFFSET);
  batch.writeInt16BE(state.producerEpoch, PRODUCER_EPOCH_OFFSET);
  batch.writeInt32BE(state.baseSequence, BASE_SEQUENCE_OFFSET);
  if (state.isTransactional !== undefined) {
    const attributes = batch.readInt16BE(ATTRIBUTES_OFFSET);
    batch.writeInt16BE(
      state.isTransactional ? attributes | TRANSACTIONAL_FLAG_MASK : attributes & ~TRANSACTIONAL_FLAG_MASK,
      ATTRIBUTES_OFFSET,
    );
  }
  batch.writeUInt32BE(crc32c(batch, ATTRIBUTES_OFFSET, batch.length), CRC_OFFSET);
}
