/**
 * Random and mutated bytes into every response decoder at every version: the result is a value
 * or a ProtocolError — never another exception, a hang, or an allocation sized from the input.
 * decoder-fuzz-scale.test.ts runs a million frames per decoder in `npm run test:soak`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IMPLEMENTED_APIS } from '../../src/protocol/apis/index.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { Reader } from '../../src/protocol/reader.js';
import { seeds } from '../helpers/fuzz-seeds.js';

function decodeOrProtocolError(decode: (r: Reader) => unknown, bytes: Buffer): void {
  try {
    decode(new Reader(bytes));
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
  }
}

describe('response decoders under random and mutated input', () => {
  for (const api of IMPLEMENTED_APIS) {
    it(`${api.name}: random bytes give a value or a ProtocolError at every version`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: api.min, max: api.max }),
          fc.uint8Array({ maxLength: 512 }),
          (v, bytes) => {
            decodeOrProtocolError((r) => api.decodeResponse(r, v), Buffer.from(bytes));
          },
        ),
        { numRuns: 2000 },
      );
    });

    it(`${api.name}: mutated real responses give a value or a ProtocolError`, () => {
      const base = seeds(api.name);
      // Every implemented API has golden vectors: a missing seed means the loader broke.
      expect(base.length, `golden response vectors of ${api.name}`).toBeGreaterThan(0);
      fc.assert(
        fc.property(
          fc.constantFrom(...base),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
          fc.nat(),
          ({ version, bytes }, flips, cut) => {
            const b = Buffer.from(bytes);
            for (const [at, value] of flips) if (b.length > 0) b[at % b.length] = value;
            decodeOrProtocolError((r) => api.decodeResponse(r, version), b);
            decodeOrProtocolError((r) => api.decodeResponse(r, version), b.subarray(0, cut % (b.length + 1)));
          },
        ),
        { numRuns: 3000 },
      );
    });
  }

  it('an absurd array count costs no allocation', () => {
    // Metadata v1 response: brokers count 0x7fffffff with 4 bytes left.
    const bytes = Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    const metadata = IMPLEMENTED_APIS.find((a) => a.name === 'Metadata');
    const before = process.memoryUsage().arrayBuffers;
    expect(() => metadata?.decodeResponse(new Reader(bytes), 1)).toThrow(ProtocolError);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
  });
});
