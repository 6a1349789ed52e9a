/**
 * The versions kafkawire negotiates with every broker version it supports, from what those brokers
 * really announce (fixtures/broker-api-versions.json, recorded from a 3.9.2 and a 4.3.1 broker by
 * scripts/record-broker-api-versions.ts): every API we implement has a common version with each,
 * and golden vectors (fixtures/<api>.json, from Kafka's Java classes) exist for the request and the
 * response at exactly the version picked — so the bytes of every version the client can send to
 * either broker are checked, not only those of our newest version.
 *
 * Connections always send the highest common version (pickVersion); a new API module, a raised
 * maximum or a newly recorded broker version is covered here without editing this file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickVersion } from '../../src/network/versions.js';
import { IMPLEMENTED_APIS } from '../../src/protocol/apis/index.js';
import { REPO_ROOT } from './schema-files.js';

interface Recorded {
  apiKeys: [number, number, number][];
}

const FIXTURES = join(REPO_ROOT, 'test', 'conformance', 'fixtures');
const brokers: Record<string, Recorded> = JSON.parse(
  readFileSync(join(FIXTURES, 'broker-api-versions.json'), 'utf8'),
);

/** Versions with a request and a response golden vector, per API name. */
function goldenVersions(apiName: string): Set<number> {
  const file = join(
    FIXTURES,
    `${apiName.replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase())}.json`,
  );
  const vectors: { kind: string; version: number }[] = JSON.parse(readFileSync(file, 'utf8')).vectors;
  const requests = new Set(vectors.filter((v) => v.kind === 'request').map((v) => v.version));
  return new Set(
    vectors.filter((v) => v.kind === 'response' && requests.has(v.version)).map((v) => v.version),
  );
}

/**
 * APIs a supported broker may lack: share groups (KIP-932) need Kafka 4.1+ with share.version 1;
 * the share consumer and admin calls check for them first (UnsupportedFeatureError).
 */
const FEATURE_GATED = new Set([
  'ShareGroupHeartbeat',
  'ShareGroupDescribe',
  'ShareFetch',
  'ShareAcknowledge',
  'DescribeShareGroupOffsets',
]);

/** API name → version picked, per recorded broker version (feature-gated APIs it lacks left out). */
function picks(version: string): Record<string, number> {
  const ranges = new Map(brokers[version]!.apiKeys.map(([key, min, max]) => [key, { min, max }] as const));
  return Object.fromEntries(
    IMPLEMENTED_APIS.filter((api) => ranges.has(api.key) || !FEATURE_GATED.has(api.name)).map((api) => [
      api.name,
      pickVersion(api, ranges.get(api.key)),
    ]),
  );
}

describe('versions negotiated with each supported broker version', () => {
  it('has recordings of a 3.9 and a 4.x broker', () => {
    expect(Object.keys(brokers).some((v) => v.startsWith('3.9.'))).toBe(true);
    expect(Object.keys(brokers).some((v) => v.startsWith('4.'))).toBe(true);
  });

  for (const version of Object.keys(brokers)) {
    it(`Kafka ${version}: every API we implement has a common version, with golden vectors at it`, () => {
      const missing: string[] = [];
      for (const [name, v] of Object.entries(picks(version))) {
        if (!goldenVersions(name).has(v)) missing.push(`${name} v${v}`);
      }
      expect(missing, 'add these versions to test/conformance/java/GoldenVectors.java').toEqual([]);
    });
  }

  it('never sends Produce below v3, though 3.9 accepts v0–v2 and 4.x still announces them', () => {
    const produce = IMPLEMENTED_APIS.find((a) => a.key === 0)!;
    for (const version of Object.keys(brokers)) {
      const [, min, max] = brokers[version]!.apiKeys.find(([key]) => key === 0)!;
      expect(min, `Kafka ${version} announces Produce from v0`).toBe(0);
      expect(pickVersion(produce, { min, max })).toBe(Math.min(produce.max, max));
      expect(pickVersion(produce, { min, max: 3 })).toBe(3);
    }
    expect(() => pickVersion(produce, { min: 0, max: 2 })).toThrow(/No common version of Produce/);
  });
});
