/**
 * Feature checks (src/network/features.ts) against the real broker, whichever version this run
 * has (4.3.1 by default, 3.9 with KAFKA_VERSION=3.9): what each version offers, the typed error for
 * what it does not, the fallback line, and the versions negotiated for the APIs whose range
 * differs between the two.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/network/cluster.js';
import type { Connection } from '../../src/network/connection.js';
import {
  BrokerFeature,
  FEATURE_FALLBACK_CHANNEL,
  type FeatureFallbackMessage,
  featureLevel,
  featureOrFallback,
  offersFeature,
  requireApi,
  requireFeature,
} from '../../src/network/features.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import { Fetch, ListOffsets, Produce } from '../../src/protocol/apis/index.js';
import { UnsupportedFeatureError } from '../../src/protocol/errors.js';
import { brokers, kafkaMajor, kafkaVersion } from '../harness/kafka.js';

describe(`broker features of the real broker (Kafka ${kafkaVersion()})`, () => {
  let cluster: Cluster;
  let conn: Connection;

  beforeAll(async () => {
    cluster = new Cluster({ bootstrapServers: brokers(), clientId: 'kafkawire-features-test' });
    await cluster.connect();
    conn = await cluster.anyConnection();
  });
  afterAll(() => cluster.close());

  it('reads the finalized feature levels from ApiVersions v3+', () => {
    expect(featureLevel(conn, 'metadata.version')).toBeGreaterThan(0);
    expect(conn.features.finalizedEpoch).toBeGreaterThanOrEqual(0n);
    expect(conn.features.broker).toBe(conn.address);
    expect(conn.features.apis).toEqual(conn.apiVersions);
  });

  if (kafkaMajor() >= 4) {
    it('4.x offers KIP-848, share groups and transaction version 2', () => {
      for (const requirement of Object.values(BrokerFeature)) requireFeature(conn, requirement);
      expect(featureLevel(conn, 'group.version')).toBeGreaterThanOrEqual(1);
      expect(featureLevel(conn, 'transaction.version')).toBe(2);
      expect(featureLevel(conn, 'share.version')).toBeGreaterThanOrEqual(1);
    });

    it('4.x: negotiates our newest ListOffsets, Fetch and Produce', () => {
      expect(conn.versionFor(ListOffsets)).toBe(ListOffsets.max);
      expect(conn.versionFor(Fetch)).toBe(Fetch.max);
      expect(conn.versionFor(Produce)).toBe(Produce.max);
    });
    return;
  }

  it('3.x offers none of them, and each check names what is missing', () => {
    for (const requirement of Object.values(BrokerFeature))
      expect(offersFeature(conn, requirement)).toBe(false);
    expect(() => requireFeature(conn, BrokerFeature.consumerGroupProtocol)).toThrow(
      new UnsupportedFeatureError(
        "groupProtocol 'consumer' (KIP-848)",
        'group.version >= 1 (the broker does not know this feature)',
        conn.address,
        BrokerFeature.consumerGroupProtocol.hint,
      ),
    );
    expect(() => requireFeature(conn, BrokerFeature.shareGroups)).toThrow(
      `share groups (KIP-932) needs the ShareGroupHeartbeat API (key 76), which broker ${conn.address} does not offer`,
    );
    expect(() => requireApi(conn, ApiKey.ShareFetch, 'share consumers')).toThrow(UnsupportedFeatureError);
  });

  it('3.x: transaction version 2 falls back to the earlier flow, with one line on the fallback channel', () => {
    const lines: FeatureFallbackMessage[] = [];
    const onLine = (m: unknown) => lines.push(m as FeatureFallbackMessage);
    subscribe(FEATURE_FALLBACK_CHANNEL, onLine);
    try {
      expect(featureOrFallback(conn, BrokerFeature.transactionV2, 'the transaction.version 0/1 flow')).toBe(
        false,
      );
    } finally {
      unsubscribe(FEATURE_FALLBACK_CHANNEL, onLine);
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      feature: 'transaction version 2 (KIP-890)',
      broker: conn.address,
      fallback: 'the transaction.version 0/1 flow',
    });
    expect(lines[0]!.missing).toMatch(/^the EndTxn API \(key 26\) v5\+/);
  });

  it('3.x: negotiates ListOffsets v9, Fetch up to v17 and Produce up to v11: what 3.9 has', () => {
    expect(conn.versionFor(ListOffsets)).toBe(9);
    expect(conn.versionFor(Fetch)).toBe(Math.min(Fetch.max, 17));
    expect(conn.versionFor(Produce)).toBe(Math.min(Produce.max, 11));
  });
});
