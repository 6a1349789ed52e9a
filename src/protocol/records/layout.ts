/**
 * RecordBatch v2 (magic 2) layout: field offsets, attribute bits, the types shared by the
 * builder and the decoder, and the varint size arithmetic that lets a batch know its exact wire
 * size without encoding.
 *
 *   0 baseOffset int64 · 8 batchLength int32 · 12 partitionLeaderEpoch int32 · 16 magic int8
 *   17 crc uint32 (CRC-32C of bytes 21..end) · 21 attributes int16 · 23 lastOffsetDelta int32
 *   27 baseTimestamp int64 · 35 maxTimestamp int64 · 43 producerId int64 · 51 producerEpoch int16
 *   53 baseSequence int32 · 57 recordCount int32 · 61 records (compressed as one block if a codec
 *   is set)
 *
 * The magic byte and the length sit at the same offsets in the legacy message sets (v0/v1), so
 * any entry can be sized and skipped before its format is known.
 */

export const BASE_OFFSET_OFFSET = 0;
export const LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORDS_COUNT_OFFSET = 57;
/** Size of the batch header; the records start here. */
export const RECORD_BATCH_OVERHEAD = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const LOG_OVERHEAD = 12;
export const CURRENT_MAGIC = 2;

export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;
export const DELETE_HORIZON_FLAG_MASK = 0x40;

/** Java `RecordBatch.NO_PRODUCER_ID`, `NO_PRODUCER_EPOCH`, `NO_SEQUENCE`, `NO_TIMESTAMP`, `NO_PARTITION_LEADER_EPOCH`. */
export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_TIMESTAMP = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;

/** Record timestamp semantics (attributes bit 3; Java `TimestampType`). */
export const TimestampType = { createTime: 0, logAppendTime: 1 } as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

/** Control record types (the `type` in a control record's key; Java `ControlRecordType`). */
export const ControlRecordType = {
  abort: 0,
  commit: 1,
  leaderChange: 2,
  snapshotHeader: 3,
  snapshotFooter: 4,
  kraftVersion: 5,
  kraftVoters: 6,
} as const;

/** A record header to write. Keys are UTF-8 strings, values opaque bytes. */
export interface RecordHeaderInput {
  key: string;
  value: Uint8Array | null;
}

/** A record to write (Java `ProducerRecord` after serialization). */
export interface RecordInput {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers?: readonly RecordHeaderInput[] | null;
  /** Milliseconds since the epoch, an integer (Java `ProducerRecord.timestamp()`). */
  timestamp: number;
}

/** A decoded record header; `value` is a view into the fetched (or decompressed) bytes. */
export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/**
 * A decoded record. `key`, `value` and header values are views into the fetch response (or the
 * batch's decompressed bytes): they stay valid as long as they are referenced, but share memory
 * with the whole response, so copy what you keep for long.
 *
 * `offset` is a bigint: offsets are int64 on the wire and exact comparisons and commits need
 * every bit. That costs one small BigInt per record (~20-35 ns, measured, of ~150 ns per record
 * decoded); timestamps stay numbers (milliseconds fit 2^53 for the next 285,000 years).
 */
export interface DecodedRecord {
  offset: bigint;
  /** Creation time, or the broker's append time when the batch's timestampType is logAppendTime. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Shared frozen empty array when the record has no headers. */
  headers: readonly RecordHeader[];
}

/** A decoded RecordBatch: its header fields, and its records with absolute offsets and timestamps. */
export interface RecordBatch {
  baseOffset: bigint;
  /** baseOffset + lastOffsetDelta: the next fetch starts at lastOffset + 1. */
  lastOffset: bigint;
  /** Bytes of this batch on the wire, LOG_OVERHEAD + batchLength. */
  sizeInBytes: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  /** Codec id, attributes bits 0-2 (see `Compression`). */
  compression: number;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  hasDeleteHorizonMs: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  /** Records the batch declares; `records.length` is smaller when `fromOffset` skipped some. */
  recordCount: number;
  /** For a control batch, its control record's type (see `ControlRecordType`); else null. */
  controlType: number | null;
  records: DecodedRecord[];
}

/** Bytes of an unsigned varint. */
export function sizeOfUnsignedVarint(v: number): number {
  v >>>= 0;
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/** Bytes of a zigzag varint of a 32-bit value. */
export function sizeOfVarint(v: number): number {
  return sizeOfUnsignedVarint((v << 1) ^ (v >> 31));
}

/** Bytes of a zigzag varlong of a value with |v| < 2^53 (same split as Writer.varlong). */
export function sizeOfVarlong(v: number): number {
  if (v >= -0x40000000 && v < 0x40000000) return sizeOfVarint(v);
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    n++;
  }
  return n;
}

/**
 * UTF-8 byte length of `s`. Header keys are short and nearly always ASCII, where a JS loop beats
 * the native `Buffer.byteLength` call; anything else goes to it.
 */
export function utf8Length(s: string): number {
  const n = s.length;
  if (n > 64) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  return n;
}

/**
 * Bytes of a record's body, everything after its length varint (Java
 * `DefaultRecord.sizeOfBodyInBytes`), from the size `sizeOfRecordPayload` gave.
 */
export function sizeOfBodyWithPayload(offsetDelta: number, timestampDelta: number, payload: number): number {
  return 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + payload;
}

/** Bytes a record takes in a batch, its length varint included, from its payload size. */
export function sizeOfRecordWithPayload(
  offsetDelta: number,
  timestampDelta: number,
  payload: number,
): number {
  const body = sizeOfBodyWithPayload(offsetDelta, timestampDelta, payload);
  return sizeOfVarint(body) + body;
}

/**
 * Bytes of a record's key, value and headers with their lengths and count: the part of its body
 * that does not depend on where it sits in a batch. The producer computes it once per record.
 */
export function sizeOfRecordPayload(
  key: Uint8Array | null,
  value: Uint8Array | null,
  headers: readonly RecordHeaderInput[] | null | undefined,
): number {
  let size = key == null ? 1 : sizeOfVarint(key.length) + key.length;
  size += value == null ? 1 : sizeOfVarint(value.length) + value.length;
  if (headers == null) return size + 1;
  size += sizeOfVarint(headers.length);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    const keyLength = utf8Length(h.key);
    size += sizeOfVarint(keyLength) + keyLength;
    size += h.value == null ? 1 : sizeOfVarint(h.value.length) + h.value.length;
  }
  return size;
}
