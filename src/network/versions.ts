/**
 * Version choice: the highest version of an API that both this client and the broker support.
 *
 * Floors apply on top of what a broker announces: a 4.x broker still advertises Produce v0 (kept
 * for an old librdkafka, KAFKA-18659) but rejects v0–v2, so Produce never goes below v3. A 3.9
 * broker does accept v0–v2, but they carry the old message formats; our RecordBatch v2 needs v3+,
 * which every 3.x broker has, so the floor holds for both.
 *
 * The API modules' own minimums are the 4.x floors (KIP-896); 3.9 brokers announce v0 for every
 * API and the same or lower maximums, so against 3.9 the pick is never below a module's minimum,
 * only sometimes below its maximum (ListOffsets v9, ConsumerGroupHeartbeat v0; see
 * test/conformance/negotiated-versions.test.ts, which checks every pick has golden vectors).
 * Whether a broker offers a feature at all (KIP-848, share groups, transaction v2) is features.ts's.
 */
import type { ApiDescriptor } from '../protocol/api.js';
import { UnsupportedVersionError } from '../protocol/errors.js';

export interface VersionRange {
  min: number;
  max: number;
}

/** Lowest versions we send whatever a broker announces (KIP-896, KAFKA-18659). */
const CLIENT_FLOORS: ReadonlyMap<number, number> = new Map([
  [0, 3], // Produce: v0–v2 rejected by 4.x brokers although advertised; old message formats on 3.x
]);

/**
 * Picks the version to send. Throws UnsupportedVersionError naming both ranges when there is
 * none, or when the broker does not support the API at all.
 */
export function pickVersion(
  api: ApiDescriptor<unknown, unknown>,
  broker: VersionRange | undefined,
  brokerAddress = 'broker',
): number {
  if (!broker) {
    throw new UnsupportedVersionError(`${api.name} (key ${api.key}) is not supported by ${brokerAddress}`);
  }
  const low = Math.max(api.min, broker.min, CLIENT_FLOORS.get(api.key) ?? 0);
  const high = Math.min(api.max, broker.max);
  if (high < low) {
    throw new UnsupportedVersionError(
      `No common version of ${api.name} (key ${api.key}): client supports v${api.min}–v${api.max}, ` +
        `${brokerAddress} supports v${broker.min}–v${broker.max}`,
    );
  }
  return high;
}
