/**
 * Retry decisions and backoff, in one place.
 *
 * Every caller that repeats a request asks `shouldRetry` what to do with an error, and
 * `backoffMs` how long to wait; nothing else in the library decides whether an error is worth a
 * second try.
 */
import { ConnectionError, KafkaError, KafkawireError } from '../protocol/errors.js';

export interface RetryDecision {
  /** Try again (after a backoff). */
  retry: boolean;
  /** Refresh metadata before trying again (leaders or brokers may have moved). */
  refreshMetadata: boolean;
}

const GIVE_UP: RetryDecision = { retry: false, refreshMetadata: false };

export function shouldRetry(err: unknown): RetryDecision {
  // A dead connection: the broker may be gone for good, so learn the current leaders first.
  if (err instanceof ConnectionError) return { retry: true, refreshMetadata: true };
  // A broker error code: the generated table knows whether it is transient and whether it
  // means our metadata is stale (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, ...).
  if (err instanceof KafkaError) return { retry: err.retriable, refreshMetadata: err.refreshMetadata };
  // Timeouts and the like: retriable, the same broker may answer next time.
  if (err instanceof KafkawireError) return { retry: err.retriable, refreshMetadata: false };
  // Anything else is a bug or a caller's mistake: never hide it behind retries.
  return GIVE_UP;
}

export interface BackoffOptions {
  /** First wait (Java: `retry.backoff.ms`, default 100). */
  retryBackoffMs: number;
  /** Largest wait (Java: `retry.backoff.max.ms`, default 1000). */
  retryBackoffMaxMs: number;
}

/**
 * Exponential backoff with ±20 % jitter, as the Java client does (KIP-580): attempt 0 waits
 * about `retryBackoffMs`, each later attempt doubles, capped at `retryBackoffMaxMs`.
 */
export function backoffMs(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  return exponentialMs(attempt, o.retryBackoffMs, o.retryBackoffMaxMs, random);
}

export interface ReconnectBackoffOptions {
  /** First wait before connecting again to a broker that failed (Java: `reconnect.backoff.ms`, default 50). */
  reconnectBackoffMs: number;
  /** Largest such wait (Java: `reconnect.backoff.max.ms`, default 1000). */
  reconnectBackoffMaxMs: number;
}

/**
 * How long to wait before the next connection attempt to an address after `failures` attempts
 * in a row failed (failures >= 1): `reconnectBackoffMs`, doubling per failure up to
 * `reconnectBackoffMaxMs`, ±20 % jitter (Java's `ClusterConnectionStates`, KIP-144).
 */
export function reconnectBackoffMs(
  failures: number,
  o: ReconnectBackoffOptions,
  random: () => number = Math.random,
): number {
  return exponentialMs(Math.max(0, failures - 1), o.reconnectBackoffMs, o.reconnectBackoffMaxMs, random);
}

function exponentialMs(attempt: number, first: number, max: number, random: () => number): number {
  const base = Math.min(max, first * 2 ** Math.min(attempt, 30));
  const jitter = 0.8 + random() * 0.4;
  return Math.max(0, Math.min(max, Math.round(base * jitter)));
}
