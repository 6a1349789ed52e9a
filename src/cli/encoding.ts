/**
 * Bytes on the command line: keys, values and header values as text in one of three encodings
 * (utf8, base64, hex), an explicit spelling for null, and kcat's `-f` format strings.
 *
 * Invariant: with base64 or hex every byte survives the round trip produce → consume; text that
 * is not valid in the chosen encoding is refused (an InputError naming the line), never decoded
 * leniently into other bytes.
 */
import type { ConsumerBatch } from '../consumer/consumer.js';
import type { DecodedRecord } from '../protocol/records/layout.js';
import { UsageError } from './args.js';
import { InputError } from './output.js';

export const ENCODINGS = ['utf8', 'base64', 'hex'] as const;
export type Encoding = (typeof ENCODINGS)[number];

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Bytes as text; null as `nullText`. */
export function encode(b: Buffer | null, encoding: Encoding, nullText: string): string {
  return b === null ? nullText : b.toString(encoding);
}

/** Bytes as a JSON value: null stays null. */
export function encodeOrNull(b: Buffer | null, encoding: Encoding): string | null {
  return b === null ? null : b.toString(encoding);
}

/** Text to bytes, refusing what is not valid `encoding`; `nullText` (when set) means null. */
export function decode(
  text: string,
  encoding: Encoding,
  nullText: string | undefined,
  what: string,
): Buffer | string | null {
  if (nullText !== undefined && text === nullText) return null;
  if (encoding === 'utf8') return text;
  if (!(encoding === 'hex' ? HEX : BASE64).test(text)) {
    throw new InputError(`${what} is not valid ${encoding}`);
  }
  return Buffer.from(text, encoding);
}

/**
 * kcat's `-f` format: `%t` topic, `%p` partition, `%o` offset, `%k` key, `%s` value, `%K` / `%S`
 * key / value size in bytes (-1 for null), `%T` timestamp (ms), `%h` headers as `k=v,k=v`,
 * `%%` a percent sign; `\n`, `\r`, `\t` and `\\` escapes. Like kcat, no newline is added.
 */
export function template(
  format: string,
  encoding: Encoding,
  nullText: string,
): (batch: ConsumerBatch, r: DecodedRecord) => string {
  const parts: ((b: ConsumerBatch, r: DecodedRecord) => string)[] = [];
  let literal = '';
  const flush = () => {
    if (literal === '') return;
    const text = literal;
    parts.push(() => text);
    literal = '';
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    const next = format[i + 1];
    if (c === '\\' && next !== undefined && 'nrt\\'.includes(next)) {
      literal += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : '\\';
      i++;
      continue;
    }
    if (c !== '%' || next === undefined) {
      literal += c;
      continue;
    }
    i++;
    if (next === '%') {
      literal += '%';
      continue;
    }
    const field = FIELDS[next];
    if (!field) {
      throw new UsageError(
        `unknown format field %${next} (fields: %t %p %o %k %s %K %S %T %h %%)`,
        'consume',
      );
    }
    flush();
    parts.push((b, r) => field(b, r, encoding, nullText));
  }
  flush();
  return (b, r) => {
    let out = '';
    for (const p of parts) out += p(b, r);
    return out;
  };
}

type Field = (b: ConsumerBatch, r: DecodedRecord, encoding: Encoding, nullText: string) => string;

const FIELDS: Record<string, Field> = {
  t: (b) => b.topic,
  p: (b) => String(b.partition),
  o: (_b, r) => r.offset.toString(),
  k: (_b, r, e, n) => encode(r.key, e, n),
  s: (_b, r, e, n) => encode(r.value, e, n),
  K: (_b, r) => String(r.key === null ? -1 : r.key.length),
  S: (_b, r) => String(r.value === null ? -1 : r.value.length),
  T: (_b, r) => String(r.timestamp),
  h: (_b, r, e, n) => r.headers.map((h) => `${h.key}=${encode(h.value, e, n)}`).join(','),
};
