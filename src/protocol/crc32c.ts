/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum of RecordBatch v2.
 *
 * Two implementations with one answer: a slice-by-16 table in JS, and `@node-rs/crc32` (SSE4.2 /
 * ARMv8 CRC instructions, prebuilt napi-rs binaries from the npm registry) when it loads. The
 * native call costs ~200 ns of N-API overhead, so short inputs stay in JS; measured on a 2-core
 * x64 box: JS ~1 GB/s at every size, native ~4 GB/s from 4 KiB up and slower than JS below
 * ~256 bytes. `bench/micro/records.bench.ts` re-measures both.
 *
 * Invariant: `crc32c` returns the same unsigned 32-bit value whichever path runs; a missing or
 * broken native package only costs speed.
 */
import { createRequire } from 'node:module';

/** Inputs shorter than this are checksummed in JS, where the N-API call would cost more. */
export const CRC32C_NATIVE_THRESHOLD = 256;

interface NativeCrc32 {
  crc32c(input: Uint8Array, initialState?: number | null): number;
}

let native: NativeCrc32 | null = null;
try {
  const mod = createRequire(import.meta.url)('@node-rs/crc32') as NativeCrc32;
  // Refuse a binary that loads but answers wrongly ("123456789" is the standard check value).
  if (mod.crc32c(Buffer.from('123456789', 'latin1')) >>> 0 === 0xe3069283) native = mod;
} catch {
  native = null;
}

/** True when the native implementation loaded (and passed its self-check). */
export const crc32cNativeAvailable: boolean = native !== null;

function makeTables(): Int32Array[] {
  const tables: Int32Array[] = [];
  const t0 = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t0[i] = c;
  }
  tables.push(t0);
  for (let j = 1; j < 16; j++) {
    const prev = tables[j - 1];
    const t = new Int32Array(256);
    for (let i = 0; i < 256; i++) t[i] = (prev[i] >>> 8) ^ t0[prev[i] & 0xff];
    tables.push(t);
  }
  return tables;
}

// Sixteen separate tables rather than one with offsets: measured a little faster in V8.
const [T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15] = makeTables();

/** CRC-32C in JS (slice-by-16). Exported for tests and benchmarks; use `crc32c`. */
export function crc32cJs(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = -1;
  let i = start;
  const end16 = start + ((end - start) & ~15);
  for (; i < end16; i += 16) {
    c ^= buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
    c =
      T15[c & 0xff] ^
      T14[(c >>> 8) & 0xff] ^
      T13[(c >>> 16) & 0xff] ^
      T12[c >>> 24] ^
      T11[buf[i + 4]] ^
      T10[buf[i + 5]] ^
      T9[buf[i + 6]] ^
      T8[buf[i + 7]] ^
      T7[buf[i + 8]] ^
      T6[buf[i + 9]] ^
      T5[buf[i + 10]] ^
      T4[buf[i + 11]] ^
      T3[buf[i + 12]] ^
      T2[buf[i + 13]] ^
      T1[buf[i + 14]] ^
      T0[buf[i + 15]];
  }
  for (; i < end; i++) c = T0[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32C through the native package, or null when it did not load. For tests and benchmarks. */
export const crc32cNative: ((buf: Uint8Array, start?: number, end?: number) => number) | null = native
  ? (buf, start = 0, end = buf.length) => nativeRange(buf, start, end)
  : null;

function nativeRange(buf: Uint8Array, start: number, end: number): number {
  const view =
    start === 0 && end === buf.length ? buf : new Uint8Array(buf.buffer, buf.byteOffset + start, end - start);
  return native!.crc32c(view) >>> 0;
}

/**
 * CRC-32C of `buf[start, end)` as an unsigned 32-bit number, e.g. 0xE3069283 for "123456789".
 * Uses the native package for inputs of `CRC32C_NATIVE_THRESHOLD` bytes and more when it loaded.
 */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  if (native !== null && end - start >= CRC32C_NATIVE_THRESHOLD) return nativeRange(buf, start, end);
  return crc32cJs(buf, start, end);
}
