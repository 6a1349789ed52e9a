/**
 * Consumer deserializers (Java: `key.deserializer` / `value.deserializer`): what turns a record's
 * key or value bytes into what the application gets, mirroring the producer's serializers.
 *
 * Invariants: a deserializer runs once per record, as poll hands the record out (never for
 * records fetched ahead and dropped by a seek), on the record object itself (no copy); one that
 * throws stops the partition at that record with a DeserializationError (fetch-buffer.ts).
 */
import type { RecordHeader } from '../protocol/records/layout.js';

/**
 * Turns a key or value's bytes (null when the record has none) into the application's type.
 * Called with the topic and the record's headers, as Java's `Deserializer.deserialize(topic,
 * headers, data)`. Throw to refuse a record: the poll reports a DeserializationError naming it.
 */
export type Deserializer<T> = (data: Buffer | null, topic: string, headers: readonly RecordHeader[]) => T;

/** UTF-8 text; null stays null (Java: `StringDeserializer`). */
export const stringDeserializer: Deserializer<string | null> = (data) =>
  data === null ? null : data.toString('utf8');

/**
 * JSON, parsed from UTF-8; null stays null. A value that is not JSON makes the poll fail with a
 * DeserializationError naming the record.
 */
export const jsonDeserializer: Deserializer<unknown> = (data) =>
  data === null ? null : JSON.parse(data.toString('utf8'));
