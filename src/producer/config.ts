/**
 * Producer configuration: the options, their defaults (those of the Java producer), and the
 * checks that turn a wrong value into one ConfigError naming the option at construction.
 */
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
import { Compression, zstdAvailable } from '../protocol/codecs/index.js';
import { ConfigError } from '../protocol/errors.js';
import type { Partitioner } from './partitioner.js';

/** Turns a key or value into bytes (Java: `key.serializer` / `value.serializer`). */
export type Serializer<T> = (data: T, topic: string) => Buffer | null;

export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** Options of a Producer. Names are the camelCase of the Java producer's configs. */
export interface ProducerConfig<K = Buffer | string | null, V = Buffer | string | null>
  extends SecurityConfig,
    LoggingConfig,
    TracingConfig,
    Pick<ClusterOptions, 'connectTimeoutMs' | 'reconnectBackoffMs' | 'reconnectBackoffMaxMs'> {
  /** `host:port` list (Java: `bootstrap.servers`). */
  bootstrapServers: string | string[];
  /** Java: `client.id`. Default `kafkawire-producer`. */
  clientId?: string;
  /** Acknowledgements: 0, 1, or -1 / 'all' (Java: `acks`). Default 'all'. */
  acks?: 0 | 1 | -1 | 'all';
  /** Exactly-once per partition through sequence numbers (Java: `enable.idempotence`). Default true. */
  enableIdempotence?: boolean;
  /** Upper bound of a batch in bytes (Java: `batch.size`). Default 16384. */
  batchSize?: number;
  /** How long a batch waits for more records (Java: `linger.ms`). Default 5. */
  lingerMs?: number;
  /**
   * Memory for batches waiting or in flight (Java: `buffer.memory`): their bytes plus 256 bytes
   * per unacknowledged record (what its send holds). Default 32 MiB.
   */
  bufferMemory?: number;
  /** How long `send` may wait for metadata or buffer memory (Java: `max.block.ms`). Default 60000. */
  maxBlockMs?: number;
  /** Largest produce request (Java: `max.request.size`). Default 1048576. */
  maxRequestSize?: number;
  /** Java: `compression.type`. Default 'none'. */
  compressionType?: CompressionType;
  /** Java: `request.timeout.ms`. Default 30000. */
  requestTimeoutMs?: number;
  /** Upper bound from send() to success or failure, retries included (Java: `delivery.timeout.ms`). Default 120000. */
  deliveryTimeoutMs?: number;
  /** Java: `retries`. Default 2147483647 (bounded by deliveryTimeoutMs). */
  retries?: number;
  /** Java: `retry.backoff.ms`. Default 100. */
  retryBackoffMs?: number;
  /** Java: `retry.backoff.max.ms`. Default 1000. */
  retryBackoffMaxMs?: number;
  /** Java: `max.in.flight.requests.per.connection`. Default 5 (at most 5 with idempotence). */
  maxInFlightRequestsPerConnection?: number;
  /** Java: `metadata.max.age.ms`. Default 300000. */
  metadataMaxAgeMs?: number;
  /** Custom partitioner (Java: `partitioner.class`). */
  partitioner?: Partitioner;
  /** Java: `key.serializer`. Default: Buffer as is, string as UTF-8, null as null. */
  keySerializer?: Serializer<K>;
  /** Java: `value.serializer`. Default: Buffer as is, string as UTF-8, null as null. */
  valueSerializer?: Serializer<V>;
  /**
   * Makes the producer transactional (Java: `transactional.id`): call `initTransactions()` once,
   * then send inside `beginTransaction()` … `commitTransaction()`. It must be the same across
   * restarts of one instance, and differ between instances that run at the same time: a new
   * producer with the id fences the old one. Requires idempotence. Default none.
   */
  transactionalId?: string;
  /**
   * How long the coordinator lets a transaction stay open before aborting it (Java:
   * `transaction.timeout.ms`); at most the broker's `transaction.max.timeout.ms`. Default 60000.
   */
  transactionTimeoutMs?: number;
}

export interface ResolvedProducerConfig {
  bootstrapServers: string | string[];
  log: ClientLog;
  /** OpenTelemetry tracing when `tracing: true` (tracing.ts), else null. */
  tracing: Tracing | null;
  clientId: string;
  acks: 0 | 1 | -1;
  enableIdempotence: boolean;
  batchSize: number;
  lingerMs: number;
  bufferMemory: number;
  maxBlockMs: number;
  maxRequestSize: number;
  compression: number;
  requestTimeoutMs: number;
  deliveryTimeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  maxInFlightRequestsPerConnection: number;
  metadataMaxAgeMs: number;
  connectTimeoutMs?: number;
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
  security: ResolvedSecurity;
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

/** Every option a Producer takes (the CLI maps Java names onto these). */
export const PRODUCER_OPTIONS = [
  'bootstrapServers',
  'clientId',
  'acks',
  'enableIdempotence',
  'batchSize',
  'lingerMs',
  'bufferMemory',
  'maxBlockMs',
  'maxRequestSize',
  'compressionType',
  'requestTimeoutMs',
  'deliveryTimeoutMs',
  'retries',
  'retryBackoffMs',
  'retryBackoffMaxMs',
  'maxInFlightRequestsPerConnection',
  'metadataMaxAgeMs',
  'partitioner',
  'keySerializer',
  'valueSerializer',
  ...SECURITY_OPTIONS,
  'connectTimeoutMs',
  ...RECONNECT_OPTIONS,
  ...LOGGING_OPTIONS,
  ...TRACING_OPTIONS,
  'transactionalId',
  'transactionTimeoutMs',
] as const;

const INT32_MAX = 2147483647;

export function resolveProducerConfig(c: ProducerConfig<never, never>): ResolvedProducerConfig {
  if (c === null || typeof c !== 'object') throw new ConfigError('config', 'expected an object');
  rejectUnknownOptions(c, PRODUCER_OPTIONS, 'producer');
  if (c.bootstrapServers === undefined) throw new ConfigError('bootstrapServers', 'is required');
  const acksRaw = enumOption('acks', c.acks, 'all', [0, 1, -1, 'all'] as const);
  const acks = acksRaw === 'all' ? -1 : acksRaw;
  const idempotenceSet = c.enableIdempotence !== undefined;
  const transactionalId = stringOption('transactionalId', c.transactionalId, null) ?? null;
  if (transactionalId === '') throw new ConfigError('transactionalId', 'must not be empty');
  if (transactionalId !== null && c.enableIdempotence === false) {
    // As Java: transactions are built on the idempotent producer's sequence numbers.
    throw new ConfigError(
      'enableIdempotence',
      'a transactionalId requires idempotence; leave enableIdempotence on',
    );
  }
  const compressionType = enumOption('compressionType', c.compressionType, 'none', [
    'none',
    'gzip',
    'snappy',
    'lz4',
    'zstd',
  ] as const);
  // Refused here rather than failing every batch later, from a timer (see codecs/zlib.ts).
  if (compressionType === 'zstd' && !zstdAvailable())
    throw new ConfigError(
      'compressionType',
      `zstd needs Node 22.15+ or 23.8+ (node:zlib), this is ${process.version}`,
    );
  const clientId = stringOption('clientId', c.clientId, 'kafkawire-producer') ?? 'kafkawire-producer';
  const r: ResolvedProducerConfig = {
    bootstrapServers: c.bootstrapServers,
    clientId,
    log: clientLog(c, 'producer', clientId),
    tracing: resolveTracing(c, 'producer', clientId),
    acks,
    // Java turns idempotence off silently when acks != all and it was not asked for explicitly.
    // A transactionalId needs it whatever acks says (and then refuses acks other than all).
    enableIdempotence: boolOption(
      'enableIdempotence',
      c.enableIdempotence,
      acks === -1 || transactionalId !== null,
    ),
    batchSize: intOption('batchSize', c.batchSize, 16384, 1, INT32_MAX),
    lingerMs: intOption('lingerMs', c.lingerMs, 5, 0, INT32_MAX),
    bufferMemory: intOption('bufferMemory', c.bufferMemory, 32 * 1024 * 1024, 1024),
    maxBlockMs: intOption('maxBlockMs', c.maxBlockMs, 60_000, 0, INT32_MAX),
    maxRequestSize: intOption('maxRequestSize', c.maxRequestSize, 1_048_576, 64, INT32_MAX),
    compression: Compression[compressionType],
    requestTimeoutMs: intOption('requestTimeoutMs', c.requestTimeoutMs, 30_000, 1, INT32_MAX),
    deliveryTimeoutMs: intOption('deliveryTimeoutMs', c.deliveryTimeoutMs, 120_000, 1, INT32_MAX),
    retries: intOption('retries', c.retries, INT32_MAX, 0, INT32_MAX),
    retryBackoffMs: intOption('retryBackoffMs', c.retryBackoffMs, 100, 0, INT32_MAX),
    retryBackoffMaxMs: intOption('retryBackoffMaxMs', c.retryBackoffMaxMs, 1000, 0, INT32_MAX),
    maxInFlightRequestsPerConnection: intOption(
      'maxInFlightRequestsPerConnection',
      c.maxInFlightRequestsPerConnection,
      5,
      1,
      INT32_MAX,
    ),
    metadataMaxAgeMs: intOption('metadataMaxAgeMs', c.metadataMaxAgeMs, 300_000, 0, INT32_MAX),
    connectTimeoutMs:
      c.connectTimeoutMs === undefined
        ? undefined
        : intOption('connectTimeoutMs', c.connectTimeoutMs, 10_000, 1, INT32_MAX),
    ...reconnectOptions(c),
    security: resolveSecurity(c),
    transactionalId,
    transactionTimeoutMs: intOption('transactionTimeoutMs', c.transactionTimeoutMs, 60_000, 1, INT32_MAX),
  };
  if (r.enableIdempotence) {
    // The Java producer's own checks (KIP-679): idempotence needs acks=all, retries and at most 5 in flight.
    if (r.acks !== -1) {
      throw new ConfigError(
        'acks',
        `enableIdempotence requires acks 'all' (-1), got ${r.acks}${idempotenceSet ? '' : '; set enableIdempotence: false to use it'}`,
      );
    }
    if (r.retries === 0) throw new ConfigError('retries', 'enableIdempotence requires retries > 0');
    if (r.maxInFlightRequestsPerConnection > 5) {
      throw new ConfigError(
        'maxInFlightRequestsPerConnection',
        'enableIdempotence allows at most 5 requests in flight',
      );
    }
  }
  if (r.retryBackoffMaxMs < r.retryBackoffMs) r.retryBackoffMaxMs = r.retryBackoffMs;
  if (c.deliveryTimeoutMs === undefined && r.deliveryTimeoutMs < r.lingerMs + r.requestTimeoutMs) {
    // As Java: a default that is too small for the other timeouts is raised, not refused.
    r.deliveryTimeoutMs = r.lingerMs + r.requestTimeoutMs;
  }
  if (r.deliveryTimeoutMs < r.lingerMs + r.requestTimeoutMs) {
    throw new ConfigError(
      'deliveryTimeoutMs',
      `must be at least lingerMs + requestTimeoutMs (${r.lingerMs + r.requestTimeoutMs}), got ${r.deliveryTimeoutMs}`,
    );
  }
  if (r.batchSize > r.bufferMemory)
    throw new ConfigError('batchSize', `exceeds bufferMemory (${r.bufferMemory})`);
  if (c.partitioner !== undefined && typeof c.partitioner !== 'function') {
    throw new ConfigError('partitioner', 'expected a function');
  }
  for (const name of ['keySerializer', 'valueSerializer'] as const) {
    if (c[name] !== undefined && typeof c[name] !== 'function')
      throw new ConfigError(name, 'expected a function');
  }
  return r;
}
