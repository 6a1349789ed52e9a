/**
 * Checks of the admin client's call arguments, made before any I/O: a wrong shape gets a
 * ConfigError naming the argument at fault (`topics[2].name`), never a TypeError from deep in a
 * request encoder, and never a request the broker answers with an error for a topic named
 * `undefined` or `0`.
 *
 * Invariant: each check accepts exactly what the call's TypeScript signature allows, so typed
 * callers never see one of these errors.
 */
import { ConfigError } from '../protocol/errors.js';

/** A topic name as the broker takes it: a non-empty string. */
function checkName(option: string, name: unknown, hint = ''): void {
  if (typeof name !== 'string' || name === '')
    throw new ConfigError(option, `expected a non-empty topic name, got ${describe(name)}${hint}`);
}

/** A partition or replica count: a positive 32-bit integer. */
function isCount(n: unknown): boolean {
  return Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 2147483647;
}

/** A count the broker may default (-1 or absent), else a positive 32-bit integer. */
function checkCount(option: string, n: unknown): void {
  if (n === undefined || n === -1) return;
  if (!isCount(n))
    throw new ConfigError(
      option,
      `expected a positive integer (or -1 for the broker's default), got ${describe(n)}`,
    );
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

function checkArray(option: string, v: unknown): asserts v is unknown[] {
  if (!Array.isArray(v)) throw new ConfigError(option, `expected an array, got ${describe(v)}`);
}

/** createTopics' `topics`: `{ name, numPartitions?, replicationFactor?, configs? }` each. */
export function checkNewTopics(topics: unknown): void {
  checkArray('topics', topics);
  topics.forEach((t, i) => {
    const at = `topics[${i}]`;
    if (t === null || typeof t !== 'object')
      throw new ConfigError(at, `expected an object, got ${describe(t)}`);
    const o = t as Record<string, unknown>;
    // KafkaJS names it `topic`: say what this client calls it.
    checkName(
      `${at}.name`,
      o.name,
      o.name === undefined && 'topic' in o ? ' (the field is `name`, not `topic`)' : '',
    );
    checkCount(`${at}.numPartitions`, o.numPartitions);
    checkCount(`${at}.replicationFactor`, o.replicationFactor);
    if (o.configs !== undefined) {
      if (o.configs === null || typeof o.configs !== 'object' || Array.isArray(o.configs))
        throw new ConfigError(
          `${at}.configs`,
          `expected an object of config names to values, got ${describe(o.configs)}`,
        );
      for (const [k, v] of Object.entries(o.configs))
        if (typeof v !== 'string')
          throw new ConfigError(`${at}.configs.${k}`, `expected a string value, got ${describe(v)}`);
    }
  });
}

/** deleteTopics' and describeTopics' `names`. */
export function checkTopicNames(names: unknown): void {
  checkArray('names', names);
  names.forEach((n, i) => {
    checkName(`names[${i}]`, n);
  });
}

/** createPartitions' `counts`: topic name to its new partition count. */
export function checkPartitionCounts(counts: unknown): void {
  if (counts === null || typeof counts !== 'object' || Array.isArray(counts))
    throw new ConfigError(
      'counts',
      `expected an object of topic names to partition counts, got ${describe(counts)}`,
    );
  const entries = Object.entries(counts);
  if (entries.length === 0) throw new ConfigError('counts', 'names no topic');
  for (const [name, n] of entries) {
    if (!isCount(n))
      throw new ConfigError(
        `counts.${name}`,
        `expected a positive integer partition count, got ${describe(n)}`,
      );
  }
}
