/**
 * `Kafka`, the entry object of KafkaJS's API: holds the client options and makes producers,
 * consumers and admin clients that run on kafkawire's engine.
 *
 * Owns the translation of the client-wide options (brokers, clientId, timeouts, retry, logging)
 * into kafkawire's; each client file maps its own. `ssl` and `sasl` become kafkawire's security
 * options (security.ts); what kafkawire cannot honour (a custom socket factory, a TLS option or
 * SASL mechanism it does not take) is refused with an error naming it rather than ignored, so a
 * program never runs with less security than it asked for.
 */

import { parseBootstrap } from '../network/cluster.js';
import { Connection } from '../network/connection.js';
import { resolveSecurity, type SecurityConfig } from '../network/security.js';
import { Metadata, type MetadataResponse } from '../protocol/apis/03-metadata.js';
import { type AdminConfig, KafkaJSAdmin } from './admin.js';
import { type ConsumerConfig, KafkaJSConsumer } from './consumer.js';
import { KafkaJSConnectionError, KafkaJSNonRetriableError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { KafkaJSProducer, type ProducerConfig } from './producer.js';
import { securityOf } from './security.js';
import type { KafkaConfig, RetryOptions } from './types.js';

/** KafkaJS's retry defaults. */
export const RETRY_DEFAULTS: Required<Omit<RetryOptions, 'restartOnFailure'>> = {
  maxRetryTime: 30_000,
  initialRetryTime: 300,
  factor: 0.2,
  multiplier: 2,
  retries: 5,
};

/** What every client of one `Kafka` shares. */
export interface ClientContext {
  clientId: string;
  /** Resolves the broker list (it may be a function). */
  brokers(): Promise<string[]>;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  retry: RetryOptions;
  logger: Logger;
  /** kafkawire's securityProtocol / ssl / sasl for KafkaJS's `ssl` and `sasl`. */
  security: SecurityConfig;
}

const KNOWN_OPTIONS = new Set([
  'brokers',
  'ssl',
  'sasl',
  'clientId',
  'connectionTimeout',
  'authenticationTimeout',
  'reauthenticationThreshold',
  'requestTimeout',
  'enforceRequestTimeout',
  'retry',
  'socketFactory',
  'logLevel',
  'logCreator',
]);

/**
 * A Kafka client in KafkaJS's shape (KafkaJS: `Kafka`): `new Kafka({ clientId, brokers })`, then
 * `producer()`, `consumer({ groupId })` and `admin()`.
 *
 * @example
 * ```ts
 * import { Kafka } from 'kafkawire/kafkajs';
 * const kafka = new Kafka({ clientId: 'my-app', brokers: ['localhost:9092'] });
 * const producer = kafka.producer();
 * await producer.connect();
 * await producer.send({ topic: 'orders', messages: [{ key: 'k', value: 'v' }] });
 * ```
 */
export class Kafka {
  private readonly context: ClientContext;
  private readonly rootLogger: Logger;

  constructor(config: KafkaConfig) {
    if (config === null || typeof config !== 'object') {
      throw new KafkaJSNonRetriableError('Kafka needs a config object with "brokers"');
    }
    for (const key of Object.keys(config)) {
      if (!KNOWN_OPTIONS.has(key)) throw new KafkaJSNonRetriableError(`Unknown Kafka option "${key}"`);
    }
    const security = securityOf(config.ssl, config.sasl);
    try {
      // Checked now, as kafkawire's own clients check them at construction.
      resolveSecurity(security);
    } catch (err) {
      throw new KafkaJSNonRetriableError((err as Error).message, { cause: err });
    }
    if ((config as { socketFactory?: unknown }).socketFactory !== undefined) {
      throw new KafkaJSNonRetriableError('kafkawire/kafkajs does not support "socketFactory"');
    }
    const { brokers } = config;
    if (typeof brokers !== 'function') checkBrokers(brokers);
    this.rootLogger = createLogger(config.logLevel, config.logCreator);
    this.context = {
      clientId: config.clientId ?? 'kafkajs',
      brokers: async () => {
        const list = typeof brokers === 'function' ? await brokers() : brokers;
        checkBrokers(list);
        return list;
      },
      connectTimeoutMs: positive('connectionTimeout', config.connectionTimeout),
      requestTimeoutMs: positive('requestTimeout', config.requestTimeout),
      retry: { ...RETRY_DEFAULTS, ...(config.retry ?? {}) },
      logger: this.rootLogger,
      security,
    };
  }

  /** A producer (KafkaJS: `kafka.producer()`). */
  producer(config: ProducerConfig = {}): KafkaJSProducer {
    return new KafkaJSProducer(this.context, config);
  }

  /** A consumer of a group (KafkaJS: `kafka.consumer({ groupId })`). */
  consumer(config: ConsumerConfig): KafkaJSConsumer {
    return new KafkaJSConsumer(this.context, config);
  }

  /** An admin client (KafkaJS: `kafka.admin()`). */
  admin(config: AdminConfig = {}): KafkaJSAdmin {
    return new KafkaJSAdmin(this.context, config);
  }

  /** The root logger. */
  logger(): Logger {
    return this.rootLogger;
  }
}

function checkBrokers(list: unknown): asserts list is string[] {
  if (!Array.isArray(list) || list.length === 0) {
    throw new KafkaJSNonRetriableError('Failed to connect: expected brokers array and got nothing');
  }
  try {
    parseBootstrap(list as string[]);
  } catch (err) {
    throw new KafkaJSNonRetriableError(`Invalid brokers: ${(err as Error).message}`);
  }
}

function positive(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v <= 0)
    throw new KafkaJSNonRetriableError(`${name} must be a positive integer`);
  return v;
}

/**
 * One Metadata request to the first seed broker that answers: `topics` null for every topic,
 * [] for none (just the brokers). With `allowAutoTopicCreation`, a broker with
 * `auto.create.topics.enable` (Kafka's default) creates the topics that are missing, which is
 * what a KafkaJS client does when it produces to, or subscribes to, a topic that does not exist
 * yet; kafkawire's own clients never create topics as a side effect, hence this request.
 */
export async function requestMetadata(
  ctx: ClientContext,
  topics: readonly string[] | null,
  allowAutoTopicCreation: boolean,
): Promise<MetadataResponse> {
  const brokers = parseBootstrap(await ctx.brokers());
  const { tls, authenticate } = resolveSecurity(ctx.security);
  let last: unknown;
  for (const b of brokers) {
    const conn = new Connection({
      host: b.host,
      port: b.port,
      clientId: ctx.clientId,
      connectTimeoutMs: ctx.connectTimeoutMs,
      requestTimeoutMs: ctx.requestTimeoutMs,
      tls,
      authenticate,
    });
    try {
      await conn.connect();
      return await conn.send(Metadata, {
        topics: topics === null ? null : topics.map((name) => ({ name })),
        allowAutoTopicCreation,
        includeTopicAuthorizedOperations: false,
      });
    } catch (err) {
      last = err;
    } finally {
      await conn.close(0).catch(() => {});
    }
  }
  throw new KafkaJSConnectionError(`No broker answered a metadata request: ${(last as Error)?.message}`, {
    cause: last,
  });
}
