/**
 * A test API for Connection tests against the fake broker: key 3 (Metadata's, so the fake
 * broker's version table has it), request and response bodies one int32, flexible from v9.
 */
import type { ApiDescriptor } from '../../src/protocol/api.js';

export const Echo: ApiDescriptor<{ value: number }, { value: number }> = {
  key: 3,
  name: 'Echo',
  min: 0,
  max: 12,
  flexibleFrom: 9,
  encodeRequest(w, _v, m) {
    w.int32(m.value);
  },
  decodeResponse(r) {
    return { value: r.int32() };
  },
};

/** A 4-byte big-endian int32. */
export function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}
