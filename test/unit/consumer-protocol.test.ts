/**
 * ConsumerProtocol subscription and assignment bytes: round trips at every version, defaults for
 * fields a version lacks, newer versions read as the newest we know (Java's behaviour), and
 * decoders that give a value or a ProtocolError for any input. Byte-exactness against Java is in
 * test/conformance/golden.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConsumerProtocol,
  type ConsumerProtocolSubscription,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../src/protocol/consumer-protocol.js';
import { ProtocolError } from '../../src/protocol/errors.js';

const FULL: ConsumerProtocolSubscription = {
  topics: ['orders', 'payments'],
  userData: Buffer.from('ud'),
  ownedPartitions: [{ topic: 'orders', partitions: [0, 2] }],
  generationId: 9,
  rackId: 'rack-a',
};

describe('ConsumerProtocol subscription', () => {
  it('round-trips each version, with the fields it lacks at their defaults', () => {
    const expected = [
      { ownedPartitions: [], generationId: -1, rackId: null },
      { ownedPartitions: FULL.ownedPartitions, generationId: -1, rackId: null },
      { ownedPartitions: FULL.ownedPartitions, generationId: 9, rackId: null },
      { ownedPartitions: FULL.ownedPartitions, generationId: 9, rackId: 'rack-a' },
    ];
    for (let v = 0; v <= ConsumerProtocol.subscription.max; v++) {
      const decoded = decodeSubscription(encodeSubscription(FULL, v));
      expect(decoded).toEqual({
        version: v,
        topics: FULL.topics,
        userData: Buffer.from('ud'),
        ...expected[v],
      });
    }
  });

  it('writes the newest version by default and keeps a null user data null', () => {
    const bytes = encodeSubscription({ topics: ['t'], userData: null });
    expect(bytes.readInt16BE(0)).toBe(3);
    expect(decodeSubscription(bytes)).toMatchObject({ userData: null, generationId: -1, rackId: null });
  });

  it('reads a newer version by the fields it knows and ignores what follows', () => {
    const known = encodeSubscription(FULL, 3);
    const newer = Buffer.concat([known, Buffer.from('00000001ff', 'hex')]);
    newer.writeInt16BE(7, 0);
    expect(decodeSubscription(newer)).toEqual({ ...decodeSubscription(known), version: 7 });
  });

  it('refuses a negative version on the wire and an unknown one to write', () => {
    const bytes = encodeSubscription(FULL, 0);
    bytes.writeInt16BE(-1, 0);
    expect(() => decodeSubscription(bytes)).toThrow(ProtocolError);
    expect(() => encodeSubscription(FULL, 4)).toThrow(RangeError);
  });

  it('decodes from a Uint8Array that is not a Buffer', () => {
    const bytes = encodeSubscription(FULL);
    const copy = new Uint8Array(bytes.length + 3).subarray(3);
    copy.set(bytes);
    expect(decodeSubscription(copy).topics).toEqual(FULL.topics);
  });
});

describe('ConsumerProtocol assignment', () => {
  it('round-trips each version', () => {
    const a = {
      assignedPartitions: [{ topic: 'orders', partitions: [1, 0] }],
      userData: Buffer.from([1, 2]),
    };
    for (let v = 0; v <= ConsumerProtocol.assignment.max; v++) {
      expect(decodeAssignment(encodeAssignment(a, v))).toEqual({ version: v, ...a });
    }
  });

  it('reads an empty assignment with null user data', () => {
    expect(decodeAssignment(encodeAssignment({ assignedPartitions: [], userData: null }))).toEqual({
      version: 3,
      assignedPartitions: [],
      userData: null,
    });
  });
});

describe('ConsumerProtocol decoders under random and mutated input', () => {
  const decoders = [decodeSubscription, decodeAssignment];
  const seeds = [
    encodeSubscription(FULL, 0),
    encodeSubscription(FULL),
    encodeAssignment({ assignedPartitions: [{ topic: 'x', partitions: [1] }], userData: null }),
  ];

  function valueOrProtocolError(decode: (b: Uint8Array) => unknown, bytes: Uint8Array): void {
    try {
      decode(bytes);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
    }
  }

  it('give a value or a ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        for (const d of decoders) valueOrProtocolError(d, bytes);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (seed, flips, cut) => {
          const b = Buffer.from(seed);
          for (const [at, value] of flips) b[at % b.length] = value;
          for (const d of decoders) {
            valueOrProtocolError(d, b);
            valueOrProtocolError(d, b.subarray(0, cut % (b.length + 1)));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
