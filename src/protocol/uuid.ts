/**
 * UUIDs as Kafka shows them: 16 bytes on the wire, URL-safe base64 without padding in text
 * (the form of Java's `Uuid.toString()` and of `kafka-topics --describe`).
 */
import { ProtocolError } from './errors.js';

/** The all-zero UUID Kafka uses for "no id" (`Uuid.ZERO_UUID`). */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function encodeUuid(id: string, into: Buffer, at: number): void {
  const b = Buffer.from(id, 'base64url');
  if (b.length !== 16) throw new ProtocolError(`Invalid UUID "${id}": expected 16 bytes in base64url`);
  b.copy(into, at);
}

export function decodeUuid(from: Buffer, at: number): string {
  return from.toString('base64url', at, at + 16);
}
