/**
 * decodeRecordBatches: the consumer's hot path from a fetch response's records bytes to records.
 *
 * Invariants: nothing is read outside [0, buf.length) and nothing is allocated from a size on the
 * wire before that size is checked against the bytes that hold it (a count against the bytes
 * left, a decompressed size against `maxDecompressedBytes`); bad input is a ProtocolError, never
 * a RangeError or a huge allocation. A partial batch at the end is normal (brokers cut responses
 * at byte limits) and ends decoding quietly. Keys, values and header values are views into `buf`
 * or into the batch's decompressed bytes, never copies.
 *
 * Checks follow Java's DefaultRecordBatch / DefaultRecord: CRC-32C over attributes..end (Java
 * `check.crcs`, on by default), each record ends exactly where its length says, the batch holds
 * exactly `recordCount` records.
 */
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decompressSync } from '../codecs/index.js';
import { crc32c } from '../crc32c.js';
import { ProtocolError } from '../errors.js';
import {
  ATTRIBUTES_OFFSET,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  CURRENT_MAGIC,
  DELETE_HORIZON_FLAG_MASK,
  type DecodedRecord,
  LENGTH_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  RECORD_BATCH_OVERHEAD,
  type RecordBatch,
  type RecordHeader,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
} from './layout.js';

/** Smallest possible record: length, attributes, timestampDelta, offsetDelta, key, value, headers. */
const MIN_RECORD_SIZE = 7;
/** Smallest legacy (v0) message: crc, magic, attributes, key length, value length. */
const MIN_LEGACY_MESSAGE_SIZE = 14;
const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);

export interface DecodeRecordBatchesOptions {
  /** Verify each batch's CRC-32C (Java `check.crcs`). Default true. */
  verifyCrc?: boolean;
  /** Refuse a batch whose records decompress to more than this. Default 256 MiB. */
  maxDecompressedBytes?: number;
  /**
   * Legacy message sets (magic 0/1) are refused with a ProtocolError unless this is set; then
   * they are skipped whole (their size is at the same offset as a v2 batch's) and reported in
   * `legacy`.
   */
  skipLegacy?: boolean;
  /**
   * Records with an offset below this are not materialized, and a batch that ends below it is
   * neither checked nor decompressed (its header is still returned, with no records). A fetch
   * may start inside a batch, which the broker returns whole.
   */
  fromOffset?: bigint;
  /**
   * Read only the batch headers and check their CRCs now (control batches are decoded whole,
   * their type is needed at once): the other batches come back with no records and are listed
   * in `deferred`, to be decoded later with `decodeDeferred`. A bad batch does not throw: it
   * ends decoding and is reported in `error`.
   */
  deferRecords?: boolean;
}

/** A skipped legacy (magic 0/1) entry: `offset` is its last offset (a wrapper's inner last). */
export interface LegacyEntry {
  offset: bigint;
  magic: number;
  sizeInBytes: number;
}

export interface DecodedRecordBatches {
  batches: RecordBatch[];
  /** Bytes consumed by complete batches (and skipped legacy entries). */
  bytesRead: number;
  /** True when bytes after the last complete batch hold a partial one. */
  truncated: boolean;
  /** Legacy entries skipped with `skipLegacy`; absent when there were none. */
  legacy?: LegacyEntry[];
  /**
   * With `deferRecords`: `deferred[i]` holds what decoding `batches[i]`'s records needs, or null
   * for a control batch (decoded at once).
   */
  deferred?: (DeferredBatch | null)[];
  /**
   * With `deferRecords`: the error of the batch that stopped decoding (bad CRC, a control batch
   * that cannot be read); `batches` holds the good ones before it.
   */
  error?: ProtocolError;
}

function readInt64AsNumber(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 0x100000000 + buf.readUInt32BE(at + 4);
}

/**
 * Decodes the RecordBatches in `buf` (the `records` field of a fetch response partition).
 * Throws ProtocolError for a corrupt batch (CRC mismatch, bad sizes, bad compressed data, an
 * unsupported magic), except that with `deferRecords` a batch with a bad CRC ends decoding and
 * is reported in `error`; stops quietly at a partial batch at the end.
 */
export function decodeRecordBatches(
  buf: Buffer,
  options: DecodeRecordBatchesOptions = {},
): DecodedRecordBatches {
  const verifyCrc = options.verifyCrc ?? true;
  const maxDecompressed = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const fromOffset = options.fromOffset;
  const deferred: (DeferredBatch | null)[] | undefined = options.deferRecords ? [] : undefined;
  let error: ProtocolError | undefined;
  const batches: RecordBatch[] = [];
  let legacy: LegacyEntry[] | undefined;
  const end = buf.length;
  let p = 0;
  let truncated = false;
  while (p < end) {
    // Not even baseOffset + length + leader epoch + magic: a partial batch.
    if (end - p < MAGIC_OFFSET + 1) {
      truncated = true;
      break;
    }
    const batchLength = buf.readInt32BE(p + LENGTH_OFFSET);
    const magic = buf.readInt8(p + MAGIC_OFFSET);
    const minLength =
      magic === CURRENT_MAGIC ? RECORD_BATCH_OVERHEAD - LOG_OVERHEAD : MIN_LEGACY_MESSAGE_SIZE;
    if (batchLength < minLength) {
      throw new ProtocolError(
        `Record batch at byte ${p} has length ${batchLength}, less than the minimum ${minLength}`,
      );
    }
    if (batchLength > end - p - LOG_OVERHEAD) {
      truncated = true;
      break;
    }
    const batchEnd = p + LOG_OVERHEAD + batchLength;
    if (magic !== CURRENT_MAGIC) {
      if (!options.skipLegacy || magic < 0 || magic > 1) {
        throw new ProtocolError(
          `Unsupported record format magic ${magic} at byte ${p} (only RecordBatch v2, Kafka 0.11+, is read)`,
        );
      }
      if (!legacy) legacy = [];
      legacy.push({ offset: buf.readBigInt64BE(p), magic, sizeInBytes: batchEnd - p });
      p = batchEnd;
      continue;
    }
    const batch = readBatchHeader(buf, p, batchEnd);
    if (deferred) {
      // The CRC now: the caller trusts the header (lastOffset moves its fetch position on). A
      // bad batch ends decoding here, reported in `error`: the batches before it are good.
      try {
        if (batch.isControl) {
          decodeBatchRecords(batch, buf, p, batchEnd, verifyCrc, maxDecompressed, fromOffset);
        } else if (verifyCrc && (fromOffset === undefined || batch.lastOffset >= fromOffset)) {
          checkCrc(batch, buf, p, batchEnd);
        }
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        error = err;
        break;
      }
      deferred.push(
        batch.isControl
          ? null
          : { batch, buf, start: p, end: batchEnd, maxDecompressed, fromOffset, decoded: false },
      );
    } else {
      decodeBatchRecords(batch, buf, p, batchEnd, verifyCrc, maxDecompressed, fromOffset);
    }
    batches.push(batch);
    p = batchEnd;
  }
  const result: DecodedRecordBatches = { batches, bytesRead: p, truncated };
  if (legacy) result.legacy = legacy;
  if (deferred) result.deferred = deferred;
  if (error) result.error = error;
  return result;
}

/**
 * A batch returned by `decodeRecordBatches` with `deferRecords`: its header is read and its
 * CRC checked, its records are not decoded yet. `decodeDeferred` does that; the consumer calls it
 * as it hands records out, so records are short-lived objects rather than a buffer kept long.
 */
export interface DeferredBatch {
  readonly batch: RecordBatch;
  readonly buf: Buffer;
  readonly start: number;
  readonly end: number;
  readonly maxDecompressed: number;
  readonly fromOffset: bigint | undefined;
  /** Set once `decodeDeferred` succeeded: a second call returns the same records. */
  decoded: boolean;
}

/**
 * Decodes the records of a deferred batch into `d.batch.records` (its CRC was checked when its
 * header was read; the other checks and errors are those of `decodeRecordBatches`); returns
 * that batch.
 */
export function decodeDeferred(d: DeferredBatch): RecordBatch {
  if (!d.decoded) {
    d.batch.records.length = 0; // a failed earlier call may have left some
    decodeBatchRecords(d.batch, d.buf, d.start, d.end, false, d.maxDecompressed, d.fromOffset);
    d.decoded = true;
  }
  return d.batch;
}

/** The header fields of the batch in `buf[start, end)`, with no records yet. */
function readBatchHeader(buf: Buffer, start: number, end: number): RecordBatch {
  const baseOffset = buf.readBigInt64BE(start);
  const attributes = buf.readInt16BE(start + ATTRIBUTES_OFFSET);
  const lastOffsetDelta = buf.readInt32BE(start + 23);
  const recordCount = buf.readInt32BE(start + 57);
  const compression = attributes & COMPRESSION_CODEC_MASK;
  const timestampType = attributes & TIMESTAMP_TYPE_MASK ? 1 : 0;
  const isControl = (attributes & CONTROL_FLAG_MASK) !== 0;
  const crc = buf.readUInt32BE(start + CRC_OFFSET);
  const batch: RecordBatch = {
    baseOffset,
    lastOffset: baseOffset + BigInt(lastOffsetDelta),
    sizeInBytes: end - start,
    partitionLeaderEpoch: buf.readInt32BE(start + 12),
    magic: CURRENT_MAGIC,
    crc,
    attributes,
    compression,
    timestampType,
    isTransactional: (attributes & TRANSACTIONAL_FLAG_MASK) !== 0,
    isControl,
    hasDeleteHorizonMs: (attributes & DELETE_HORIZON_FLAG_MASK) !== 0,
    lastOffsetDelta,
    baseTimestamp: readInt64AsNumber(buf, start + 27),
    maxTimestamp: readInt64AsNumber(buf, start + 35),
    producerId: buf.readBigInt64BE(start + 43),
    producerEpoch: buf.readInt16BE(start + 51),
    baseSequence: buf.readInt32BE(start + 53),
    recordCount,
    controlType: null,
    records: [],
  };
  return batch;
}

function checkCrc(batch: RecordBatch, buf: Buffer, start: number, end: number): void {
  const actual = crc32c(buf, start + ATTRIBUTES_OFFSET, end);
  if (actual !== batch.crc) {
    throw new ProtocolError(
      `Record batch at offset ${batch.baseOffset} is corrupt: CRC-32C 0x${actual.toString(16)} != 0x${batch.crc.toString(16)} on the wire`,
    );
  }
}

/** Checks the batch's CRC, decompresses it and decodes its records into `batch.records`. */
function decodeBatchRecords(
  batch: RecordBatch,
  buf: Buffer,
  start: number,
  end: number,
  verifyCrc: boolean,
  maxDecompressed: number,
  fromOffset: bigint | undefined,
): void {
  const { baseOffset, compression, recordCount, timestampType, isControl } = batch;
  // The whole batch lies before the fetch position: the records are not wanted.
  if (fromOffset !== undefined && batch.lastOffset < fromOffset) return;
  if (verifyCrc) checkCrc(batch, buf, start, end);
  if (recordCount < 0)
    throw new ProtocolError(`Record batch at offset ${baseOffset} has ${recordCount} records`);
  let data = buf;
  let p = start + RECORD_BATCH_OVERHEAD;
  let dataEnd = end;
  if (compression !== 0) {
    try {
      data = decompressSync(compression, buf.subarray(p, end), maxDecompressed);
    } catch (err) {
      if (err instanceof ProtocolError) {
        throw new ProtocolError(`Record batch at offset ${baseOffset}: ${err.message}`, { cause: err });
      }
      throw err;
    }
    p = 0;
    dataEnd = data.length;
  }
  if (recordCount > (dataEnd - p) / MIN_RECORD_SIZE) {
    throw new ProtocolError(
      `Record batch at offset ${baseOffset} declares ${recordCount} records in ${dataEnd - p} bytes`,
    );
  }
  const logAppendTime = timestampType === 1 ? batch.maxTimestamp : -1;
  const skipBelow =
    fromOffset === undefined || fromOffset <= baseOffset ? 0 : Number(fromOffset - baseOffset);
  p = decodeRecords(data, p, dataEnd, recordCount, batch, logAppendTime, skipBelow);
  if (p !== dataEnd) {
    throw new ProtocolError(
      `Record batch at offset ${baseOffset} has ${dataEnd - p} bytes after its ${recordCount} records`,
    );
  }
  if (isControl) batch.controlType = controlType(batch);
}

function corrupt(batch: RecordBatch, what: string): ProtocolError {
  return new ProtocolError(`Record batch at offset ${batch.baseOffset} has a corrupt record: ${what}`);
}

/**
 * Reads `count` records from `b[p, end)` into `batch.records`; returns the position after them.
 * Varints are decoded inline: this loop runs once per consumed record.
 */
function decodeRecords(
  b: Buffer,
  p: number,
  end: number,
  count: number,
  batch: RecordBatch,
  logAppendTime: number,
  skipBelow: number,
): number {
  const records = batch.records;
  const baseOffset = batch.baseOffset;
  const baseTimestamp = batch.baseTimestamp;
  for (let i = 0; i < count; i++) {
    // length: zigzag varint, ≤ 5 bytes
    let z = 0;
    let shift = 0;
    let byte: number;
    do {
      if (p >= end || shift > 28) throw corrupt(batch, 'bad length varint');
      byte = b[p++];
      z |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    const length = (z >>> 1) ^ -(z & 1);
    if (length < MIN_RECORD_SIZE - 1 || length > end - p) throw corrupt(batch, `length ${length}`);
    const recordEnd = p + length;
    p++; // attributes: unused
    // timestampDelta: zigzag varlong; exact below 2^53
    let t = 0;
    let mul = 1;
    do {
      if (p >= recordEnd || mul > 2 ** 49) throw corrupt(batch, 'bad timestamp delta');
      byte = b[p++];
      t += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80);
    const timestampDelta = t % 2 === 0 ? t / 2 : -(t + 1) / 2;
    // offsetDelta, keyLength, valueLength, headerCount: zigzag varints
    z = 0;
    shift = 0;
    do {
      if (p >= recordEnd || shift > 28) throw corrupt(batch, 'bad offset delta');
      byte = b[p++];
      z |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    const offsetDelta = (z >>> 1) ^ -(z & 1);
    z = 0;
    shift = 0;
    do {
      if (p >= recordEnd || shift > 28) throw corrupt(batch, 'bad key length');
      byte = b[p++];
      z |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    const keyLength = (z >>> 1) ^ -(z & 1);
    if (keyLength < -1 || keyLength > recordEnd - p) throw corrupt(batch, `key length ${keyLength}`);
    const keyStart = p;
    if (keyLength > 0) p += keyLength;
    z = 0;
    shift = 0;
    do {
      if (p >= recordEnd || shift > 28) throw corrupt(batch, 'bad value length');
      byte = b[p++];
      z |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    const valueLength = (z >>> 1) ^ -(z & 1);
    if (valueLength < -1 || valueLength > recordEnd - p) throw corrupt(batch, `value length ${valueLength}`);
    const valueStart = p;
    if (valueLength > 0) p += valueLength;
    z = 0;
    shift = 0;
    do {
      if (p >= recordEnd || shift > 28) throw corrupt(batch, 'bad header count');
      byte = b[p++];
      z |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    const headerCount = (z >>> 1) ^ -(z & 1);
    // A header takes at least 2 bytes (empty key, null value).
    if (headerCount < 0 || headerCount * 2 > recordEnd - p)
      throw corrupt(batch, `header count ${headerCount}`);
    const keep = offsetDelta >= skipBelow;
    let headers = NO_HEADERS;
    if (headerCount > 0) {
      const list: RecordHeader[] = keep ? new Array(headerCount) : [];
      for (let h = 0; h < headerCount; h++) {
        z = 0;
        shift = 0;
        do {
          if (p >= recordEnd || shift > 28) throw corrupt(batch, 'bad header key length');
          byte = b[p++];
          z |= (byte & 0x7f) << shift;
          shift += 7;
        } while (byte & 0x80);
        const hKeyLength = (z >>> 1) ^ -(z & 1);
        if (hKeyLength < 0 || hKeyLength > recordEnd - p)
          throw corrupt(batch, `header key length ${hKeyLength}`);
        const hKeyStart = p;
        p += hKeyLength;
        z = 0;
        shift = 0;
        do {
          if (p >= recordEnd || shift > 28) throw corrupt(batch, 'bad header value length');
          byte = b[p++];
          z |= (byte & 0x7f) << shift;
          shift += 7;
        } while (byte & 0x80);
        const hValueLength = (z >>> 1) ^ -(z & 1);
        if (hValueLength < -1 || hValueLength > recordEnd - p) {
          throw corrupt(batch, `header value length ${hValueLength}`);
        }
        if (keep) {
          list[h] = {
            key: headerKey(b, hKeyStart, hKeyLength, h),
            value: hValueLength < 0 ? null : b.subarray(p, p + hValueLength),
          };
        }
        if (hValueLength > 0) p += hValueLength;
      }
      headers = list;
    }
    if (p !== recordEnd) throw corrupt(batch, `${recordEnd - p} bytes left over`);
    if (keep) {
      const record: DecodedRecord = {
        offset: baseOffset + BigInt(offsetDelta),
        timestamp: logAppendTime >= 0 ? logAppendTime : baseTimestamp + timestampDelta,
        key: keyLength < 0 ? null : b.subarray(keyStart, keyStart + keyLength),
        value: valueLength < 0 ? null : b.subarray(valueStart, valueStart + valueLength),
        headers,
      };
      records.push(record);
    }
  }
  return p;
}

/**
 * Header keys repeat from record to record (trace ids, content types, ...). Decoding one costs a
 * native call and a new string, so the last key seen at each header position is kept with its
 * bytes, and a key with the same bytes gets the same string back. Decoding is single-threaded,
 * so module state is safe; the cached bytes are copies (the record's buffer may be reused).
 */
const MAX_CACHED_KEY = 64;
const CACHED_POSITIONS = 8;
const cachedKeyBytes: (Buffer | null)[] = new Array(CACHED_POSITIONS).fill(null);
const cachedKeys: string[] = new Array(CACHED_POSITIONS).fill('');

function headerKey(b: Buffer, start: number, length: number, position: number): string {
  if (length === 0) return '';
  if (length > MAX_CACHED_KEY || position >= CACHED_POSITIONS) {
    return b.toString('utf8', start, start + length);
  }
  const cached = cachedKeyBytes[position];
  if (cached !== null && cached.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (cached[i] !== b[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return cachedKeys[position];
  }
  const key = b.toString('utf8', start, start + length);
  const bytes = Buffer.allocUnsafe(length);
  b.copy(bytes, 0, start, start + length);
  cachedKeyBytes[position] = bytes;
  cachedKeys[position] = key;
  return key;
}

/** The type in a control record's key (int16 version, int16 type; Java `ControlRecordType.parse`). */
function controlType(batch: RecordBatch): number {
  const record = batch.records[0];
  // With fromOffset past the control record, its type is not needed.
  if (record === undefined) return -1;
  const key = record.key;
  if (key === null || key.length < 4)
    throw new ProtocolError(`Control batch at offset ${batch.baseOffset} has a bad key`);
  const version = key.readInt16BE(0);
  if (version < 0)
    throw new ProtocolError(`Control batch at offset ${batch.baseOffset} has key version ${version}`);
  return key.readInt16BE(2);
}
