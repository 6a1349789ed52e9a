/**
 * The error family every kafkawire failure belongs to.
 *
 * Internally failures travel as numeric Kafka error codes; an `Error` object is made where a
 * failure reaches the user. `retriable` is the one flag callers branch on: the retry policy in
 * src/network decides what to do with it, nothing else does.
 */
import { type ErrorCode, errorCodeInfo } from './error-codes.js';

/** Where a failure happened, as far as it is known. */
export interface ErrorContext {
  topic?: string;
  partition?: number;
  /** The consumer group concerned (GROUP_AUTHORIZATION_FAILED names it). */
  group?: string;
  /** The transactional id concerned (TRANSACTIONAL_ID_AUTHORIZATION_FAILED names it). */
  transactionalId?: string;
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
  /**
   * The broker's numeric error code, e.g. 6 (`ErrorCode.NOT_LEADER_OR_FOLLOWER`): compare it with
   * the `ErrorCode` constants. A code newer than the table (a broker newer than Kafka 4.3.1)
   * keeps its number, outside the union; `type` then reads `UNKNOWN_ERROR_CODE_<n>`.
   */
  readonly code: ErrorCode;
  /** The code's name as Kafka spells it, e.g. `NOT_LEADER_OR_FOLLOWER`. */
  readonly type: string;
  /** True when a metadata refresh should precede a retry. */
  readonly refreshMetadata: boolean;
  readonly topic?: string;
  readonly partition?: number;
  readonly group?: string;
  readonly transactionalId?: string;
  readonly broker?: string;
  constructor(code: number, context: ErrorContext = {}, detail?: string | null) {
    const info = errorCodeInfo(code);
    const where = describeContext(context);
    super(
      `${info.name} (${code}): ${detail ? detail : info.message}${where ? ` [${where}]` : ''}`,
      info.retriable,
    );
    this.code = code as ErrorCode;
    this.type = info.name;
    this.refreshMetadata = info.refreshMetadata;
    this.topic = context.topic;
    this.partition = context.partition;
    this.group = context.group;
    this.transactionalId = context.transactionalId;
    this.broker = context.broker;
  }
}

/** What an authorization error is about, as Java's ACL resource types name it. */
export type AuthorizationResource = 'topic' | 'group' | 'cluster' | 'transactionalId';

const AUTHORIZATION_CODES: Record<number, AuthorizationResource> = {
  29: 'topic', // TOPIC_AUTHORIZATION_FAILED
  30: 'group', // GROUP_AUTHORIZATION_FAILED
  31: 'cluster', // CLUSTER_AUTHORIZATION_FAILED
  53: 'transactionalId', // TRANSACTIONAL_ID_AUTHORIZATION_FAILED
};

/**
 * The broker's authorizer refused an operation (Java: `TopicAuthorizationException`,
 * `GroupAuthorizationException`, ...). Never retriable: asking again with the same principal
 * gets the same answer until someone changes the ACLs. Only the calls about `resourceName` fail.
 */
export class AuthorizationError extends KafkaError {
  /** The kind of resource the principal may not use. */
  readonly resourceType: AuthorizationResource;
  /** The topic, group or transactional id refused (undefined for the cluster, or when unknown). */
  readonly resourceName?: string;
  constructor(code: number, context: ErrorContext = {}, detail?: string | null) {
    super(code, context, detail);
    this.resourceType = AUTHORIZATION_CODES[code] ?? 'cluster';
    this.resourceName =
      this.resourceType === 'topic'
        ? context.topic
        : this.resourceType === 'group'
          ? context.group
          : this.resourceType === 'transactionalId'
            ? context.transactionalId
            : undefined;
  }
}

/**
 * The error for a broker's error code: an AuthorizationError for the *_AUTHORIZATION_FAILED
 * codes, a KafkaError otherwise. Use it where a code reaches the user.
 */
export function kafkaError(code: number, context: ErrorContext = {}, detail?: string | null): KafkaError {
  return code in AUTHORIZATION_CODES
    ? new AuthorizationError(code, context, detail)
    : new KafkaError(code, context, detail);
}

/**
 * Authentication with a broker failed (Java: `AuthenticationException`): bad credentials, a
 * SASL mechanism the broker does not enable, a token it refuses, a server signature that does
 * not verify. Not retriable: a reconnect with the same credentials fails the same way. The
 * message names the broker and the reason, never a password, token or key.
 */
export class AuthenticationError extends KafkawireError {
  readonly broker?: string;
  /** The SASL mechanism in use, when SASL failed. */
  readonly mechanism?: string;
  /** The broker's error code (SASL_AUTHENTICATION_FAILED, UNSUPPORTED_SASL_MECHANISM, ...), if it sent one. */
  readonly code?: number;
  /** UNSUPPORTED_SASL_MECHANISM: what the broker's listener enables. */
  readonly enabledMechanisms?: readonly string[];
  constructor(
    message: string,
    details: {
      broker?: string;
      mechanism?: string;
      code?: number;
      enabledMechanisms?: readonly string[];
    } = {},
    options?: ErrorOptions,
  ) {
    super(details.broker ? `${message} [broker ${details.broker}]` : message, false, options);
    this.broker = details.broker;
    this.mechanism = details.mechanism;
    this.code = details.code;
    this.enabledMechanisms = details.enabledMechanisms;
  }
}

/**
 * The TLS handshake failed on a certificate (Java: `SslAuthenticationException`): the broker's
 * certificate is not signed by a trusted CA, does not match the host name, has expired, or the
 * broker refused ours. `reason` is Node's code for it, e.g. `ERR_TLS_CERT_ALTNAME_INVALID`.
 */
export class SslAuthenticationError extends AuthenticationError {
  readonly reason: string;
  constructor(message: string, broker: string, reason: string, options?: ErrorOptions) {
    super(message, { broker }, options);
    this.reason = reason;
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

/**
 * A call made in a state that does not allow it (Java: `IllegalStateException`): a closed client,
 * a partition that is not assigned, a second poll while one is running. Not retriable: the same
 * call fails again until the application changes what it does.
 */
export class IllegalStateError extends KafkawireError {
  constructor(message: string) {
    super(message, false);
  }
}

/**
 * A consumer's record handler (`run`'s `eachMessage` or `eachBatch`) threw or rejected. `cause`
 * is the handler's error; topic, partition and offset name the record (for `eachBatch`, the
 * batch's first record) the consumer goes back to: nothing from there on is committed, and the
 * next poll or run delivers it again.
 */
export class HandlerError extends KafkawireError {
  readonly topic: string;
  readonly partition: number;
  /** The offset of the record whose handler failed: the partition's position now. */
  readonly offset: bigint;
  constructor(topic: string, partition: number, offset: bigint, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`Record handler failed at ${topic}-${partition} offset ${offset}: ${why}`, false, { cause });
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
  }
}

/**
 * A consumer's `keyDeserializer` or `valueDeserializer` threw on a record (Java:
 * `RecordDeserializationException`). `cause` is the deserializer's error; topic, partition and
 * offset name the record, which is the partition's position now: the records before it were
 * handed out, and every poll reports this error again until the application seeks past it
 * (`seek(tp, offset + 1n)`). Nothing from it on is committed.
 */
export class DeserializationError extends KafkawireError {
  readonly topic: string;
  readonly partition: number;
  /** The offset of the record that could not be deserialized. */
  readonly offset: bigint;
  /** Which part failed. */
  readonly part: 'key' | 'value';
  constructor(topic: string, partition: number, offset: bigint, part: 'key' | 'value', cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `Could not deserialize the ${part} of ${topic}-${partition} offset ${offset}: ${why} (seek past it to go on)`,
      false,
      { cause },
    );
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.part = part;
  }
}

/**
 * The partition's log was truncated below the consumer's position after a leader change (an
 * unclean leader election, KIP-320): records it fetched or handed out are in no replica's log
 * any more, and other records may take their offsets. Thrown by poll only with
 * `autoOffsetReset: 'none'` (with 'earliest' or 'latest' the consumer goes back to
 * `divergentOffset` by itself, as Java's does), at every poll until the application seeks. Its
 * code is OFFSET_OUT_OF_RANGE (1), like Java's `LogTruncationException`, a kind of
 * `OffsetOutOfRangeException`.
 */
export class LogTruncationError extends KafkaError {
  declare readonly topic: string;
  declare readonly partition: number;
  /** The offset the consumer had fetched up to (the next record it would have read). */
  readonly fetchOffset: bigint;
  /**
   * The first offset where the leader's log differs from what was fetched: the end of the last
   * leader epoch both share. Null when the leader knows no epoch that old (its log start moved
   * past it): then where the logs part is unknown.
   */
  readonly divergentOffset: bigint | null;
  constructor(topic: string, partition: number, fetchOffset: bigint, divergentOffset: bigint | null) {
    super(
      1,
      { topic, partition },
      divergentOffset === null
        ? `log truncated: the leader has no record of the epoch fetched up to offset ${fetchOffset}; seek to go on`
        : `log truncated at offset ${divergentOffset}, below the fetched offset ${fetchOffset}; seek to go on`,
    );
    this.fetchOffset = fetchOffset;
    this.divergentOffset = divergentOffset;
  }
}

/**
 * A compression codec this process cannot run: its native npm package failed to load (snappy,
 * lz4), or Node's `node:zlib` has no zstd (before Node 22.15 / 23.8). Not retriable. When it
 * comes from reading a partition, topic and partition name it; the consumer reports it at every
 * poll until the application seeks past the batch.
 */
export class CodecUnavailableError extends KafkawireError {
  /** The codec as Kafka's `compression.type` spells it, e.g. `zstd`. */
  readonly codec: string;
  /** The npm package that failed to load, e.g. `snappy` (null for zstd, which is Node's own). */
  readonly packageName: string | null;
  readonly topic?: string;
  readonly partition?: number;
  constructor(
    message: string,
    options: ErrorOptions & {
      codec: string;
      packageName?: string | null;
      topic?: string;
      partition?: number;
    },
  ) {
    super(message, false, options);
    this.codec = options.codec;
    this.packageName = options.packageName ?? null;
    this.topic = options.topic;
    this.partition = options.partition;
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
  if (c.group !== undefined) parts.push(`group ${c.group}`);
  if (c.transactionalId !== undefined) parts.push(`transactional id ${c.transactionalId}`);
  if (c.broker !== undefined) parts.push(`broker ${c.broker}`);
  return parts.join(', ');
}

/**
 * A transactional call made in a state that does not allow it (Java: `IllegalStateException`):
 * `send` outside `beginTransaction`, `commitTransaction` with no transaction open,
 * `sendOffsetsToTransaction` on a producer without a `transactionalId`, ... Nothing was sent and
 * the producer's state is unchanged.
 */
export class TransactionStateError extends KafkawireError {
  /** The transaction manager's state when the call was made (e.g. `ready`). */
  readonly state: string;
  constructor(message: string, state: string) {
    super(`${message} (transaction state: ${state})`, false);
    this.state = state;
  }
}

/**
 * The open transaction cannot commit (a send failed, a zombie consumer's offsets were refused,
 * TRANSACTION_ABORTABLE, ...): call `abortTransaction()`, then carry on with a new transaction
 * (Java: the `KafkaException`s other than the fatal ones). `cause` is what went wrong.
 */
export class TransactionAbortableError extends KafkawireError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, false, options);
  }
}

/**
 * The coordinator aborted the transaction because it stayed open longer than
 * `transactionTimeoutMs`. Abortable: `abortTransaction()` and carry on.
 */
export class TransactionTimedOutError extends TransactionAbortableError {}

/**
 * The producer cannot go on (Java: `ProducerFencedException`, `AuthorizationException`, ...):
 * close it. A new producer with the same `transactionalId` may take over.
 */
export class TransactionFatalError extends KafkawireError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, false, options);
  }
}

/**
 * A newer producer with the same `transactionalId` called `initTransactions()` (PRODUCER_FENCED):
 * this one's open transaction was aborted and it can do nothing more. Fatal: close it.
 */
export class ProducerFencedError extends TransactionFatalError {}

/** The record was not sent: its transaction was aborted first (Java: `TransactionAbortedException`). */
export class TransactionAbortedError extends KafkawireError {
  constructor(message = 'the transaction was aborted before the record was sent', options?: ErrorOptions) {
    super(message, false, options);
  }
}
