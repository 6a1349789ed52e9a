import { describe, expect, it } from 'vitest';
import {
  Accumulator,
  type RecordMetadata,
  type RecordSink,
  rewritable,
} from '../../src/producer/accumulator.js';
import { BufferPool } from '../../src/producer/buffer-pool.js';
import { RecordSlots } from '../../src/producer/record-slots.js';
import { sizeOfRecordPayload } from '../../src/protocol/records/layout.js';
import { setProducerState } from '../../src/protocol/records/record-batch-builder.js';

const size = (k: Buffer | null, v: Buffer) => sizeOfRecordPayload(k, v, null);

/** A sink that records what reached it. */
function sink(): RecordSink & { got: [number, RecordMetadata | Error][] } {
  const got: [number, RecordMetadata | Error][] = [];
  return {
    got,
    resolve: (i, md) => got.push([i, md]),
    reject: (i, err) => got.push([i, err]),
  };
}

describe('RecordSlots', () => {
  it('keeps every record in order past its first capacity', () => {
    const slots = new RecordSlots(4);
    const sinks = Array.from({ length: 10 }, sink);
    for (let i = 0; i < 10; i++) slots.push(1_700_000_000_000 + i, i - 1, 100 + i, sinks[i], i * 2);
    expect(slots.count).toBe(10);
    expect(slots.capacity).toBeGreaterThanOrEqual(10);
    for (let i = 0; i < 10; i++) {
      expect(slots.timestamps[i]).toBe(1_700_000_000_000 + i);
      expect(slots.keySizes[i]).toBe(i - 1);
      expect(slots.valueSizes[i]).toBe(100 + i);
      expect(slots.sink(i)).toBe(sinks[i]);
      expect(slots.sinkIndexes[i]).toBe(i * 2);
    }
  });

  it('clear() drops the sinks and keeps the capacity', () => {
    const slots = new RecordSlots(2);
    for (let i = 0; i < 100; i++) slots.push(i, 0, 0, sink(), 0);
    const capacity = slots.capacity;
    slots.clear();
    expect(slots.count).toBe(0);
    expect(slots.capacity).toBe(capacity);
    expect(slots.sinks.every((s) => s === null)).toBe(true);
  });

  it('a zero-capacity RecordSlots grows on its first push', () => {
    const slots = new RecordSlots(0);
    slots.push(5, 1, 2, sink(), 3);
    expect(slots.count).toBe(1);
    expect(slots.timestamps[0]).toBe(5);
  });
});

describe('Accumulator: record slots reused from batch to batch', () => {
  it('a released batch hands its slots to the next batch, which holds only its own records', () => {
    const pool = new BufferPool(1 << 20, 16384);
    const acc = new Accumulator({ batchSize: 16384, compression: 0 }, pool);
    const q = acc.queue('t', 0);
    const first = sink();
    pool.tryReserve(16384);
    const a = acc.appendToNewBatch(
      q,
      16384,
      false,
      0,
      10,
      null,
      Buffer.from('a'),
      null,
      first,
      0,
      size(null, Buffer.from('a')),
    );
    acc.tryAppend(q, 11, null, Buffer.from('bb'), null, first, 1, size(null, Buffer.from('bb')));
    const slotsOfA = a.slots;
    expect(slotsOfA.count).toBe(2);
    acc.finish(a);
    q.batches.shift();
    acc.release(a);
    // Released: the batch keeps no slots (so nothing can settle its records again), and the
    // slots hold no sink.
    expect(a.slots).not.toBe(slotsOfA);
    expect(a.slots.count).toBe(0);
    expect(slotsOfA.sinks.every((s) => s === null)).toBe(true);

    const second = sink();
    pool.tryReserve(16384);
    const b = acc.appendToNewBatch(
      q,
      16384,
      false,
      0,
      20,
      Buffer.from('k'),
      Buffer.from('ccc'),
      null,
      second,
      7,
      size(Buffer.from('k'), Buffer.from('ccc')),
    );
    expect(b.slots).toBe(slotsOfA);
    expect(b.slots.count).toBe(1);
    expect([b.slots.timestamps[0], b.slots.keySizes[0], b.slots.valueSizes[0]]).toEqual([20, 1, 3]);
    expect(b.slots.sink(0)).toBe(second);
    expect(b.slots.sinkIndexes[0]).toBe(7);
  });
});

describe('rewritable: a batch buffer a request may still be writing is rewritten as a copy', () => {
  it('rewrites in place before the first send, and a copy after it', () => {
    const pool = new BufferPool(1 << 20, 16384);
    const acc = new Accumulator({ batchSize: 16384, compression: 0 }, pool);
    const q = acc.queue('t', 0);
    pool.tryReserve(16384);
    const v = Buffer.alloc(2000, 1);
    const b = acc.appendToNewBatch(q, 16384, false, 0, 1, null, v, null, sink(), 0, size(null, v));
    const first = acc.finish(b);
    expect(rewritable(b)).toBe(first);
    b.bufferShared = true; // what the sender sets when the batch goes into a request
    const inFlight = Buffer.from(first);
    const copy = rewritable(b);
    expect(copy).not.toBe(first);
    expect(b.buffer).toBe(copy);
    setProducerState(copy, { producerId: 5n, producerEpoch: 1, baseSequence: 9 });
    // The bytes the connection may still be writing did not change.
    expect(first.equals(inFlight)).toBe(true);
    expect(copy.equals(inFlight)).toBe(false);
    expect(rewritable(b)).toBe(copy);
  });
});
