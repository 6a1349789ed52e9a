/**
 * Reader: decodes Kafka primitives from a buffer, with every length checked first.
 *
 * Invariant: no read goes past `end`, and no allocation is sized from the wire before that size
 * has been checked against the bytes left. A truncated, corrupt or absurd input is therefore a
 * `ProtocolError`, never a RangeError, a hang or a huge allocation. Strings and bytes are views
 * or decoded directly from the source buffer; nothing is copied that need not be.
 */
import { ProtocolError } from './errors.js';
import { decodeUuid } from './uuid.js';
import type { TaggedField } from './writer.js';

/**
 * Reads Kafka's primitive types (fixed-width integers, varints, classic and compact strings,
 * bytes and arrays, UUIDs, tagged fields) from a buffer. Every length is checked before it is
 * used: bad input throws `ProtocolError`.
 */
export class Reader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless `n` more bytes can be read. */
  need(n: number): void {
    if (n > this.end - this.pos) {
      throw new ProtocolError(
        `Truncated input: need ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`,
      );
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Unsigned varint of at most 5 bytes (32 bits). */
  uvarint(): number {
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (p >= end) throw new ProtocolError(`Truncated varint at offset ${this.pos}`);
      const byte = b[p++];
      if (shift === 28) {
        if (byte > 0x0f) throw new ProtocolError(`Varint longer than 32 bits at offset ${this.pos}`);
        result += byte * 0x10000000;
        break;
      }
      result |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
      shift += 7;
    }
    this.pos = p;
    return result >>> 0;
  }

  /** Signed zigzag varint (32 bits). */
  varint(): number {
    const z = this.uvarint();
    return (z >>> 1) ^ -(z & 1);
  }

  /**
   * Signed zigzag varlong as a number. Exact for |v| < 2^52 (record deltas, timestamps);
   * larger values throw, use `varlongBig` where the full 64-bit range matters.
   */
  varlong(): number {
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    let z = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (p >= end) throw new ProtocolError(`Truncated varlong at offset ${this.pos}`);
      if (i === 8) throw new ProtocolError(`Varlong beyond 2^53 at offset ${this.pos}`);
      const byte = b[p++];
      z += (byte & 0x7f) * mul;
      if (byte < 0x80) break;
      mul *= 0x80;
    }
    if (z > Number.MAX_SAFE_INTEGER) throw new ProtocolError(`Varlong beyond 2^52 at offset ${this.pos}`);
    this.pos = p;
    // undo zigzag on a double: even z -> z/2, odd z -> -(z+1)/2
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  varlongBig(): bigint {
    const b = this.buf;
    let p = this.pos;
    let z = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (p >= this.end) throw new ProtocolError(`Truncated varlong at offset ${this.pos}`);
      if (i === 10) throw new ProtocolError(`Varlong longer than 64 bits at offset ${this.pos}`);
      const byte = b[p++];
      z |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) break;
      shift += 7n;
    }
    this.pos = p;
    return BigInt.asIntN(64, (z >> 1n) ^ -(z & 1n));
  }

  uuid(): string {
    this.need(16);
    const v = decodeUuid(this.buf, this.pos);
    this.pos += 16;
    return v;
  }

  /**
   * Array length: int32 (classic, -1 null) or uvarint(n+1) (compact, 0 null). Each element takes
   * at least `minElementSize` bytes, so a count larger than the bytes left can hold is refused
   * before anything is allocated for it.
   */
  arrayLength(compact: boolean, minElementSize = 1): number | null {
    const at = this.pos;
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < 0) {
      if (n === -1) return null;
      throw new ProtocolError(`Invalid array length ${n} at offset ${at}`);
    }
    if (n * minElementSize > this.end - this.pos) {
      throw new ProtocolError(
        `Array of ${n} elements at offset ${at} exceeds the ${this.remaining} bytes left`,
      );
    }
    return n;
  }

  /** A non-null array: null is a protocol error. */
  array<T>(compact: boolean, readElement: (r: Reader) => T, minElementSize = 1): T[] {
    const n = this.arrayLength(compact, minElementSize);
    if (n === null) throw new ProtocolError(`Unexpected null array at offset ${this.pos}`);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = readElement(this);
    return out;
  }

  nullableArray<T>(compact: boolean, readElement: (r: Reader) => T, minElementSize = 1): T[] | null {
    const n = this.arrayLength(compact, minElementSize);
    if (n === null) return null;
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = readElement(this);
    return out;
  }

  private stringLength(compact: boolean): number {
    const at = this.pos;
    const n = compact ? this.uvarint() - 1 : this.int16();
    if (n < -1) throw new ProtocolError(`Invalid string length ${n} at offset ${at}`);
    if (n > this.end - this.pos) {
      throw new ProtocolError(
        `String of ${n} bytes at offset ${at} exceeds the ${this.remaining} bytes left`,
      );
    }
    return n;
  }

  nullableString(compact: boolean): string | null {
    const n = this.stringLength(compact);
    if (n === -1) return null;
    const v = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  string(compact: boolean): string {
    const at = this.pos;
    const v = this.nullableString(compact);
    if (v === null) throw new ProtocolError(`Unexpected null string at offset ${at}`);
    return v;
  }

  /** Nullable bytes as a view into the source buffer (no copy). */
  nullableBytes(compact: boolean): Buffer | null {
    const at = this.pos;
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < -1) throw new ProtocolError(`Invalid bytes length ${n} at offset ${at}`);
    if (n === -1) return null;
    return this.raw(n);
  }

  bytes(compact: boolean): Buffer {
    const at = this.pos;
    const v = this.nullableBytes(compact);
    if (v === null) throw new ProtocolError(`Unexpected null bytes at offset ${at}`);
    return v;
  }

  /** `n` bytes as a view into the source buffer. */
  raw(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /**
   * A tagged-field section. `onTag` reads the fields this version knows (and returns true);
   * unknown tags are kept as raw bytes and returned, so they can be written back unchanged.
   */
  taggedFields(onTag?: (tag: number, r: Reader, size: number) => boolean): TaggedField[] | undefined {
    const count = this.uvarint();
    if (count > this.remaining) throw new ProtocolError(`Tagged-field count ${count} exceeds the bytes left`);
    let unknown: TaggedField[] | undefined;
    let lastTag = -1;
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      if (tag <= lastTag) throw new ProtocolError(`Tagged fields out of order: tag ${tag} after ${lastTag}`);
      lastTag = tag;
      const size = this.uvarint();
      this.need(size);
      const end = this.pos + size;
      if (onTag) {
        const sub = new Reader(this.buf, this.pos, end);
        if (onTag(tag, sub, size)) {
          this.pos = end;
          continue;
        }
      }
      if (!unknown) unknown = [];
      unknown.push({ tag, data: this.raw(size) });
    }
    return unknown;
  }
}
