/**
 * Snappy as Kafka's Java client writes it: snappy-java's "xerial" stream framing around raw
 * snappy blocks. The raw block codec is the `snappy` npm package (napi-rs, prebuilt); the framing
 * is ours:
 *
 *   header: 0x82 "SNAPPY" 0x00, int32 version (1), int32 minimum compatible version (1)
 *   then chunks: int32 compressed length, raw snappy block of at most 32 KiB uncompressed
 *
 * Reading also accepts a bare raw snappy block (what snappy-java's SnappyInputStream falls back
 * to when the header is missing, and what some non-Java clients send) and xerial streams
 * concatenated back to back (a header reappearing between chunks).
 *
 * Every raw block starts with its uncompressed length as a varint, so the output size is known
 * and checked against the limit before a byte is decompressed.
 */
import { ProtocolError } from '../errors.js';
import { CodecUnavailableError, lazyNative } from './native.js';

interface SnappyModule {
  compressSync(input: Uint8Array, options?: { copyOutputData?: boolean }): Buffer;
  uncompressSync(
    input: Uint8Array,
    options?: { asBuffer?: boolean; copyOutputData?: boolean },
  ): Buffer | string;
}

const loadSnappy = lazyNative<SnappyModule>('snappy', 'snappy');

/** snappy-java's SnappyOutputStream default block size. */
const XERIAL_BLOCK_SIZE = 32 * 1024;
const XERIAL_HEADER = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_MAGIC_SIZE = 8;
// copyOutputData: napi-rs "external" buffers (the default) cost a finalizer each and pushed V8
// into frequent GCs: measured 10-15x slower per 32 KiB block than copying the output once.
const UNCOMPRESS_OPTIONS = { asBuffer: true, copyOutputData: true };
const COMPRESS_OPTIONS = { copyOutputData: true };

function isXerialMagic(data: Uint8Array, at: number): boolean {
  if (data.length - at < XERIAL_MAGIC_SIZE) return false;
  for (let i = 0; i < XERIAL_MAGIC_SIZE; i++) if (data[at + i] !== XERIAL_HEADER[i]) return false;
  return true;
}

/** The uncompressed length a raw snappy block declares (its leading varint). */
function rawLength(data: Uint8Array, start: number, end: number): number {
  let result = 0;
  let shift = 0;
  for (let p = start; p < end && shift <= 28; p++) {
    const b = data[p];
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return result;
    shift += 7;
  }
  throw new ProtocolError('Corrupt snappy block: bad length preamble');
}

function view(data: Uint8Array, start: number, end: number): Buffer {
  return Buffer.from(data.buffer, data.byteOffset + start, end - start);
}

function uncompressBlock(data: Uint8Array, start: number, end: number, expected: number): Buffer {
  let out: Buffer | string;
  try {
    out = loadSnappy().uncompressSync(view(data, start, end), UNCOMPRESS_OPTIONS);
  } catch (err) {
    if (err instanceof CodecUnavailableError) throw err;
    throw new ProtocolError(`Corrupt snappy block: ${(err as Error).message}`, { cause: err });
  }
  if (typeof out === 'string' || out.length !== expected) {
    throw new ProtocolError(`Corrupt snappy block: declared ${expected} bytes, got ${out.length}`);
  }
  return out;
}

function overLimit(maxOutputBytes: number): ProtocolError {
  return new ProtocolError(`snappy data decompresses to more than the limit of ${maxOutputBytes} bytes`);
}

/** Compresses into snappy-java's xerial framing with 32 KiB blocks, as Kafka's Java producer does. */
export function snappyCompressSync(data: Uint8Array): Buffer {
  const snappy = loadSnappy();
  const blocks: Buffer[] = [];
  let total = XERIAL_HEADER_SIZE;
  for (let off = 0; off < data.length; off += XERIAL_BLOCK_SIZE) {
    const block = snappy.compressSync(
      view(data, off, Math.min(off + XERIAL_BLOCK_SIZE, data.length)),
      COMPRESS_OPTIONS,
    );
    blocks.push(block);
    total += 4 + block.length;
  }
  const out = Buffer.allocUnsafe(total);
  XERIAL_HEADER.copy(out, 0);
  let p = XERIAL_HEADER_SIZE;
  for (const block of blocks) {
    out.writeInt32BE(block.length, p);
    block.copy(out, p + 4);
    p += 4 + block.length;
  }
  return out;
}

/**
 * Decompresses xerial-framed snappy or a bare raw snappy block; refuses (ProtocolError) input
 * that is corrupt or would decompress to more than `maxOutputBytes`.
 */
export function snappyDecompressSync(data: Uint8Array, maxOutputBytes: number): Buffer {
  if (!isXerialMagic(data, 0)) {
    const size = rawLength(data, 0, data.length);
    if (size > maxOutputBytes) throw overLimit(maxOutputBytes);
    return uncompressBlock(data, 0, data.length, size);
  }
  if (data.length < XERIAL_HEADER_SIZE) throw new ProtocolError('Truncated snappy-java stream header');
  // First pass: check every chunk's bounds and declared size, so nothing is decompressed (or
  // allocated) for input that is corrupt or over the limit.
  let total = 0;
  let chunks = 0;
  let p = XERIAL_HEADER_SIZE;
  const end = data.length;
  while (p < end) {
    if (isXerialMagic(data, p)) {
      if (end - p < XERIAL_HEADER_SIZE) throw new ProtocolError('Truncated snappy-java stream header');
      p += XERIAL_HEADER_SIZE;
      continue;
    }
    if (end - p < 4) throw new ProtocolError('Truncated snappy-java chunk length');
    const len = (data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3];
    p += 4;
    if (len < 0 || len > end - p) throw new ProtocolError(`Bad snappy-java chunk length ${len}`);
    total += rawLength(data, p, p + len);
    if (total > maxOutputBytes) throw overLimit(maxOutputBytes);
    chunks++;
    p += len;
  }
  if (chunks === 0) return Buffer.alloc(0);
  const out = chunks === 1 ? null : Buffer.allocUnsafe(total);
  let at = 0;
  p = XERIAL_HEADER_SIZE;
  while (p < end) {
    if (isXerialMagic(data, p)) {
      p += XERIAL_HEADER_SIZE;
      continue;
    }
    const len = (data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3];
    p += 4;
    const block = uncompressBlock(data, p, p + len, rawLength(data, p, p + len));
    if (out === null) return block;
    block.copy(out, at);
    at += block.length;
    p += len;
  }
  return out!;
}
