/**
 * Feature checks (src/network/features.ts) against the ApiVersions answers of real 3.9 and 4.x
 * brokers (fixtures/broker-api-versions.json, recorded by scripts/record-broker-api-versions.ts), and
 * against hand-made answers for the edge cases a recorded broker does not show.
 */

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from '../../src/network/connection.js';
import {
  BrokerFeature,
  type BrokerFeatures,
  brokerFeaturesOf,
  FEATURE_FALLBACK_CHANNEL,
  type FeatureFallbackMessage,
  featureLevel,
  featureOrFallback,
  missingFor,
  offersFeature,
  requireApi,
  requireFeature,
} from '../../src/network/features.js';
import { ApiKey } from '../../src/protocol/api-keys.js';
import type { ApiVersionsResponse } from '../../src/protocol/apis/18-api-versions.js';
import {
  KafkawireError,
  UnsupportedFeatureError,
  UnsupportedVersionError,
} from '../../src/protocol/errors.js';
import { FakeBroker } from '../helpers/fake-broker.js';

type Tuple = [string, number, number];
interface Recorded {
  apiKeys: [number, number, number][];
  supportedFeatures: Tuple[];
  finalizedFeatures: Tuple[];
}

const recorded: Record<string, Recorded> = JSON.parse(
  readFileSync(join(import.meta.dirname, '../conformance/fixtures/broker-api-versions.json'), 'utf8'),
);

/** The ApiVersionsResponse a recorded broker sent (epochs aside). */
function answerOf(r: Recorded): ApiVersionsResponse {
  return {
    errorCode: 0,
    apiKeys: r.apiKeys.map(([apiKey, minVersion, maxVersion]) => ({ apiKey, minVersion, maxVersion })),
    throttleTimeMs: 0,
    supportedFeatures: r.supportedFeatures.map(([name, minVersion, maxVersion]) => ({
      name,
      minVersion,
      maxVersion,
    })),
    finalizedFeaturesEpoch: 7n,
    finalizedFeatures: r.finalizedFeatures.map(([name, minVersionLevel, maxVersionLevel]) => ({
      name,
      minVersionLevel,
      maxVersionLevel,
    })),
    zkMigrationReady: false,
  };
}

function brokerOf(version: string): BrokerFeatures {
  const r = recorded[version];
  if (!r) throw new Error(`no recorded ApiVersions answer of Kafka ${version}`);
  return brokerFeaturesOf(answerOf(r), `kafka-${version}:9092`);
}

const v39 = brokerOf('3.9.2');
const v43 = brokerOf('4.3.1');

describe('broker features from ApiVersions', () => {
  it('keeps APIs, supported ranges and finalized levels', () => {
    expect(v43.apis.get(ApiKey.Fetch)).toEqual({ min: 4, max: 18 });
    expect(v43.supported.get('transaction.version')).toEqual({ min: 0, max: 2 });
    expect(featureLevel(v43, 'transaction.version')).toBe(2);
    expect(featureLevel(v43, 'group.version')).toBe(1);
    expect(v43.finalizedEpoch).toBe(7n);
    // 3.9 knows only metadata.version and kraft.version; the rest are at level 0.
    expect([...v39.supported.keys()].sort()).toEqual(['kraft.version', 'metadata.version']);
    expect(featureLevel(v39, 'transaction.version')).toBe(0);
    expect(featureLevel(v39, 'no.such.feature')).toBe(0);
  });

  it('accepts a connection-like source as well as the features themselves', () => {
    expect(featureLevel({ features: v43 }, 'share.version')).toBe(1);
    expect(offersFeature({ features: v43 }, BrokerFeature.shareGroups)).toBe(true);
  });
});

describe('every BrokerFeature on the brokers kafkawire supports', () => {
  it.each(Object.entries(BrokerFeature))('4.3.1 offers %s', (_, requirement) => {
    expect(missingFor(v43, requirement)).toBeUndefined();
    expect(() => requireFeature(v43, requirement)).not.toThrow();
  });

  it.each(Object.entries(BrokerFeature))('3.9.2 does not offer %s', (_, requirement) => {
    expect(offersFeature(v39, requirement)).toBe(false);
    expect(() => requireFeature(v39, requirement)).toThrow(UnsupportedFeatureError);
  });

  it('names the feature level KIP-848 lacks on 3.9, although it advertises ConsumerGroupHeartbeat v0', () => {
    // The 3.9 preview: the API is announced, the group coordinator refuses it unless switched on.
    expect(v39.apis.get(ApiKey.ConsumerGroupHeartbeat)).toEqual({ min: 0, max: 0 });
    const err = catchError(() => requireFeature(v39, BrokerFeature.consumerGroupProtocol));
    expect(err).toBeInstanceOf(UnsupportedFeatureError);
    expect(err).toBeInstanceOf(UnsupportedVersionError);
    expect(err).toMatchObject({
      feature: "groupProtocol 'consumer' (KIP-848)",
      missing: 'group.version >= 1 (the broker does not know this feature)',
      broker: 'kafka-3.9.2:9092',
      retriable: false,
    });
    expect(err.message).toBe(
      "groupProtocol 'consumer' (KIP-848) needs group.version >= 1 (the broker does not know this feature), " +
        'which broker kafka-3.9.2:9092 does not offer: it needs Apache Kafka 4.0 or newer with group.version 1 ' +
        "(use groupProtocol 'classic' on older brokers)",
    );
  });

  it('names the first missing API of share groups on 3.9', () => {
    expect(missingFor(v39, BrokerFeature.shareGroups)).toBe('the ShareGroupHeartbeat API (key 76)');
  });

  it('names the API version transaction v2 lacks on 3.9', () => {
    expect(missingFor(v39, BrokerFeature.transactionV2)).toBe(
      'the EndTxn API (key 26) v5+ (the broker has v0–v4)',
    );
  });
});

describe('feature levels a 4.x cluster has not finalized', () => {
  // A 4.x broker formatted with --feature transaction.version=0 (or upgraded from 3.x and not yet
  // raised): the API is there, the level is not.
  const downgraded = brokerFeaturesOf(
    {
      ...answerOf(recorded['4.3.1']!),
      finalizedFeatures: answerOf(recorded['4.3.1']!).finalizedFeatures.filter(
        (f) => f.name !== 'transaction.version' && f.name !== 'group.version',
      ),
    },
    'b:1',
  );

  it('reports the level the cluster has, not a missing API', () => {
    expect(missingFor(downgraded, BrokerFeature.transactionV2)).toBe(
      'transaction.version >= 2 (the cluster has 0)',
    );
    expect(missingFor(downgraded, BrokerFeature.consumerGroupProtocol)).toBe(
      'group.version >= 1 (the cluster has 0)',
    );
    expect(offersFeature(downgraded, BrokerFeature.shareGroups)).toBe(true);
  });
});

describe('requireApi', () => {
  it('passes when the API is announced at the version asked', () => {
    expect(() => requireApi(v43, ApiKey.ConsumerGroupHeartbeat, 'KIP-848 heartbeats', 1)).not.toThrow();
    expect(() => requireApi(v39, ApiKey.DescribeTopicPartitions, 'topic descriptions')).not.toThrow();
  });

  it('throws an UnsupportedFeatureError naming the API and the feature', () => {
    const err = catchError(() => requireApi(v39, ApiKey.ShareFetch, 'share consumers'));
    expect(err).toBeInstanceOf(UnsupportedFeatureError);
    expect(err.message).toBe(
      'share consumers needs the ShareFetch API (key 78), which broker kafka-3.9.2:9092 does not offer',
    );
    expect(() => requireApi(v39, ApiKey.ConsumerGroupHeartbeat, 'regex subscriptions', 1)).toThrow(
      'needs the ConsumerGroupHeartbeat API (key 68) v1+ (the broker has v0–v0)',
    );
  });
});

describe('featureOrFallback', () => {
  const messages: FeatureFallbackMessage[] = [];
  const onMessage = (m: unknown) => messages.push(m as FeatureFallbackMessage);
  afterEach(() => {
    unsubscribe(FEATURE_FALLBACK_CHANNEL, onMessage);
    messages.length = 0;
  });

  it('returns true and publishes nothing when the broker offers the feature', () => {
    subscribe(FEATURE_FALLBACK_CHANNEL, onMessage);
    expect(featureOrFallback(v43, BrokerFeature.transactionV2, 'the transaction.version 0/1 flow')).toBe(
      true,
    );
    expect(messages).toEqual([]);
  });

  it('returns false and publishes one line naming the feature, what is missing and the fallback', () => {
    subscribe(FEATURE_FALLBACK_CHANNEL, onMessage);
    expect(featureOrFallback(v39, BrokerFeature.transactionV2, 'the transaction.version 0/1 flow')).toBe(
      false,
    );
    expect(messages).toEqual([
      {
        feature: 'transaction version 2 (KIP-890)',
        missing: 'the EndTxn API (key 26) v5+ (the broker has v0–v4)',
        fallback: 'the transaction.version 0/1 flow',
        broker: 'kafka-3.9.2:9092',
        message:
          'transaction version 2 (KIP-890) is not offered by broker kafka-3.9.2:9092, which lacks ' +
          'the EndTxn API (key 26) v5+ (the broker has v0–v4): using the transaction.version 0/1 flow',
      },
    ]);
  });

  it('still falls back when nobody listens', () => {
    expect(featureOrFallback(v39, BrokerFeature.transactionV2, 'the earlier flow')).toBe(false);
  });
});

describe('Connection.features', () => {
  it.each([2, 4])(
    'has the APIs and no feature levels from a broker answering ApiVersions v%i without them',
    async (max) => {
      // An old broker (v0–v2 has no tagged fields) or one that sends none: every level is 0.
      const broker = await new FakeBroker({
        apiVersionsMax: max,
        apis: [
          { apiKey: ApiKey.ApiVersions, min: 0, max },
          { apiKey: ApiKey.ConsumerGroupHeartbeat, min: 0, max: 1 },
        ],
      }).start();
      const conn = new Connection({ host: '127.0.0.1', port: broker.port });
      try {
        expect(() => conn.features).toThrow(KafkawireError);
        await conn.connect();
        expect(conn.features.apis.get(ApiKey.ConsumerGroupHeartbeat)).toEqual({ min: 0, max: 1 });
        expect(conn.features.finalized.size).toBe(0);
        expect(conn.features.finalizedEpoch).toBe(-1n);
        expect(conn.features.broker).toBe(`127.0.0.1:${broker.port}`);
        expect(() => requireFeature(conn, BrokerFeature.consumerGroupProtocol)).toThrow(
          'needs group.version >= 1 (the broker does not know this feature)',
        );
        expect(() => requireApi(conn, ApiKey.ConsumerGroupHeartbeat, 'KIP-848 heartbeats', 1)).not.toThrow();
      } finally {
        conn.destroy();
        await broker.stop();
      }
    },
  );
});

function catchError(fn: () => void): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}
