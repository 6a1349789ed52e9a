/**
 * Writer: encodes Kafka primitives into one growable buffer.
 *
 * Invariants: `pos` is the number of bytes written; the backing buffer grows by doubling and is
 * never shrunk, so a Writer reused across requests stops allocating once it has seen the largest
 * one. Slots whose value is known only later (sizes, CRCs) are reserved with `skip` and filled
 * with the `set*` methods.
 *
 * A Writer whose output goes to a socket (a connection's) may keep large byte fields by
 * reference (`keepsReferences`, `sharedBytes`): they are not copied into the buffer but listed,
 * and `toChunks()` returns the frame as the buffer's pieces with those fields in between, for
 * one corked write. `pos` then counts the buffer's bytes only; `length` counts all.
 */
import { encodeUuid } from './uuid.js';

const EMPTY = Buffer.alloc(0);

/** Fields from this size on are kept by reference by a Writer that keeps references. */
export const SHARED_MIN_BYTES = 1024;

/**
 * Writes Kafka's primitive types into one growable buffer; `toBuffer()` returns the bytes
 * written. Reuse one Writer across requests: it stops allocating once it has grown.
 */
export class Writer {
  buf: Buffer;
  pos = 0;
  /** Set on a Writer read with `toChunks()`: `sharedBytes` keeps large fields by reference. */
  keepsReferences = false;
  /** Fields kept by reference, and the buffer position each goes before. */
  private readonly shared: Uint8Array[] = [];
  private readonly sharedAt: number[] = [];
  private sharedLength = 0;

  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Forget what was written; keep the memory. */
  reset(): this {
    this.pos = 0;
    if (this.shared.length > 0) {
      this.shared.length = 0;
      this.sharedAt.length = 0;
      this.sharedLength = 0;
    }
    return this;
  }

  /** Bytes written, those kept by reference included. */
  get length(): number {
    return this.pos + this.sharedLength;
  }

  /** Make room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2 || 64;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Reserve `n` bytes to fill later; returns their offset. */
  skip(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** A view of the bytes written so far (valid until the next write or reset). */
  view(): Buffer {
    if (this.shared.length > 0) return this.toBuffer();
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the bytes written so far. */
  toBuffer(): Buffer {
    if (this.shared.length === 0) return Buffer.from(this.buf.subarray(0, this.pos));
    return Buffer.concat(this.toChunks(), this.length);
  }

  /**
   * The bytes written as chunks, in order: copies of the buffer's pieces and, between them, the
   * fields kept by reference (not copied: they must not change until the chunks are written).
   */
  toChunks(): Buffer[] {
    const chunks: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < this.shared.length; i++) {
      const at = this.sharedAt[i];
      if (at > from) chunks.push(Buffer.from(this.buf.subarray(from, at)));
      const v = this.shared[i];
      chunks.push(Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      from = at;
    }
    if (this.pos > from) chunks.push(Buffer.from(this.buf.subarray(from, this.pos)));
    return chunks;
  }

  /**
   * `nullableBytes` for a field the caller will not change until the frame is written (a
   * produced RecordBatch): a Writer that keeps references lists a large one instead of copying it.
   */
  sharedBytes(v: Uint8Array | null | undefined, compact: boolean): this {
    if (!this.keepsReferences || v === null || v === undefined || v.length < SHARED_MIN_BYTES) {
      return this.nullableBytes(v, compact);
    }
    if (compact) this.uvarint(v.length + 1);
    else this.int32(v.length);
    this.shared.push(v);
    this.sharedAt.push(this.pos);
    this.sharedLength += v.length;
    return this;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  boolean(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  setInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }

  setUInt32(at: number, v: number): void {
    this.buf.writeUInt32BE(v, at);
  }

  /** Unsigned varint (up to 32 bits), as used for compact lengths and tags. */
  uvarint(v: number): this {
    this.ensure(5);
    const b = this.buf;
    let p = this.pos;
    v >>>= 0;
    while (v > 0x7f) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
    return this;
  }

  /** Signed zigzag varint of a 32-bit value. */
  varint(v: number): this {
    return this.uvarint((v << 1) ^ (v >> 31));
  }

  /**
   * Signed zigzag varlong of a value whose zigzag form fits a double exactly (|v| < 2^52): record
   * deltas and timestamps. Plain numbers, no bigint, because this runs once per record.
   */
  varlong(v: number): this {
    if (v >= -0x40000000 && v < 0x40000000) return this.varint(v);
    this.ensure(10);
    // zigzag on a double: non-negative v maps to 2v, negative to -2v-1.
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    const b = this.buf;
    let p = this.pos;
    while (z >= 0x80) {
      b[p++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
    b[p++] = z;
    this.pos = p;
    return this;
  }

  /** Signed zigzag varlong of a full 64-bit value. */
  varlongBig(v: bigint): this {
    this.ensure(10);
    let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    const b = this.buf;
    let p = this.pos;
    while (z >= 0x80n) {
      b[p++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    b[p++] = Number(z);
    this.pos = p;
    return this;
  }

  uuid(v: string): this {
    this.ensure(16);
    encodeUuid(v, this.buf, this.pos);
    this.pos += 16;
    return this;
  }

  /** Length prefix of an array: int32 (classic) or uvarint(n+1) (compact); -1/0 for null. */
  arrayLength(n: number | null, compact: boolean): this {
    if (compact) return this.uvarint(n === null ? 0 : n + 1);
    return this.int32(n === null ? -1 : n);
  }

  /** A non-null string: int16 length (classic) or uvarint(len+1) (compact), then UTF-8. */
  string(v: string, compact: boolean): this {
    const len = Buffer.byteLength(v, 'utf8');
    if (compact) this.uvarint(len + 1);
    else this.int16(len);
    this.ensure(len);
    this.pos += this.buf.write(v, this.pos, len, 'utf8');
    return this;
  }

  nullableString(v: string | null | undefined, compact: boolean): this {
    if (v === null || v === undefined) {
      if (compact) return this.uvarint(0);
      return this.int16(-1);
    }
    return this.string(v, compact);
  }

  /** Bytes: int32 length (classic) or uvarint(len+1) (compact). */
  bytes(v: Uint8Array, compact: boolean): this {
    if (compact) this.uvarint(v.length + 1);
    else this.int32(v.length);
    return this.raw(v);
  }

  nullableBytes(v: Uint8Array | null | undefined, compact: boolean): this {
    if (v === null || v === undefined) {
      if (compact) return this.uvarint(0);
      return this.int32(-1);
    }
    return this.bytes(v, compact);
  }

  /** Bytes with no length prefix. */
  raw(v: Uint8Array): this {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  /** An empty tagged-field section (flexible versions). */
  emptyTaggedFields(): this {
    return this.uvarint(0);
  }

  /**
   * A tagged-field section. `fields` are written in ascending tag order, each as
   * tag, size, bytes. Unknown fields read by a Reader can be passed back unchanged.
   */
  taggedFields(fields: readonly TaggedField[] | undefined): this {
    if (!fields || fields.length === 0) return this.uvarint(0);
    const sorted = fields.length > 1 ? [...fields].sort((a, b) => a.tag - b.tag) : fields;
    this.uvarint(sorted.length);
    for (const f of sorted) {
      this.uvarint(f.tag);
      this.uvarint(f.data.length);
      this.raw(f.data);
    }
    return this;
  }
}

/** A tagged field kept as raw bytes (one the decoder does not know, or one encoded ahead). */
export interface TaggedField {
  tag: number;
  data: Uint8Array;
}

export { EMPTY as EMPTY_BUFFER };
