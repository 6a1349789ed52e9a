/**
 * Consumed records in KafkaJS's shapes: `KafkaMessage` (offset and timestamp as strings,
 * headers as an object) and `Batch` (with its lag helpers).
 *
 * Invariant: keys, values and header values are the Buffers kafkawire decoded (views into the
 * fetched bytes), never copies.
 */
import type { ConsumerBatch } from '../consumer/consumer.js';
import type { DecodedRecord } from '../protocol/records/layout.js';
import type { Batch, IHeaders, KafkaMessage } from './types.js';

export function toKafkaMessage(r: DecodedRecord): KafkaMessage {
  const headers: IHeaders = {};
  for (const h of r.headers) {
    const value = h.value as Buffer;
    const prev = headers[h.key];
    if (prev === undefined) headers[h.key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else headers[h.key] = [prev, value];
  }
  return {
    key: r.key,
    value: r.value,
    timestamp: String(r.timestamp),
    attributes: 0,
    offset: r.offset.toString(),
    headers,
  };
}

/** One partition's records of one poll, as KafkaJS's `Batch`. */
export class KafkaJSBatch implements Batch {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: string;
  readonly messages: KafkaMessage[];
  private readonly high: bigint;
  private readonly first: bigint | null;
  private readonly last: bigint | null;

  constructor(b: ConsumerBatch) {
    this.topic = b.topic;
    this.partition = b.partition;
    this.high = b.highWatermark;
    this.highWatermark = b.highWatermark.toString();
    const n = b.records.length;
    this.messages = new Array<KafkaMessage>(n);
    for (let i = 0; i < n; i++) this.messages[i] = toKafkaMessage(b.records[i]!);
    this.first = n > 0 ? b.records[0]!.offset : null;
    this.last = n > 0 ? b.records[n - 1]!.offset : null;
  }

  isEmpty(): boolean {
    return this.messages.length === 0;
  }

  firstOffset(): string | null {
    return this.first === null ? null : this.first.toString();
  }

  lastOffset(): string {
    return (this.last ?? this.high - 1n).toString();
  }

  offsetLag(): string {
    const lag = this.high - 1n - (this.last ?? this.high - 1n);
    return (lag < 0n ? 0n : lag).toString();
  }

  offsetLagLow(): string {
    const lag = this.high - 1n - (this.first ?? this.high - 1n);
    return (lag < 0n ? 0n : lag).toString();
  }
}

/** An offset given as KafkaJS does (a decimal string, or a number): a non-negative bigint. */
export function parseOffset(offset: unknown): bigint | null {
  if (typeof offset === 'bigint') return offset >= 0n ? offset : null;
  if (typeof offset === 'number') return Number.isSafeInteger(offset) && offset >= 0 ? BigInt(offset) : null;
  if (typeof offset === 'string' && /^\d+$/.test(offset)) return BigInt(offset);
  return null;
}
