/**
 * Broker features: what a broker offers beyond API version ranges, and the one place where a
 * client feature that needs a newer broker asks for it.
 *
 * A broker says what it offers in its ApiVersions answer (kept by each Connection): the APIs and
 * their version ranges, and from ApiVersions v3 on (KIP-584) the feature levels its software
 * supports and those the cluster has finalized — `metadata.version`, `kraft.version`, and on 4.x
 * `group.version` (1: KIP-848 consumer groups), `transaction.version` (2: KIP-890 part 2),
 * `share.version` (1: KIP-932 share groups), `streams.version`. A feature the cluster has not
 * finalized is at level 0, as in Kafka's `FeatureControlManager`.
 *
 * A client feature describes what it needs once, as a {@link FeatureRequirement}; then either
 * - {@link requireFeature} / {@link requireApi} throw an {@link UnsupportedFeatureError} naming the
 *   feature asked for and the API or feature level missing (for features without a fallback:
 *   `groupProtocol: 'consumer'`, share groups), or
 * - {@link featureOrFallback} returns false and publishes one line on the `kafkawire:feature-fallback`
 *   diagnostics channel saying which fallback Kafka's protocol defines is used instead (the earlier
 *   transaction flow when `transaction.version` < 2).
 *
 * Invariant: the answer is the ApiVersions snapshot of the connection asked, taken when it
 * connected. Finalized levels are cluster-wide but can be raised while a client runs (kafka-features
 * upgrade); a new connection sees the new level, as Java's client does on its next ApiVersions.
 */
import { channel } from 'node:diagnostics_channel';
import { ApiKey, apiName } from '../protocol/api-keys.js';
import type { ApiVersionsResponse } from '../protocol/apis/18-api-versions.js';
import { UnsupportedFeatureError } from '../protocol/errors.js';
import { DIAGNOSTICS_CHANNELS } from './diagnostics.js';
import type { VersionRange } from './versions.js';

/** What one broker offers, from its ApiVersions answer. */
export interface BrokerFeatures {
  /** The broker, "host:port". */
  readonly broker: string;
  /** API key → the version range the broker announced. */
  readonly apis: ReadonlyMap<number, VersionRange>;
  /** Feature name → the level range the broker's software supports (ApiVersions v3+, tag 0). */
  readonly supported: ReadonlyMap<string, VersionRange>;
  /** Feature name → the level the cluster finalized (ApiVersions v3+, tag 2; its max level). */
  readonly finalized: ReadonlyMap<string, number>;
  /** Epoch of the finalized levels; -1 when the broker sent none (ApiVersions v0–v2). */
  readonly finalizedEpoch: bigint;
}

/** Anything that knows a broker's features: a connected Connection, or a BrokerFeatures itself. */
export type FeatureSource = BrokerFeatures | { readonly features: BrokerFeatures };

/** One API a feature needs, from `minVersion` on (default: any version the broker announces). */
export interface RequiredApi {
  key: number;
  minVersion?: number;
}

/** What a client feature needs from the broker. */
export interface FeatureRequirement {
  /** The feature as the application asked for it, e.g. "groupProtocol 'consumer' (KIP-848)". */
  readonly feature: string;
  /** APIs it needs. */
  readonly apis?: readonly RequiredApi[];
  /** Finalized feature levels it needs at least, e.g. `{ 'transaction.version': 2 }`. */
  readonly levels?: Readonly<Record<string, number>>;
  /** Where the feature is found, for the error: e.g. "Apache Kafka 4.0 or newer". */
  readonly hint?: string;
}

/**
 * Client features that need more than every supported broker offers. 3.9 brokers offer none of
 * them: KIP-848 is a preview there (it advertises ConsumerGroupHeartbeat v0 but has no
 * `group.version`, and answers UNSUPPORTED_VERSION unless the preview is switched on), share groups
 * and transaction version 2 do not exist. We support KIP-848 from its general availability (4.0):
 * the 3.x preview's protocol differs (ConsumerGroupHeartbeat v1, regex subscriptions).
 */
export const BrokerFeature = {
  /** `groupProtocol: 'consumer'`: broker-driven rebalances (KIP-848), GA in Apache Kafka 4.0. */
  consumerGroupProtocol: {
    feature: "groupProtocol 'consumer' (KIP-848)",
    apis: [{ key: ApiKey.ConsumerGroupHeartbeat }],
    levels: { 'group.version': 1 },
    hint: "it needs Apache Kafka 4.0 or newer with group.version 1 (use groupProtocol 'classic' on older brokers)",
  },
  /** Share groups (KIP-932): 4.x brokers with share.version 1 (finalized by default on 4.3). */
  shareGroups: {
    feature: 'share groups (KIP-932)',
    apis: [{ key: ApiKey.ShareGroupHeartbeat }, { key: ApiKey.ShareFetch }, { key: ApiKey.ShareAcknowledge }],
    levels: { 'share.version': 1 },
    hint: 'they need an Apache Kafka 4.x cluster with share.version 1',
  },
  /**
   * Transaction version 2 (KIP-890 part 2: the epoch bumped on every transaction, partitions added
   * by the broker itself), Apache Kafka 4.0+. Kafka's fallback on older brokers is the earlier flow.
   */
  transactionV2: {
    feature: 'transaction version 2 (KIP-890)',
    apis: [{ key: ApiKey.EndTxn, minVersion: 5 }],
    levels: { 'transaction.version': 2 },
    hint: 'it needs Apache Kafka 4.0 or newer with transaction.version 2',
  },
} as const satisfies Record<string, FeatureRequirement>;

/** Builds a broker's features from its ApiVersions answer. */
export function brokerFeaturesOf(res: ApiVersionsResponse, broker: string): BrokerFeatures {
  return {
    broker,
    apis: new Map(res.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }] as const)),
    supported: new Map(
      res.supportedFeatures.map((f) => [f.name, { min: f.minVersion, max: f.maxVersion }] as const),
    ),
    finalized: new Map(res.finalizedFeatures.map((f) => [f.name, f.maxVersionLevel] as const)),
    finalizedEpoch: res.finalizedFeaturesEpoch,
  };
}

function featuresOf(source: FeatureSource): BrokerFeatures {
  return 'apis' in source ? source : source.features;
}

/** The finalized level of a feature on the broker's cluster; 0 when not finalized (Kafka's default). */
export function featureLevel(source: FeatureSource, name: string): number {
  return featuresOf(source).finalized.get(name) ?? 0;
}

/**
 * What the broker lacks for `requirement`, as words for an error ("the ShareFetch API (key 78)",
 * "transaction.version >= 2 (the cluster has 0)"); undefined when it offers everything.
 */
export function missingFor(source: FeatureSource, requirement: FeatureRequirement): string | undefined {
  const f = featuresOf(source);
  for (const api of requirement.apis ?? []) {
    const range = f.apis.get(api.key);
    const min = api.minVersion ?? 0;
    if (!range || range.max < min) {
      const name = `the ${apiName(api.key)} API (key ${api.key})`;
      if (!range || min === 0) return name;
      return `${name} v${min}+ (the broker has v${range.min}–v${range.max})`;
    }
  }
  for (const [name, level] of Object.entries(requirement.levels ?? {})) {
    const has = f.finalized.get(name) ?? 0;
    if (has < level) {
      const known = f.supported.has(name)
        ? `the cluster has ${has}`
        : 'the broker does not know this feature';
      return `${name} >= ${level} (${known})`;
    }
  }
  return undefined;
}

/** Whether the broker offers everything `requirement` needs. */
export function offersFeature(source: FeatureSource, requirement: FeatureRequirement): boolean {
  return missingFor(source, requirement) === undefined;
}

/** Throws an UnsupportedFeatureError naming the feature and what is missing, unless the broker offers it. */
export function requireFeature(source: FeatureSource, requirement: FeatureRequirement): void {
  const missing = missingFor(source, requirement);
  if (missing !== undefined) {
    throw new UnsupportedFeatureError(
      requirement.feature,
      missing,
      featuresOf(source).broker,
      requirement.hint,
    );
  }
}

/**
 * Throws an UnsupportedFeatureError unless the broker announces API `apiKey` (from `minVersion`
 * on), naming `feature` as what needed it. The short form of {@link requireFeature} for one API.
 */
export function requireApi(source: FeatureSource, apiKey: number, feature: string, minVersion = 0): void {
  requireFeature(source, { feature, apis: [{ key: apiKey, minVersion }] });
}

/** What {@link featureOrFallback} publishes on the `kafkawire:feature-fallback` channel. */
export interface FeatureFallbackMessage {
  /** The feature that is not used, e.g. "transaction version 2 (KIP-890)". */
  feature: string;
  /** What the broker lacks. */
  missing: string;
  /** What is used instead, e.g. "the transaction flow of transaction.version 0/1". */
  fallback: string;
  broker: string;
  /** All of the above as one log line. */
  message: string;
}

/** Diagnostics channel of feature fallbacks; subscribe to log them (`diagnostics_channel.subscribe`). */
export const FEATURE_FALLBACK_CHANNEL = DIAGNOSTICS_CHANNELS.featureFallback;
const fallbackChannel = channel(FEATURE_FALLBACK_CHANNEL);

/**
 * For a feature with a fallback Kafka defines: true when the broker offers it; otherwise false,
 * after publishing a {@link FeatureFallbackMessage} on `kafkawire:feature-fallback` saying what is
 * used instead. The caller then uses the fallback.
 */
export function featureOrFallback(
  source: FeatureSource,
  requirement: FeatureRequirement,
  fallback: string,
): boolean {
  const missing = missingFor(source, requirement);
  if (missing === undefined) return true;
  const broker = featuresOf(source).broker;
  if (fallbackChannel.hasSubscribers) {
    fallbackChannel.publish({
      feature: requirement.feature,
      missing,
      fallback,
      broker,
      message: `${requirement.feature} is not offered by broker ${broker}, which lacks ${missing}: using ${fallback}`,
    } satisfies FeatureFallbackMessage);
  }
  return false;
}
