/**
 * The fetch buffer's way out (Java: `FetchBuffer` + `FetchCollector`): what a poll takes from the
 * batches fetched ahead, round-robin over partitions, up to maxPollRecords, and the errors a
 * partition reports.
 *
 * Invariants:
 * - A partition's records leave in offset order; its position moves past what left.
 * - An error comes after the records buffered before it: a poll that has records returns them
 *   and leaves the error for the next one; a poll with none throws it, once (a cursor's `stuck`
 *   error, a log truncation under autoOffsetReset 'none', at every poll until a seek).
 * - A corrupt batch drops what is buffered behind it and is fetched again from the position, so
 *   its error repeats until the application seeks past it (Java's behaviour too).
 * - Every error names the partition.
 * - A record a deserializer refuses stops its partition there: the records before it leave, the
 *   position goes back to it, and each poll reports the DeserializationError until a seek.
 */
import { CodecUnavailableError, DeserializationError, ProtocolError } from '../protocol/errors.js';
import type { DecodedRecord } from '../protocol/records/layout.js';
import type { Cursor } from './cursor.js';
import type { Taken } from './delivery.js';
import type { Deserializer } from './deserializers.js';
import type { SubscriptionState } from './subscription-state.js';

/**
 * Hands out buffered records, up to `maxRecords`. `tracked`: the records do not count as
 * processed yet (run() and the iterator say when, delivery.ts); poll() counts them at once.
 */
export function takeRecords(
  state: SubscriptionState,
  maxRecords: number,
  tracked: boolean,
  consumed: (records: number) => void,
  deserializers: Deserializers | null = null,
): Taken[] {
  const out: Taken[] = [];
  let budget = maxRecords;
  const order = state.order;
  const n = order.length;
  /** Where the last records handed out came from: the next poll starts after it. */
  let last = -1;
  for (let i = 0; i < n && budget > 0; i++) {
    const at = (state.nextCursor + i) % n;
    const c = order[at];
    // An error comes from a fetch after the records buffered: those are handed out first.
    if (c.error && (c.paused || !c.hasBuffered)) {
      const err = c.error;
      c.error = c.stuck; // a stuck error stays for the next poll too, until a seek
      if (out.length === 0) throw err;
      c.error = err; // deliver what we have first, the error next poll
      break;
    }
    // A partition whose new leader may have truncated what is buffered: not until it is checked.
    if (c.paused || c.held || c.validating || !c.hasBuffered) continue;
    let records: DecodedRecord[] = [];
    let failure: unknown = null;
    /** The record a deserializer refused: the position goes back to it. */
    let refused: bigint | null = null;
    while (budget > 0) {
      if (c.bufferedIndex >= c.buffered.length) {
        try {
          if (!c.decodeNext(state.memory)) break;
        } catch (err) {
          failure = err;
          break;
        }
      }
      const batch = c.buffered;
      const from = c.bufferedIndex;
      let end = Math.min(batch.length, from + budget);
      if (deserializers) {
        const stop = deserialize(c, batch, from, end, deserializers);
        if (stop.error) {
          end = stop.at;
          failure = stop.error;
          refused = batch[stop.at].offset;
        }
      }
      if (records.length === 0 && from === 0 && end === batch.length) records = batch;
      else for (let r = from; r < end; r++) records.push(batch[r]);
      budget -= end - from;
      c.bufferedIndex = end;
      if (failure !== null) break;
    }
    // Its last batch fully handed out: release its memory now, or a partition with nothing
    // more fetched would hold it (and the fetch budget) until its next record.
    if (failure === null) c.handedOut(state.memory);
    if (records.length > 0) {
      c.position = records[records.length - 1].offset + 1n;
      if (!tracked) c.consumed = c.position;
    }
    if (failure !== null) {
      const at = refused ?? c.position;
      if (at !== null) state.setPosition(c, at, false);
      c.error = partitionError(c, failure);
    }
    if (records.length > 0) {
      const batch = { topic: c.topic, partition: c.partition, records, highWatermark: c.highWatermark };
      out.push({ batch, cursor: c, epoch: c.epoch });
      consumed(records.length);
      last = at;
    }
    if (failure !== null) {
      if (out.length === 0) {
        const err = c.error as Error;
        c.error = null;
        throw err;
      }
      break;
    }
  }
  // Round-robin: the next poll starts after the last partition that gave records. It started
  // one partition on from this poll's start, so a poll that emptied many partitions left the
  // next to walk past them all again: at 10,000 partitions of a few records each, thousands of
  // empty cursors per poll. Regression test: consumer-scale.test.ts.
  if (n > 0) state.nextCursor = ((last >= 0 ? last : state.nextCursor) + 1) % n;
  return out;
}

/** The consumer's deserializers (either may be null: the bytes as they are). */
export interface Deserializers {
  key: Deserializer<unknown> | null;
  value: Deserializer<unknown> | null;
}

/**
 * Runs the deserializers over `batch[from, end)` in place; where one throws, the index of that
 * record and a DeserializationError naming it (the records before it are done).
 */
function deserialize(
  c: Cursor,
  batch: DecodedRecord[],
  from: number,
  end: number,
  d: Deserializers,
): { at: number; error: DeserializationError | null } {
  const { key, value } = d;
  const topic = c.topic;
  for (let i = from; i < end; i++) {
    // The record objects are this poll's own (decoded for it): their fields take the results.
    const r = batch[i] as { key: unknown; value: unknown; headers: DecodedRecord['headers'] };
    let part: 'key' | 'value' = 'key';
    try {
      const k = key ? key(r.key as Buffer | null, topic, r.headers) : r.key;
      part = 'value';
      const v = value ? value(r.value as Buffer | null, topic, r.headers) : r.value;
      r.key = k;
      r.value = v;
    } catch (err) {
      return { at: i, error: new DeserializationError(c.topic, c.partition, batch[i].offset, part, err) };
    }
  }
  return { at: end, error: null };
}

/**
 * `err` naming the partition. The record decoder's ProtocolError names the batch's offset
 * only, so with several partitions assigned the application could not tell which one to seek
 * past (Java: "Received exception when fetching the next record from <topic-partition>. If
 * needed, please seek past the record to continue consumption"). Regression test:
 * consumer-faults.test.ts, "names the topic and partition of a corrupt batch".
 */
export function partitionError(c: Cursor, err: unknown): Error {
  if (err instanceof ProtocolError) {
    return new ProtocolError(`${err.message} [topic ${c.topic}, partition ${c.partition}]`, {
      cause: err,
      topic: c.topic,
      partition: c.partition,
    });
  }
  if (err instanceof CodecUnavailableError) {
    // A batch this Node cannot decompress (zstd before Node 22.15): as a corrupt one, it fails
    // every poll until the application seeks past it. It used to read as "Corrupt zstd data".
    return new CodecUnavailableError(`${err.message} [topic ${c.topic}, partition ${c.partition}]`, {
      cause: err,
      codec: err.codec,
      packageName: err.packageName,
      topic: c.topic,
      partition: c.partition,
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}
