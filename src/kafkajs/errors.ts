/**
 * KafkaJS's error classes, and the one function that turns a kafkawire error into one of them.
 *
 * Invariant: every error that leaves `kafkawire/kafkajs` is a `KafkaJSError` (or, for handler
 * failures the application threw itself, a KafkaJS wrapper whose `cause` is that error), with
 * the native kafkawire error as `cause` where there is one, so neither information is lost.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import {
  ConfigError,
  ConnectionError,
  KafkaError,
  KafkawireError,
  TimeoutError,
} from '../protocol/errors.js';

/** Where a KafkaJS error happened, as far as it is known (KafkaJS's `KafkaJSErrorMetadata`). */
export interface KafkaJSErrorMetadata {
  /** Overrides whether retrying may help (default true for `KafkaJSError`). */
  retriable?: boolean;
  topic?: string;
  partitionId?: number;
  /** The underlying error. */
  cause?: unknown;
}

/** Base class of every error `kafkawire/kafkajs` throws (KafkaJS: `KafkaJSError`). */
export class KafkaJSError extends Error {
  /** True when repeating the operation later may succeed. */
  readonly retriable: boolean;
  /** Link to KafkaJS's documentation of the error, where it has one (never set here). */
  readonly helpUrl?: string;
  constructor(e: Error | string, metadata: KafkaJSErrorMetadata = {}) {
    super(typeof e === 'string' ? e : e.message, {
      cause: metadata.cause ?? (typeof e === 'string' ? undefined : e),
    });
    this.name = new.target.name;
    this.retriable = metadata.retriable ?? true;
  }
}

/** An error that retrying cannot fix (KafkaJS: `KafkaJSNonRetriableError`). */
export class KafkaJSNonRetriableError extends KafkaJSError {
  constructor(e: Error | string, metadata: Omit<KafkaJSErrorMetadata, 'retriable'> = {}) {
    super(e, { ...metadata, retriable: false });
  }
}

/** A broker returned an error code (KafkaJS: `KafkaJSProtocolError`). */
export class KafkaJSProtocolError extends KafkaJSError {
  /** The broker's numeric error code, e.g. 3. */
  readonly code: number;
  /** The code's name as Kafka spells it, e.g. `UNKNOWN_TOPIC_OR_PARTITION`. */
  readonly type: string;
  /** Topic and partition of the failure, when the broker reported it for one. */
  readonly topic?: string;
  readonly partition?: number;
  constructor(e: KafkaError) {
    super(e.message, { retriable: e.retriable, cause: e });
    this.code = e.code;
    this.type = e.type;
    this.topic = e.topic;
    this.partition = e.partition;
  }
}

/** OFFSET_OUT_OF_RANGE for one partition (KafkaJS: `KafkaJSOffsetOutOfRange`). */
export class KafkaJSOffsetOutOfRange extends KafkaJSProtocolError {}

/** A connection failed or closed (KafkaJS: `KafkaJSConnectionError`). Retriable. */
export class KafkaJSConnectionError extends KafkaJSError {
  /** `host:port` of the broker, when known. */
  readonly broker?: string;
  constructor(e: Error | string, metadata: KafkaJSErrorMetadata & { broker?: string } = {}) {
    super(e, { ...metadata, retriable: true });
    this.broker = metadata.broker;
  }
}

/** A request got no answer in time (KafkaJS: `KafkaJSRequestTimeoutError`). Retriable. */
export class KafkaJSRequestTimeoutError extends KafkaJSError {
  constructor(e: Error | string, metadata: KafkaJSErrorMetadata = {}) {
    super(e, { ...metadata, retriable: true });
  }
}

/** An operation did not finish in time (KafkaJS: `KafkaJSTimeout`). */
export class KafkaJSTimeout extends KafkaJSError {}

/**
 * An operation failed with retriable errors more often than `retry.retries` allows (KafkaJS:
 * `KafkaJSNumberOfRetriesExceeded`); `cause` is the last failure.
 */
export class KafkaJSNumberOfRetriesExceeded extends KafkaJSNonRetriableError {
  /** Retries made before giving up. */
  readonly retryCount: number;
  /** The wait before the last retry, in ms. */
  readonly retryTime: number;
  constructor(e: Error | string, metadata: { retryCount: number; retryTime: number; cause?: unknown }) {
    super(e, { cause: metadata.cause });
    this.retryCount = metadata.retryCount;
    this.retryTime = metadata.retryTime;
  }
}

/** Several failures at once, e.g. one per topic (KafkaJS: `KafkaJSAggregateError`). */
export class KafkaJSAggregateError extends Error {
  readonly errors: (Error | string)[];
  constructor(message: Error | string, errors: (Error | string)[]) {
    super(typeof message === 'string' ? message : message.message);
    this.name = 'KafkaJSAggregateError';
    this.errors = errors;
  }
}

/** Some groups could not be deleted (KafkaJS: `KafkaJSDeleteGroupsError`). */
export class KafkaJSDeleteGroupsError extends KafkaJSError {
  readonly groups: { groupId: string; errorCode: number; error: KafkaJSError }[];
  constructor(e: Error | string, groups: { groupId: string; errorCode: number; error: KafkaJSError }[] = []) {
    super(e);
    this.groups = groups;
  }
}

/** A topic's metadata has not been loaded (KafkaJS: `KafkaJSTopicMetadataNotLoaded`). */
export class KafkaJSTopicMetadataNotLoaded extends KafkaJSError {
  readonly topic: string;
  constructor(e: Error | string, metadata: { topic: string }) {
    super(e);
    this.topic = metadata.topic;
  }
}

/** Turns whatever kafkawire threw into a KafkaJS error; KafkaJS errors pass through as they are. */
export function toKafkaJSError(err: unknown): Error {
  if (err instanceof KafkaJSError || err instanceof KafkaJSAggregateError) return err;
  if (err instanceof KafkaError) {
    return err.code === ErrorCode.OFFSET_OUT_OF_RANGE
      ? new KafkaJSOffsetOutOfRange(err)
      : new KafkaJSProtocolError(err);
  }
  if (err instanceof ConnectionError) return new KafkaJSConnectionError(err, { broker: err.broker });
  if (err instanceof TimeoutError) return new KafkaJSRequestTimeoutError(err);
  if (err instanceof ConfigError) return new KafkaJSNonRetriableError(err);
  if (err instanceof KafkawireError) return new KafkaJSError(err, { retriable: err.retriable });
  if (err instanceof Error) return err;
  return new KafkaJSError(String(err));
}

/**
 * What KafkaJS's producer and admin calls reject with once kafkawire gave up: a retriable failure
 * means the retries ran out (`KafkaJSNumberOfRetriesExceeded`, `cause` the KafkaJS form of the
 * failure); a non-retriable one is wrapped in `KafkaJSNonRetriableError`, as KafkaJS's retrier
 * does, except that a non-retriable broker error stays a `KafkaJSProtocolError`: its `code` and
 * `type` are what applications test (and its `cause.type` too, where KafkaJS code looks).
 */
export function afterRetries(err: unknown, retries: number): Error {
  const e = toKafkaJSError(err);
  if (e instanceof KafkaJSProtocolError && !e.retriable) return e;
  if (e instanceof KafkaJSError && !(e instanceof KafkaJSNonRetriableError) && e.retriable) {
    return new KafkaJSNumberOfRetriesExceeded(e, { retryCount: retries, retryTime: 0, cause: e });
  }
  if (e instanceof KafkaJSError || !(e instanceof Error)) return e;
  return new KafkaJSNonRetriableError(e, { cause: e });
}
