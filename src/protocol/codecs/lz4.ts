/**
 * LZ4 as Kafka writes it: the LZ4 *frame* format (magic 0x184D2204) with the header checksum of
 * the spec (KAFKA-3160 fixed Kafka's; magic v2 batches always use the fixed one), independent
 * blocks of at most 64 KiB, no block or content checksums, no content size — byte for byte the
 * frame header of Java's KafkaLZ4BlockOutputStream: 04 22 4D 18 60 40 82.
 *
 * The raw block codec is `lz4-napi` (lz4_flex, prebuilt napi-rs binaries). Its own frame encoder
 * always announces 4 MiB blocks, which would make Java readers allocate 4 MiB per batch, so the
 * frame is assembled here from raw blocks, and read here too: walking the frame ourselves lets
 * each block be decompressed with an output cap, so the limit holds exactly.
 *
 * Reading accepts any spec-conformant frame with independent blocks (block max 64 KiB..4 MiB,
 * optional content size, block and content checksums — skipped, not verified: the batch's
 * CRC-32C already covers these bytes), several frames back to back, and skippable frames.
 * Dependent blocks and dictionaries are refused, as Java's reader refuses them.
 */
import { ProtocolError } from '../errors.js';
import { CodecUnavailableError, lazyNative } from './native.js';

interface Lz4Module {
  /** Raw block, prefixed with the uncompressed size as uint32 LE. */
  compressSync(data: Buffer): Buffer;
  /** Raw block prefixed with uint32 LE; the prefix is the output capacity (larger is fine). */
  uncompressSync(data: Uint8Array): Buffer;
}

const loadLz4 = lazyNative<Lz4Module>('lz4-napi', 'lz4');

const MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_SIZE = 64 * 1024;
/** FLG 0x60: version 01, independent blocks. BD 0x40: 64 KiB blocks. HC: (xxh32(FLG BD) >> 8) & 0xff. */
const FRAME_HEADER = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);
const UNCOMPRESSED_BIT = 0x80000000;

function view(data: Uint8Array, start: number, end: number): Buffer {
  return Buffer.from(data.buffer, data.byteOffset + start, end - start);
}

/** Compresses `data` into one LZ4 frame the way Kafka's Java client does (see the file comment). */
export function lz4CompressSync(data: Uint8Array): Buffer {
  const lz4 = loadLz4();
  const blocks: Buffer[] = [];
  const words: number[] = [];
  let total = FRAME_HEADER.length + 4;
  for (let off = 0; off < data.length; off += BLOCK_SIZE) {
    const end = Math.min(off + BLOCK_SIZE, data.length);
    const compressed = lz4.compressSync(view(data, off, end));
    // A block that does not shrink is stored as is, flagged with the high bit (as Java does).
    if (compressed.length - 4 < end - off) {
      blocks.push(compressed.subarray(4));
      words.push(compressed.length - 4);
    } else {
      blocks.push(view(data, off, end));
      words.push((UNCOMPRESSED_BIT | (end - off)) >>> 0);
    }
    total += 4 + blocks[blocks.length - 1].length;
  }
  const out = Buffer.allocUnsafe(total);
  FRAME_HEADER.copy(out, 0);
  let p = FRAME_HEADER.length;
  for (let i = 0; i < blocks.length; i++) {
    out.writeUInt32LE(words[i], p);
    blocks[i].copy(out, p + 4);
    p += 4 + blocks[i].length;
  }
  out.writeUInt32LE(0, p);
  return out;
}

let scratch = Buffer.allocUnsafe(4 + BLOCK_SIZE);

/** Decompresses one compressed block into at most `capacity` bytes. */
function uncompressBlock(data: Uint8Array, start: number, end: number, capacity: number): Buffer {
  const size = end - start;
  if (scratch.length < 4 + size) scratch = Buffer.allocUnsafe(4 + size);
  scratch.writeUInt32LE(capacity, 0);
  scratch.set(data.subarray(start, end), 4);
  try {
    return loadLz4().uncompressSync(scratch.subarray(0, 4 + size));
  } catch (err) {
    if (err instanceof CodecUnavailableError) throw err;
    throw new ProtocolError(`Corrupt lz4 block: ${(err as Error).message}`, { cause: err });
  }
}

function truncated(what: string): ProtocolError {
  return new ProtocolError(`Truncated lz4 frame: ${what}`);
}

/**
 * Decompresses one or more LZ4 frames; refuses (ProtocolError) input that is corrupt, uses
 * features Kafka does not, or would decompress to more than `maxOutputBytes`.
 */
export function lz4DecompressSync(data: Uint8Array, maxOutputBytes: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  let p = 0;
  const end = data.length;
  if (end === 0) throw truncated('no frame header');
  while (p < end) {
    if (end - p < 4) throw truncated('magic');
    const magic = (data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24)) >>> 0;
    p += 4;
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (end - p < 4) throw truncated('skippable frame size');
      const size = (data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24)) >>> 0;
      if (size > end - p - 4) throw truncated('skippable frame');
      p += 4 + size;
      continue;
    }
    if (magic !== MAGIC) throw new ProtocolError(`Not an lz4 frame: magic 0x${magic.toString(16)}`);
    if (end - p < 3) throw truncated('frame descriptor');
    const flg = data[p];
    const bd = data[p + 1];
    if (flg >> 6 !== 1) throw new ProtocolError(`Unsupported lz4 frame version ${flg >> 6}`);
    if ((flg & 0x20) === 0) throw new ProtocolError('Unsupported lz4 frame: dependent blocks');
    if ((flg & 0x01) !== 0) throw new ProtocolError('Unsupported lz4 frame: dictionary id');
    const blockChecksum = (flg & 0x10) !== 0;
    const contentSize = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    const sizeId = (bd >> 4) & 0x07;
    if (sizeId < 4 || (bd & 0x8f) !== 0)
      throw new ProtocolError(`Bad lz4 block descriptor 0x${bd.toString(16)}`);
    const maxBlock = 1 << (2 * sizeId + 8);
    p += 2 + (contentSize ? 8 : 0) + 1;
    if (p > end) throw truncated('frame descriptor');
    for (;;) {
      if (end - p < 4) throw truncated('block size');
      const word = (data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24)) >>> 0;
      p += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      if (size > maxBlock)
        throw new ProtocolError(`lz4 block of ${size} bytes exceeds the frame's ${maxBlock}`);
      if (size > end - p - (blockChecksum ? 4 : 0)) throw truncated('block');
      const room = maxOutputBytes - total;
      let out: Buffer;
      if (word & UNCOMPRESSED_BIT) {
        if (size > room) throw overLimit(maxOutputBytes);
        out = view(data, p, p + size);
      } else {
        if (room <= 0) throw overLimit(maxOutputBytes);
        if (room < maxBlock) {
          // The cap is the limit, not the block size: a block that needs more is over the limit.
          try {
            out = uncompressBlock(data, p, p + size, room);
          } catch (err) {
            if (err instanceof ProtocolError && err.message.includes('too small'))
              throw overLimit(maxOutputBytes);
            throw err;
          }
        } else {
          out = uncompressBlock(data, p, p + size, maxBlock);
        }
      }
      parts.push(out);
      total += out.length;
      p += size + (blockChecksum ? 4 : 0);
    }
    if (contentChecksum) {
      if (end - p < 4) throw truncated('content checksum');
      p += 4;
    }
  }
  if (parts.length === 1) return parts[0];
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const part of parts) {
    part.copy(out, at);
    at += part.length;
  }
  return out;
}

function overLimit(maxOutputBytes: number): ProtocolError {
  return new ProtocolError(`lz4 data decompresses to more than the limit of ${maxOutputBytes} bytes`);
}
