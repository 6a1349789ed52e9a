/**
 * Checks for user-supplied configuration, shared by the producer, consumer and admin client.
 * Each check names the option at fault and what was expected, so a wrong value fails at
 * construction with one clear ConfigError instead of misbehaving later.
 */
import { ConfigError } from '../protocol/errors.js';
import { optionHint } from './suggest.js';

/** An integer option within [min, max], or its default when undefined. */
export function intOption(
  name: string,
  value: unknown,
  def: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return def;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ConfigError(name, `expected an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new ConfigError(
      name,
      `${value} is out of range [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}]`,
    );
  }
  return value;
}

export function boolOption(name: string, value: unknown, def: boolean): boolean {
  if (value === undefined) return def;
  if (typeof value !== 'boolean')
    throw new ConfigError(name, `expected true or false, got ${describe(value)}`);
  return value;
}

export function enumOption<T extends string | number>(
  name: string,
  value: unknown,
  def: T,
  allowed: readonly T[],
): T {
  if (value === undefined) return def;
  if (!allowed.includes(value as T)) {
    throw new ConfigError(
      name,
      `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(value)}`,
    );
  }
  return value as T;
}

export function stringOption(name: string, value: unknown, def: string | null): string | null {
  if (value === undefined) return def;
  if (value !== null && typeof value !== 'string')
    throw new ConfigError(name, `expected a string, got ${describe(value)}`);
  return value;
}

/** Names of the reconnect-backoff options every client takes (see `reconnectOptions`). */
export const RECONNECT_OPTIONS = ['reconnectBackoffMs', 'reconnectBackoffMaxMs'] as const;

/**
 * `reconnectBackoffMs` (Java: `reconnect.backoff.ms`, default 50) and `reconnectBackoffMaxMs`
 * (Java: `reconnect.backoff.max.ms`, default 1000), checked; a maximum below the first wait is
 * raised to it, as Java does.
 */
export function reconnectOptions(c: { reconnectBackoffMs?: unknown; reconnectBackoffMaxMs?: unknown }): {
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
} {
  const first = intOption('reconnectBackoffMs', c.reconnectBackoffMs, 50, 0, 2147483647);
  const max = intOption('reconnectBackoffMaxMs', c.reconnectBackoffMaxMs, 1000, 0, 2147483647);
  return { reconnectBackoffMs: first, reconnectBackoffMaxMs: Math.max(first, max) };
}

/**
 * Rejects options the caller spelled but we do not know (a typo must not pass silently), with
 * the closest known name or, for a KafkaJS option name, the kafkawire option to use.
 */
export function rejectUnknownOptions(config: object, known: readonly string[], what: string): void {
  for (const key of Object.keys(config)) {
    if (!known.includes(key)) throw new ConfigError(key, `unknown ${what} option${optionHint(key, known)}`);
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'object') return Array.isArray(v) ? 'an array' : 'an object';
  return `${typeof v} ${String(v)}`;
}
