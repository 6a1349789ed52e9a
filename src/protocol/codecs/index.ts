/**
 * Compression codecs of Kafka record batches, as Kafka's Java client writes and reads them.
 *
 * The codec ids are the low three bits of a RecordBatch's attributes. Every decompression takes
 * a limit: output that would exceed it is refused with a ProtocolError before it is allocated
 * (snappy, lz4: sizes are known per block) or as soon as zlib sees it (gzip, zstd), so a
 * compression bomb costs at most the limit.
 *
 * The async variants move gzip and zstd to libuv's thread pool. Snappy and lz4 run at GB/s,
 * where a thread-pool round trip would cost more than it saves, so their async variants run
 * synchronously and resolve.
 */
import { ConfigError, ProtocolError } from '../errors.js';
import { lz4CompressSync, lz4DecompressSync } from './lz4.js';
import { snappyCompressSync, snappyDecompressSync } from './snappy.js';
import {
  gzipCompress,
  gzipCompressSync,
  gzipDecompress,
  gzipDecompressSync,
  zstdCompress,
  zstdCompressSync,
  zstdDecompress,
  zstdDecompressSync,
} from './zlib.js';

export { CodecUnavailableError } from '../errors.js';
export { zstdAvailable } from './zlib.js';

/**
 * Compression codec ids, as in RecordBatch attributes bits 0-2 (Java: `compression.type`,
 * `CompressionType.id`).
 */
export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
/** One of the codec ids 0-4. */
export type Compression = (typeof Compression)[keyof typeof Compression];

/** The codec's name as Kafka's `compression.type` spells it, e.g. `'zstd'`. */
export function compressionName(codec: number): string {
  switch (codec) {
    case Compression.none:
      return 'none';
    case Compression.gzip:
      return 'gzip';
    case Compression.snappy:
      return 'snappy';
    case Compression.lz4:
      return 'lz4';
    case Compression.zstd:
      return 'zstd';
    default:
      return `unknown(${codec})`;
  }
}

/**
 * Default cap on one batch's decompressed size: 256 MiB. Kafka bounds the *compressed* batch
 * (`max.message.bytes`, 1 MiB by default), not what it expands to, so this is generous.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

/**
 * Compression level per codec (Java: `compression.gzip.level` 1-9, `compression.zstd.level`
 * -131072..22). Snappy and lz4 take none here: `compression.lz4.level` selects LZ4HC in Java,
 * which lz4-napi does not offer; the output format is the same.
 */
export type CompressionLevel = number | undefined;

function unknownCodec(codec: number): ConfigError {
  return new ConfigError('compressionType', `unknown compression codec id ${codec}`);
}

/** Compresses `data` with `codec`; `none` returns `data` itself (as a Buffer view). */
export function compressSync(codec: number, data: Uint8Array, level?: CompressionLevel): Buffer {
  switch (codec) {
    case Compression.none:
      return Buffer.from(data.buffer, data.byteOffset, data.length);
    case Compression.gzip:
      return gzipCompressSync(data, level);
    case Compression.snappy:
      return snappyCompressSync(data);
    case Compression.lz4:
      return lz4CompressSync(data);
    case Compression.zstd:
      return zstdCompressSync(data, level);
    default:
      throw unknownCodec(codec);
  }
}

/** Like `compressSync`, with gzip and zstd off the event loop. */
export async function compress(codec: number, data: Uint8Array, level?: CompressionLevel): Promise<Buffer> {
  if (codec === Compression.gzip) return gzipCompress(data, level);
  if (codec === Compression.zstd) return zstdCompress(data, level);
  return compressSync(codec, data, level);
}

/**
 * Decompresses `data`; throws ProtocolError if it is corrupt, the codec id is unknown, or the
 * output would exceed `maxOutputBytes`. The result may share memory with `data` (`none`, or an
 * lz4 frame of one stored block).
 */
export function decompressSync(
  codec: number,
  data: Uint8Array,
  maxOutputBytes: number = DEFAULT_MAX_DECOMPRESSED_BYTES,
): Buffer {
  switch (codec) {
    case Compression.none:
      if (data.length > maxOutputBytes) {
        throw new ProtocolError(`Data of ${data.length} bytes exceeds the limit of ${maxOutputBytes} bytes`);
      }
      return Buffer.from(data.buffer, data.byteOffset, data.length);
    case Compression.gzip:
      return gzipDecompressSync(data, maxOutputBytes);
    case Compression.snappy:
      return snappyDecompressSync(data, maxOutputBytes);
    case Compression.lz4:
      return lz4DecompressSync(data, maxOutputBytes);
    case Compression.zstd:
      return zstdDecompressSync(data, maxOutputBytes);
    default:
      throw new ProtocolError(`Unknown compression codec id ${codec}`);
  }
}

/** Like `decompressSync`, with gzip and zstd off the event loop. */
export async function decompress(
  codec: number,
  data: Uint8Array,
  maxOutputBytes: number = DEFAULT_MAX_DECOMPRESSED_BYTES,
): Promise<Buffer> {
  if (codec === Compression.gzip) return gzipDecompress(data, maxOutputBytes);
  if (codec === Compression.zstd) return zstdDecompress(data, maxOutputBytes);
  return decompressSync(codec, data, maxOutputBytes);
}
