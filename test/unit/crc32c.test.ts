import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CRC32C_NATIVE_THRESHOLD,
  crc32c,
  crc32cJs,
  crc32cNative,
  crc32cNativeAvailable,
} from '../../src/protocol/crc32c.js';

// RFC 3720 (iSCSI) appendix B.4 test vectors, plus the standard check value.
const rfc3720: [string, Buffer, number][] = [
  ['32 bytes of zeros', Buffer.alloc(32, 0x00), 0x8a9136aa],
  ['32 bytes of 0xff', Buffer.alloc(32, 0xff), 0x62a8ab43],
  ['32 incrementing bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
  ['32 decrementing bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
  [
    'an iSCSI SCSI Read (10) command PDU',
    Buffer.from(
      '01c00000000000000000000000000000' +
        '14000000000004000000001400000018' +
        '28000000000000000200000000000000',
      'hex',
    ),
    0xd9963a56,
  ],
  ['"123456789"', Buffer.from('123456789'), 0xe3069283],
  ['the empty input', Buffer.alloc(0), 0],
];

describe('crc32c', () => {
  for (const [name, input, expected] of rfc3720) {
    it(`computes the RFC 3720 value of ${name}`, () => {
      expect(crc32c(input)).toBe(expected);
      expect(crc32cJs(input)).toBe(expected);
      if (crc32cNative) expect(crc32cNative(input)).toBe(expected);
    });
  }

  it('loads the native implementation on this platform', () => {
    // A CI platform without @node-rs/crc32 would still be correct, only slower; this documents
    // that the fast path is the one being tested here.
    expect(crc32cNativeAvailable).toBe(true);
  });

  it('checksums a sub-range as if it were its own buffer, on both sides of the native threshold', () => {
    const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) & 0xff));
    for (const [start, end] of [
      [0, 0],
      [3, 10],
      [5, 5 + CRC32C_NATIVE_THRESHOLD - 1],
      [5, 5 + CRC32C_NATIVE_THRESHOLD],
      [17, 4000],
    ]) {
      const copy = Buffer.from(data.subarray(start, end));
      expect(crc32c(data, start, end)).toBe(crc32cJs(copy));
      expect(crc32cJs(data, start, end)).toBe(crc32cJs(copy));
    }
  });

  it('agrees between JS and native on random inputs and ranges', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % bytes.length;
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        const js = crc32cJs(bytes, start, end);
        expect(crc32c(bytes, start, end)).toBe(js);
        if (crc32cNative) expect(crc32cNative(bytes, start, end)).toBe(js);
        expect(js).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('returns unsigned values', () => {
    expect(crc32c(Buffer.alloc(32, 0x00))).toBeGreaterThan(0x7fffffff);
  });
});
