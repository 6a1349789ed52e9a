/**
 * The error family every kafkawire failure belongs to.
 *
 * Internally failures travel as numeric Kafka error codes; an `Error` object is made where a
 * failure reaches the user. `retriable` is the one flag callers branch on: the retry policy in
 * src/network decides what to do with it, nothing else does.
 */
import { errorCodeInfo } from './error-codes.js';

/** Where a failure happened, as far as it is known. */
export interface ErrorContext {
  topic?: string;
  partition?: number;
  broker?: string;
  apiKey?: number;
  apiVersion?: number;
}

/** Base class of every error kafkawire throws or rejects with. */
export class KafkawireError extends Error {
  /** True when repeating the same operation later may succeed. */
  readonly retriable: boolean;
  constructor(message: string, retriable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.retriable = retriable;
  }
}

/** An error code returned by a broker (see error-codes.ts for the table). */
export class KafkaError extends KafkawireError {
  /** The broker's numeric error code, e.g. 6 for NOT_LEADER_OR_FOLLOWER. */
  readonly code: number;
  /** The code's name as Kafka spells it, e.g. `NOT_LEADER_OR_FOLLOWER`. */
  readonly type: string;
  /** True when a metadata refresh should precede a retry. */
  readonly refreshMetadata: boolean;
  readonly topic?: string;
  readonly partition?: number;
  readonly broker?: string;
  constructor(code: number, context: ErrorContext = {}, detail?: string | null) {
    const info = errorCodeInfo(code);
    const where = describeContext(context);
    super(
      `${info.name} (${code}): ${detail ? detail : info.message}${where ? ` [${where}]` : ''}`,
      info.retriable,
    );
    this.code = code;
    this.type = info.name;
    this.refreshMetadata = info.refreshMetadata;
    this.topic = context.topic;
    this.partition = context.partition;
    this.broker = context.broker;
  }
}

/** Bytes that cannot be read: a truncated, corrupt or absurd frame. Never retriable. */
export class ProtocolError extends KafkawireError {
  /** The partition whose records could not be read, when the error concerns one. */
  readonly topic?: string;
  readonly partition?: number;
  constructor(message: string, options?: ErrorOptions & { topic?: string; partition?: number }) {
    super(message, false, options);
    this.topic = options?.topic;
    this.partition = options?.partition;
  }
}

/** The connection to a broker failed or closed. Retriable: the request never got an answer. */
export class ConnectionError extends KafkawireError {
  readonly broker?: string;
  constructor(message: string, broker?: string, options?: ErrorOptions) {
    super(broker ? `${message} [broker ${broker}]` : message, true, options);
    this.broker = broker;
  }
}

/** An operation did not finish in time. Retriable. */
export class TimeoutError extends KafkawireError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, true, options);
  }
}

/** The producer's buffer memory stayed full for longer than `maxBlockMs`. */
export class BufferFullError extends TimeoutError {}

/** A configuration value is missing, of the wrong type or out of range. */
export class ConfigError extends KafkawireError {
  /** The option at fault, as named in the config object (e.g. `lingerMs`). */
  readonly option: string;
  constructor(option: string, message: string) {
    super(`Invalid config ${option}: ${message}`, false);
    this.option = option;
  }
}

/** Client and broker share no version of an API, or the broker does not know it at all. */
export class UnsupportedVersionError extends KafkawireError {
  constructor(message: string) {
    super(message, false);
  }
}

/**
 * A feature the application asked for needs something the broker does not offer: an API (e.g.
 * ConsumerGroupHeartbeat for `groupProtocol: 'consumer'`) or a finalized feature level (e.g.
 * `transaction.version` 2). An {@link UnsupportedVersionError}, so code catching that catches this.
 */
export class UnsupportedFeatureError extends UnsupportedVersionError {
  /** What was asked for, e.g. "groupProtocol 'consumer' (KIP-848)". */
  readonly feature: string;
  /** What the broker lacks, e.g. "the ConsumerGroupHeartbeat API (key 68)" or "transaction.version >= 2". */
  readonly missing: string;
  /** The broker asked, "host:port". */
  readonly broker: string;
  constructor(feature: string, missing: string, broker: string, hint?: string) {
    super(`${feature} needs ${missing}, which broker ${broker} does not offer${hint ? `: ${hint}` : ''}`);
    this.feature = feature;
    this.missing = missing;
    this.broker = broker;
  }
}

function describeContext(c: ErrorContext): string {
  const parts: string[] = [];
  if (c.topic !== undefined) parts.push(`topic ${c.topic}`);
  if (c.partition !== undefined) parts.push(`partition ${c.partition}`);
  if (c.broker !== undefined) parts.push(`broker ${c.broker}`);
  return parts.join(', ');
}
