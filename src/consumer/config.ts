/**
 * Consumer configuration: options, the Java consumer's defaults, and checks that name the
 * option at fault.
 */

import type { Assignor } from '../group/assignors/assignor.js';
import { RangeAssignor } from '../group/assignors/range.js';
import type { ClusterOptions } from '../network/cluster.js';
import {
  boolOption,
  enumOption,
  intOption,
  RECONNECT_OPTIONS,
  reconnectOptions,
  rejectUnknownOptions,
  stringOption,
} from '../network/config.js';
import { type ClientLog, clientLog, LOGGING_OPTIONS, type LoggingConfig } from '../network/logger.js';
import {
  type ResolvedSecurity,
  resolveSecurity,
  SECURITY_OPTIONS,
  type SecurityConfig,
} from '../network/security.js';
import { resolveTracing, TRACING_OPTIONS, type Tracing, type TracingConfig } from '../network/tracing.js';
import { ConfigError } from '../protocol/errors.js';
import type { Deserializer } from './deserializers.js';

export type AutoOffsetReset = 'earliest' | 'latest' | 'none';
export type IsolationLevelName = 'read_uncommitted' | 'read_committed';

/**
 * Options of a Consumer. Names are the camelCase of the Java consumer's configs. `K` and `V` are
 * the types the deserializers return (Buffer | null, the bytes, without them).
 */
export interface ConsumerConfig<K = Buffer | null, V = Buffer | null>
  extends SecurityConfig,
    LoggingConfig,
    TracingConfig,
    Pick<ClusterOptions, 'connectTimeoutMs' | 'reconnectBackoffMs' | 'reconnectBackoffMaxMs'> {
  /** Java: `bootstrap.servers`. */
  bootstrapServers: string | string[];
  /** Java: `client.id`. Default `kafkawire-consumer`. */
  clientId?: string;
  /**
   * Java: `group.id`. Needed for subscribe() and for commits. Optional with assign(); with it,
   * assigned partitions start from the group's committed offsets.
   */
  groupId?: string;
  /** Where to start without a committed offset, or after an out-of-range one (Java: `auto.offset.reset`). Default 'latest'. */
  autoOffsetReset?: AutoOffsetReset;
  /** Java: `isolation.level`. Default 'read_uncommitted'. */
  isolationLevel?: IsolationLevelName;
  /** Java: `fetch.min.bytes`. Default 1. */
  fetchMinBytes?: number;
  /** Java: `fetch.max.bytes`. Default 52428800. */
  fetchMaxBytes?: number;
  /** Java: `max.partition.fetch.bytes`. Default 1048576. */
  maxPartitionFetchBytes?: number;
  /** Java: `fetch.max.wait.ms`. Default 500. */
  fetchMaxWaitMs?: number;
  /** Records one poll returns at most (Java: `max.poll.records`). Default 500. */
  maxPollRecords?: number;
  /** Java: `request.timeout.ms`. Default 30000. */
  requestTimeoutMs?: number;
  /** Java: `retry.backoff.ms`. Default 100. */
  retryBackoffMs?: number;
  /** Java: `retry.backoff.max.ms`. Default 1000. */
  retryBackoffMaxMs?: number;
  /** Java: `check.crcs`. Default true. */
  checkCrcs?: boolean;
  /** Java: `metadata.max.age.ms`. Default 300000. */
  metadataMaxAgeMs?: number;
  /**
   * Commit delivered positions in the background and before rebalances and close, for
   * subscriptions (Java: `enable.auto.commit`). Default true.
   */
  enableAutoCommit?: boolean;
  /** Java: `auto.commit.interval.ms`. Default 5000. */
  autoCommitIntervalMs?: number;
  /** Java: `session.timeout.ms`. Default 45000. */
  sessionTimeoutMs?: number;
  /** Java: `heartbeat.interval.ms`. Default 3000. */
  heartbeatIntervalMs?: number;
  /** Longest gap between polls before the member leaves the group (Java: `max.poll.interval.ms`). Default 300000. */
  maxPollIntervalMs?: number;
  /** Static membership id (Java: `group.instance.id`, KIP-345). */
  groupInstanceId?: string;
  /** Assignors in order of preference (Java: `partition.assignment.strategy`). Default [range]. */
  partitionAssignmentStrategy?: readonly Assignor[];
  /**
   * The group protocol (Java: `group.protocol`): `'classic'` (JoinGroup/SyncGroup, assignors run
   * by the group's leader) or `'consumer'` (KIP-848, Kafka 4.0+: the broker assigns, rebalances are
   * incremental and no member stops for another). Default `'classic'`, as Java. With
   * `'consumer'`, `sessionTimeoutMs`, `heartbeatIntervalMs` and `partitionAssignmentStrategy` are
   * the broker's (`group.consumer.*`) and may not be set here.
   */
  groupProtocol?: 'classic' | 'consumer';
  /**
   * With `groupProtocol: 'consumer'`, the broker-side assignor (Java: `group.remote.assignor`):
   * `'uniform'` or `'range'`. Default: the broker's (`uniform`).
   */
  groupRemoteAssignor?: string;
  /**
   * Java: `key.deserializer`. Turns each record's key into what the application gets (typed `K`);
   * `stringDeserializer` and `jsonDeserializer` are built in. Default: the bytes (Buffer | null).
   */
  keyDeserializer?: Deserializer<K>;
  /** Java: `value.deserializer`. As `keyDeserializer`, for values (typed `V`). */
  valueDeserializer?: Deserializer<V>;
  /**
   * The rack this consumer runs in (Java: `client.rack`, KIP-392). With brokers that set
   * `broker.rack` and `replica.selector.class` (e.g. Kafka's RackAwareReplicaSelector), a
   * partition is read from the replica the leader names, in this rack, instead of the leader.
   * Default '' (always the leader).
   */
  clientRack?: string;
}

export interface ResolvedConsumerConfig {
  clientRack: string;
  keyDeserializer: Deserializer<unknown> | null;
  valueDeserializer: Deserializer<unknown> | null;
  bootstrapServers: string | string[];
  log: ClientLog;
  /** OpenTelemetry tracing when `tracing: true` (tracing.ts), else null. */
  tracing: Tracing | null;
  clientId: string;
  groupId: string | null;
  autoOffsetReset: AutoOffsetReset;
  isolationLevel: 0 | 1;
  fetchMinBytes: number;
  fetchMaxBytes: number;
  maxPartitionFetchBytes: number;
  fetchMaxWaitMs: number;
  maxPollRecords: number;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  checkCrcs: boolean;
  metadataMaxAgeMs: number;
  connectTimeoutMs?: number;
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
  enableAutoCommit: boolean;
  autoCommitIntervalMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  groupInstanceId: string | null;
  partitionAssignmentStrategy: readonly Assignor[];
  groupProtocol: 'classic' | 'consumer';
  groupRemoteAssignor: string | null;
  security: ResolvedSecurity;
}

/** Every option a Consumer takes (the CLI maps Java names onto these). */
export const CONSUMER_OPTIONS = [
  'bootstrapServers',
  'clientId',
  'groupId',
  'autoOffsetReset',
  'isolationLevel',
  'fetchMinBytes',
  'fetchMaxBytes',
  'maxPartitionFetchBytes',
  'fetchMaxWaitMs',
  'maxPollRecords',
  'requestTimeoutMs',
  'retryBackoffMs',
  'retryBackoffMaxMs',
  'checkCrcs',
  'metadataMaxAgeMs',
  ...SECURITY_OPTIONS,
  'connectTimeoutMs',
  'enableAutoCommit',
  'autoCommitIntervalMs',
  'sessionTimeoutMs',
  'heartbeatIntervalMs',
  'maxPollIntervalMs',
  'groupInstanceId',
  'partitionAssignmentStrategy',
  'groupProtocol',
  'groupRemoteAssignor',
  'keyDeserializer',
  'valueDeserializer',
  'clientRack',
  ...RECONNECT_OPTIONS,
  ...LOGGING_OPTIONS,
  ...TRACING_OPTIONS,
] as const;

const INT32_MAX = 2147483647;

function deserializerOption(name: string, d: unknown): Deserializer<unknown> | null {
  if (d === undefined || d === null) return null;
  if (typeof d !== 'function')
    throw new ConfigError(name, `expected a function (data, topic, headers) => value, got ${typeof d}`);
  return d as Deserializer<unknown>;
}

export function resolveConsumerConfig<K, V>(c: ConsumerConfig<K, V>): ResolvedConsumerConfig {
  if (c === null || typeof c !== 'object') throw new ConfigError('config', 'expected an object');
  rejectUnknownOptions(c, CONSUMER_OPTIONS, 'consumer');
  if (c.bootstrapServers === undefined) throw new ConfigError('bootstrapServers', 'is required');
  const groupId = stringOption('groupId', c.groupId, null);
  if (groupId === '') throw new ConfigError('groupId', 'must not be empty');
  const isolation = enumOption('isolationLevel', c.isolationLevel, 'read_uncommitted', [
    'read_uncommitted',
    'read_committed',
  ] as const);
  const strategy = c.partitionAssignmentStrategy ?? [RangeAssignor];
  if (
    !Array.isArray(strategy) ||
    strategy.length === 0 ||
    strategy.some((a) => typeof a?.assign !== 'function')
  ) {
    throw new ConfigError('partitionAssignmentStrategy', 'expected a non-empty array of assignors');
  }
  const sessionTimeoutMs = intOption('sessionTimeoutMs', c.sessionTimeoutMs, 45_000, 1, INT32_MAX);
  const heartbeatIntervalMs = intOption('heartbeatIntervalMs', c.heartbeatIntervalMs, 3_000, 1, INT32_MAX);
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new ConfigError('heartbeatIntervalMs', `must be lower than sessionTimeoutMs (${sessionTimeoutMs})`);
  }
  const groupInstanceId = stringOption('groupInstanceId', c.groupInstanceId, null);
  const groupProtocol = enumOption('groupProtocol', c.groupProtocol, 'classic', [
    'classic',
    'consumer',
  ] as const);
  const groupRemoteAssignor = stringOption('groupRemoteAssignor', c.groupRemoteAssignor, null);
  if (groupProtocol === 'consumer') {
    // As Java: under KIP-848 these live on the broker (group.consumer.session.timeout.ms, ...).
    for (const name of ['sessionTimeoutMs', 'heartbeatIntervalMs', 'partitionAssignmentStrategy'] as const) {
      if (c[name] !== undefined)
        throw new ConfigError(
          name,
          `is not used with groupProtocol 'consumer': the broker sets it (group.consumer.*)${name === 'partitionAssignmentStrategy' ? '; choose a broker-side assignor with groupRemoteAssignor' : ''}`,
        );
    }
  } else if (groupRemoteAssignor !== null) {
    throw new ConfigError(
      'groupRemoteAssignor',
      "applies to groupProtocol 'consumer' only; use partitionAssignmentStrategy",
    );
  }
  if (groupRemoteAssignor === '') throw new ConfigError('groupRemoteAssignor', 'must not be empty');
  const clientId = stringOption('clientId', c.clientId, 'kafkawire-consumer') ?? 'kafkawire-consumer';
  return {
    clientRack: stringOption('clientRack', c.clientRack, '') ?? '',
    keyDeserializer: deserializerOption('keyDeserializer', c.keyDeserializer),
    valueDeserializer: deserializerOption('valueDeserializer', c.valueDeserializer),
    groupProtocol,
    groupRemoteAssignor,
    enableAutoCommit: boolOption('enableAutoCommit', c.enableAutoCommit, true),
    autoCommitIntervalMs: intOption('autoCommitIntervalMs', c.autoCommitIntervalMs, 5_000, 0, INT32_MAX),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    maxPollIntervalMs: intOption('maxPollIntervalMs', c.maxPollIntervalMs, 300_000, 1, INT32_MAX),
    groupInstanceId: groupInstanceId === '' ? null : groupInstanceId,
    partitionAssignmentStrategy: strategy,
    bootstrapServers: c.bootstrapServers,
    clientId,
    log: clientLog(c, 'consumer', clientId),
    tracing: resolveTracing(c, 'consumer', clientId),
    groupId,
    autoOffsetReset: enumOption('autoOffsetReset', c.autoOffsetReset, 'latest', [
      'earliest',
      'latest',
      'none',
    ] as const),
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    fetchMinBytes: intOption('fetchMinBytes', c.fetchMinBytes, 1, 0, INT32_MAX),
    fetchMaxBytes: intOption('fetchMaxBytes', c.fetchMaxBytes, 52_428_800, 1, INT32_MAX),
    maxPartitionFetchBytes: intOption(
      'maxPartitionFetchBytes',
      c.maxPartitionFetchBytes,
      1_048_576,
      1,
      INT32_MAX,
    ),
    fetchMaxWaitMs: intOption('fetchMaxWaitMs', c.fetchMaxWaitMs, 500, 0, INT32_MAX),
    maxPollRecords: intOption('maxPollRecords', c.maxPollRecords, 500, 1, INT32_MAX),
    requestTimeoutMs: intOption('requestTimeoutMs', c.requestTimeoutMs, 30_000, 1, INT32_MAX),
    retryBackoffMs: intOption('retryBackoffMs', c.retryBackoffMs, 100, 0, INT32_MAX),
    retryBackoffMaxMs: Math.max(
      intOption('retryBackoffMaxMs', c.retryBackoffMaxMs, 1000, 0, INT32_MAX),
      intOption('retryBackoffMs', c.retryBackoffMs, 100, 0, INT32_MAX),
    ),
    checkCrcs: boolOption('checkCrcs', c.checkCrcs, true),
    metadataMaxAgeMs: intOption('metadataMaxAgeMs', c.metadataMaxAgeMs, 300_000, 0, INT32_MAX),
    connectTimeoutMs:
      c.connectTimeoutMs === undefined
        ? undefined
        : intOption('connectTimeoutMs', c.connectTimeoutMs, 10_000, 1, INT32_MAX),
    ...reconnectOptions(c),
    security: resolveSecurity(c),
  };
}
