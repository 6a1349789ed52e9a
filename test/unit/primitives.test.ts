import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/protocol/errors.js';
import { Reader } from '../../src/protocol/reader.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import { SHARED_MIN_BYTES, Writer } from '../../src/protocol/writer.js';

const hex = (w: Writer) => w.view().toString('hex');

describe('Writer and Reader', () => {
  it('encodes fixed-width integers big-endian', () => {
    const w = new Writer(1);
    w.int8(-1).int16(0x1234).int32(-2).uint32(0xffffffff).int64(-3n).uint16(65535).float64(1.5);
    expect(hex(w)).toBe('ff1234fffffffeffffffff' + 'fffffffffffffffd' + 'ffff' + '3ff8000000000000');
    const r = new Reader(w.toBuffer());
    expect([r.int8(), r.int16(), r.int32(), r.uint32(), r.int64(), r.uint16(), r.float64()]).toEqual([
      -1,
      0x1234,
      -2,
      0xffffffff,
      -3n,
      65535,
      1.5,
    ]);
    expect(r.remaining).toBe(0);
  });

  it('encodes varints as the spec examples (zigzag)', () => {
    const w = new Writer();
    w.varint(0).varint(-1).varint(1).varint(-2).varint(2147483647).varint(-2147483648);
    expect(hex(w)).toBe('00' + '01' + '02' + '03' + 'feffffff0f' + 'ffffffff0f');
    w.reset().uvarint(300);
    expect(hex(w)).toBe('ac02');
  });

  it('round-trips varints, varlongs and unsigned varints', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), fc.nat(), (v, u) => {
        const w = new Writer(2).varint(v).uvarint(u >>> 0);
        const r = new Reader(w.toBuffer());
        expect(r.varint()).toBe(v);
        expect(r.uvarint()).toBe(u >>> 0);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52) + 1, max: 2 ** 52 - 1 }), (v) => {
        const w = new Writer(2).varlong(v);
        const big = new Writer(2).varlongBig(BigInt(v));
        expect(w.view().equals(big.view())).toBe(true);
        expect(new Reader(w.toBuffer()).varlong()).toBe(v);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        expect(new Reader(new Writer(2).varlongBig(v).toBuffer()).varlongBig()).toBe(v);
      }),
    );
  });

  it('encodes classic and compact strings, nullable strings and bytes', () => {
    const w = new Writer();
    w.string('kafka', false).string('kafka', true).nullableString(null, false).nullableString(null, true);
    w.bytes(Buffer.from([1, 2]), false)
      .bytes(Buffer.from([1, 2]), true)
      .nullableBytes(null, false)
      .nullableBytes(null, true);
    expect(hex(w)).toBe(
      '00056b61666b61' + '066b61666b61' + 'ffff' + '00' + '000000020102' + '030102' + 'ffffffff' + '00',
    );
    const r = new Reader(w.toBuffer());
    expect(r.string(false)).toBe('kafka');
    expect(r.string(true)).toBe('kafka');
    expect(r.nullableString(false)).toBeNull();
    expect(r.nullableString(true)).toBeNull();
    expect([...r.bytes(false)]).toEqual([1, 2]);
    expect([...r.bytes(true)]).toEqual([1, 2]);
    expect(r.nullableBytes(false)).toBeNull();
    expect(r.nullableBytes(true)).toBeNull();
  });

  it('counts string lengths in UTF-8 bytes', () => {
    const w = new Writer().string('héllo ✓', true);
    const r = new Reader(w.toBuffer());
    expect(r.uvarint() - 1).toBe(Buffer.byteLength('héllo ✓'));
    expect(new Reader(w.toBuffer()).string(true)).toBe('héllo ✓');
  });

  it('round-trips UUIDs in base64url form', () => {
    const id = Buffer.from('00112233445566778899aabbccddeeff', 'hex').toString('base64url');
    const w = new Writer().uuid(id).uuid(ZERO_UUID);
    expect(hex(w)).toBe('00112233445566778899aabbccddeeff' + '00'.repeat(16));
    const r = new Reader(w.toBuffer());
    expect(r.uuid()).toBe(id);
    expect(r.uuid()).toBe(ZERO_UUID);
  });

  it('writes tagged fields in tag order and keeps unknown ones on read', () => {
    const w = new Writer().taggedFields([
      { tag: 5, data: Buffer.from([9]) },
      { tag: 1, data: Buffer.from([7, 8]) },
    ]);
    expect(hex(w)).toBe('02' + '01020708' + '050109');
    let seen = 0;
    const unknown = new Reader(w.toBuffer()).taggedFields((tag, r) => {
      if (tag !== 1) return false;
      seen = r.int16();
      return true;
    });
    expect(seen).toBe(0x0708);
    expect(unknown?.map((f) => [f.tag, [...f.data]])).toEqual([[5, [9]]]);
  });

  it('fills reserved slots afterwards', () => {
    const w = new Writer(4);
    const at = w.skip(4);
    w.string('abc', false);
    w.setInt32(at, w.pos - 4);
    expect(hex(w)).toBe('00000005' + '0003616263');
  });

  it('grows its buffer and keeps earlier bytes', () => {
    const w = new Writer(1);
    for (let i = 0; i < 10_000; i++) w.int32(i);
    const r = new Reader(w.toBuffer());
    for (let i = 0; i < 10_000; i++) expect(r.int32()).toBe(i);
  });
});

describe('Writer: fields kept by reference', () => {
  const big = Buffer.alloc(SHARED_MIN_BYTES + 10, 7);

  it('lists a large field instead of copying it, and toChunks() gives the same bytes in order', () => {
    for (const compact of [false, true]) {
      const copied = new Writer(16).int32(1).nullableBytes(big, compact).int16(2).nullableBytes(big, compact);
      const w = new Writer(16);
      w.keepsReferences = true;
      w.int32(1).sharedBytes(big, compact).int16(2).sharedBytes(big, compact);
      expect(w.length).toBe(copied.pos);
      expect(w.pos).toBe(copied.pos - 2 * big.length);
      const chunks = w.toChunks();
      expect(chunks.filter((c) => c === big)).toHaveLength(2);
      expect(Buffer.concat(chunks).equals(copied.view())).toBe(true);
      expect(w.toBuffer().equals(copied.view())).toBe(true);
    }
  });

  it('copies small fields, and every field when it does not keep references', () => {
    const w = new Writer(16);
    w.keepsReferences = true;
    w.sharedBytes(Buffer.from('small'), false).sharedBytes(null, true);
    expect(w.length).toBe(w.pos);
    const plain = new Writer(16).sharedBytes(big, false);
    expect(plain.length).toBe(plain.pos);
    expect(plain.pos).toBe(4 + big.length);
  });

  it('forgets the listed fields on reset()', () => {
    const w = new Writer(16);
    w.keepsReferences = true;
    w.sharedBytes(big, false);
    w.reset().int8(3);
    expect(w.length).toBe(1);
    expect(w.toChunks()).toEqual([Buffer.from([3])]);
  });
});

describe('Reader bounds', () => {
  const truncations: [string, Buffer, (r: Reader) => unknown][] = [
    ['int32 with 3 bytes', Buffer.from([0, 0, 0]), (r) => r.int32()],
    ['int64 with 7 bytes', Buffer.alloc(7), (r) => r.int64()],
    ['varint without its last byte', Buffer.from([0x80]), (r) => r.varint()],
    ['varint of 6 bytes', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), (r) => r.uvarint()],
    ['varlong of 11 bytes', Buffer.alloc(11, 0xff), (r) => r.varlongBig()],
    ['string longer than the bytes left', Buffer.from([0x00, 0x05, 0x61]), (r) => r.string(false)],
    ['compact string longer than the bytes left', Buffer.from([0x06, 0x61]), (r) => r.string(true)],
    ['string of negative length', Buffer.from([0xff, 0xfe]), (r) => r.nullableString(false)],
    ['null where a string is required', Buffer.from([0xff, 0xff]), (r) => r.string(false)],
    ['bytes of 2 GB', Buffer.from([0x7f, 0xff, 0xff, 0xff]), (r) => r.bytes(false)],
    [
      'array of 2 billion elements',
      Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0]),
      (r) => r.array(false, (x) => x.int8()),
    ],
    [
      'array of negative length',
      Buffer.from([0xff, 0xff, 0xff, 0xfe]),
      (r) => r.array(false, (x) => x.int8()),
    ],
    [
      'compact array larger than the bytes left',
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]),
      (r) => r.array(true, (x) => x.int8()),
    ],
    ['uuid with 15 bytes', Buffer.alloc(15), (r) => r.uuid()],
    ['tagged fields out of order', Buffer.from([2, 3, 0, 1, 0]), (r) => r.taggedFields()],
    ['tagged field longer than the bytes left', Buffer.from([1, 0, 9, 1]), (r) => r.taggedFields()],
  ];
  for (const [name, bytes, read] of truncations) {
    it(`refuses a ${name} with a ProtocolError`, () => {
      expect(() => read(new Reader(bytes))).toThrow(ProtocolError);
    });
  }

  it('never reads past the end it was given', () => {
    const buf = Buffer.from([0, 0, 0, 1, 0, 0, 0, 2]);
    const r = new Reader(buf, 0, 4);
    expect(r.int32()).toBe(1);
    expect(() => r.int32()).toThrow(ProtocolError);
  });

  it('returns views for bytes, not copies', () => {
    const buf = Buffer.from([0, 0, 0, 2, 7, 8]);
    const v = new Reader(buf).bytes(false);
    buf[4] = 9;
    expect(v[0]).toBe(9);
  });
});
