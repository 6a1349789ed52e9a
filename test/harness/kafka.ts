/**
 * What integration tests need to reach the shared broker that global-setup.ts provides.
 * Every test creates its own uniquely named topic, so files can share the broker and run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { KafkaMode } from './global-setup.js';

/** Bootstrap servers of the shared broker, "host:port,..." (from global-setup.ts). */
export function brokers(): string {
  return inject('kafkaBrokers');
}

/** Where the shared broker came from: 'external' (KAFKA_BROKERS), 'docker' or 'launcher'. */
export function kafkaMode(): KafkaMode {
  return inject('kafkaMode');
}

/** A topic name no other test uses: `prefix-<12 hex chars>` (only legal topic characters). */
export function uniqueTopic(prefix = 'test'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}
