/**
 * What integration tests need to reach the shared broker that global-setup.ts provides.
 * Every test creates its own uniquely named topic, so files can share the broker and run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { KafkaMode } from './global-setup.js';
import { kafkaMajor as majorOf } from './launcher.js';

/** Bootstrap servers of the shared broker, "host:port,..." (from global-setup.ts). */
export function brokers(): string {
  return inject('kafkaBrokers');
}

/** Where the shared broker came from: 'external' (KAFKA_BROKERS), 'docker' or 'launcher'. */
export function kafkaMode(): KafkaMode {
  return inject('kafkaMode');
}

/**
 * The shared broker's Apache Kafka version: "3.9.2" / "4.3.1" when this run started it, else
 * KAFKA_VERSION as given or "<major>.x" (global-setup.ts checks it against the broker).
 */
export function kafkaVersion(): string {
  return inject('kafkaVersion');
}

/** The shared broker's major version (3 or 4), for tests that expect what a version offers. */
export function kafkaMajor(): number {
  return majorOf(kafkaVersion());
}

/** A topic name no other test uses: `prefix-<12 hex chars>` (only legal topic characters). */
export function uniqueTopic(prefix = 'test'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}
