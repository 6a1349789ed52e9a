/**
 * Random and mutated bytes into every response decoder at every version: the result is a value
 * or a ProtocolError — never another exception, a hang, or an allocation sized from the input.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IMPLEMENTED_APIS } from '../../src/protocol/apis/index.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { Reader } from '../../src/protocol/reader.js';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'conformance', 'fixtures');

/** Java-built responses from the golden vectors, as seeds for mutation. */
function seeds(apiName: string): { version: number; bytes: Buffer }[] {
  const out: { version: number; bytes: Buffer }[] = [];
  if (!existsSync(FIXTURES)) return out;
  for (const file of readdirSync(FIXTURES)) {
    if (!file.endsWith('.json')) continue;
    const data = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as unknown;
    // Fixtures are { api, vectors: [...] } (golden vectors) or a bare list (older files).
    const list = Array.isArray(data) ? data : (data as { vectors?: unknown }).vectors;
    const fileApi = Array.isArray(data)
      ? ''
      : String((data as { api?: string; name?: string }).api ?? (data as { name?: string }).name ?? '');
    if (!Array.isArray(list)) continue;
    for (const e of list as {
      api?: string;
      name?: string;
      kind?: string;
      version?: number;
      hex?: string;
    }[]) {
      const api = fileApi || e.api || '';
      if (
        e.kind === 'response' &&
        typeof e.hex === 'string' &&
        typeof e.version === 'number' &&
        api === apiName
      ) {
        out.push({ version: e.version, bytes: Buffer.from(e.hex, 'hex') });
      }
    }
  }
  return out;
}

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
