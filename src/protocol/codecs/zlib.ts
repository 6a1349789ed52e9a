/**
 * gzip and zstd through `node:zlib` (zstd needs Node >= 22.15 / 23.8; on an older Node every zstd
 * call throws CodecUnavailableError, and `zstdAvailable()` lets a producer refuse the codec up
 * front instead of failing later from a timer).
 *
 * Both formats are what Kafka's Java client writes (GZIPOutputStream, zstd-jni streaming frames),
 * so no framing of our own is needed. Decompression is bounded with zlib's `maxOutputLength`;
 * zstd's window is additionally capped by `ZSTD_d_windowLogMax`, so a frame that announces a
 * huge window cannot make the decoder allocate it.
 */
import * as zlib from 'node:zlib';
import { CodecUnavailableError, ProtocolError } from '../errors.js';

/** Largest zstd window accepted (log2): zstd's own default decoder cap, 128 MiB. */
const ZSTD_WINDOW_LOG_MAX = 27;
/**
 * Smallest window cap we impose even for a small output limit: streaming producers (zstd-jni at
 * level 3 uses a 2 MiB window, level 19 an 8 MiB one) announce windows larger than the data.
 */
const ZSTD_WINDOW_LOG_FLOOR = 23;

/**
 * True when this Node's `node:zlib` has zstd (22.15+, 23.8+). Read at each call, not at import:
 * cheap, and a test can take the functions away.
 */
export function zstdAvailable(): boolean {
  return typeof zlib.zstdCompressSync === 'function' && typeof zlib.zstdDecompressSync === 'function';
}

/**
 * Throws unless zstd is there. Without this check an older Node failed with a TypeError
 * (`zlib.zstdCompressSync is not a function`) thrown from the producer's linger timer, which
 * crashed the process, and reading a zstd batch reported "Corrupt zstd data". Regression tests:
 * codecs.test.ts, "without zstd in node:zlib".
 */
function requireZstd(): void {
  if (!zstdAvailable()) {
    throw new CodecUnavailableError(
      `The zstd codec needs node:zlib's zstd, which this Node (${process.version}) lacks: use Node 22.15+ or 23.8+`,
      { codec: 'zstd' },
    );
  }
}

type CompressFn = (buf: zlib.InputType, options: object, cb: zlib.CompressCallback) => void;

function run(fn: CompressFn, data: Uint8Array, options: object): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fn(data, options, (err: Error | null, out: Buffer) => (err ? reject(err) : resolve(out)));
  });
}

/** Turns a zlib failure into the error kafkawire reports: corrupt or over-limit input. */
export function zlibError(codec: string, err: unknown, maxOutputBytes: number): ProtocolError {
  const code = (err as { code?: string }).code;
  if (code === 'ERR_BUFFER_TOO_LARGE') {
    return new ProtocolError(`${codec} data decompresses to more than the limit of ${maxOutputBytes} bytes`, {
      cause: err,
    });
  }
  return new ProtocolError(`Corrupt ${codec} data: ${(err as Error).message}`, { cause: err });
}

function gzipOptions(level: number | undefined): zlib.ZlibOptions {
  return level === undefined ? {} : { level };
}

function zstdCompressOptions(level: number | undefined): zlib.ZstdOptions {
  return level === undefined ? {} : { params: { [zlib.constants.ZSTD_c_compressionLevel]: level } };
}

function zstdDecompressOptions(maxOutputBytes: number): zlib.ZstdOptions {
  const log = Math.ceil(Math.log2(Math.max(maxOutputBytes, 1)));
  const windowLogMax = Math.min(ZSTD_WINDOW_LOG_MAX, Math.max(ZSTD_WINDOW_LOG_FLOOR, log));
  return {
    maxOutputLength: Math.max(maxOutputBytes, 1),
    params: { [zlib.constants.ZSTD_d_windowLogMax]: windowLogMax },
  };
}

export function gzipCompressSync(data: Uint8Array, level?: number): Buffer {
  return zlib.gzipSync(data, gzipOptions(level));
}

export function gzipCompress(data: Uint8Array, level?: number): Promise<Buffer> {
  return run(zlib.gzip as CompressFn, data, gzipOptions(level));
}

export function gzipDecompressSync(data: Uint8Array, maxOutputBytes: number): Buffer {
  try {
    return zlib.gunzipSync(data, { maxOutputLength: Math.max(maxOutputBytes, 1) });
  } catch (err) {
    throw zlibError('gzip', err, maxOutputBytes);
  }
}

export async function gzipDecompress(data: Uint8Array, maxOutputBytes: number): Promise<Buffer> {
  try {
    return await run(zlib.gunzip as CompressFn, data, { maxOutputLength: Math.max(maxOutputBytes, 1) });
  } catch (err) {
    throw zlibError('gzip', err, maxOutputBytes);
  }
}

export function zstdCompressSync(data: Uint8Array, level?: number): Buffer {
  requireZstd();
  return zlib.zstdCompressSync(data, zstdCompressOptions(level));
}

export async function zstdCompress(data: Uint8Array, level?: number): Promise<Buffer> {
  requireZstd();
  return run(zlib.zstdCompress as CompressFn, data, zstdCompressOptions(level));
}

export function zstdDecompressSync(data: Uint8Array, maxOutputBytes: number): Buffer {
  requireZstd();
  try {
    return zlib.zstdDecompressSync(data, zstdDecompressOptions(maxOutputBytes));
  } catch (err) {
    throw zlibError('zstd', err, maxOutputBytes);
  }
}

export async function zstdDecompress(data: Uint8Array, maxOutputBytes: number): Promise<Buffer> {
  requireZstd();
  try {
    return await run(zlib.zstdDecompress as CompressFn, data, zstdDecompressOptions(maxOutputBytes));
  } catch (err) {
    throw zlibError('zstd', err, maxOutputBytes);
  }
}
