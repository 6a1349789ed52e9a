/**
 * Diagnostics channels (node:diagnostics_channel): the names and message shapes kafkawire
 * publishes, a stable interface for APMs, metrics exporters and tests.
 *
 * Invariants: nothing is built or published while a channel has no subscriber (each publisher
 * checks `hasSubscribers` first, so the cost is one property read); a message never holds a
 * credential or a record's bytes; a subscriber that throws is Node's concern (it reports the
 * error on `process.nextTick`), never the request's.
 */
import { channel, tracingChannel } from 'node:diagnostics_channel';

/** Channel names, for `diagnostics_channel.subscribe(name, fn)` / `tracingChannel(name)`. */
export const DIAGNOSTICS_CHANNELS = {
  /** Plain channel: a connection finished start-up (socket, TLS, ApiVersions, SASL). */
  connect: 'kafkawire:connection:connect',
  /** Plain channel: a connection closed, with the error that closed it if any. */
  close: 'kafkawire:connection:close',
  /** Plain channel: an authenticate step succeeded (see {@link AuthenticatedMessage}). */
  authenticated: 'kafkawire:connection:authenticated',
  /**
   * TracingChannel: each request to a broker, from write to decoded response. Subscribe with
   * `tracingChannel('kafkawire:request').subscribe({ start, asyncEnd, error })`; the context
   * object is a {@link RequestMessage}, completed before `asyncStart` / `error` fire.
   */
  request: 'kafkawire:request',
  /** Plain channel: a broker lacks a feature and its fallback is used (see features.ts). */
  featureFallback: 'kafkawire:feature-fallback',
  /** Plain channel: a producer batch was acknowledged or failed for good ({@link BatchMessage}). */
  produceBatch: 'kafkawire:producer:batch',
  /** Plain channel: a consumer's Fetch was answered or failed ({@link FetchMessage}). */
  fetch: 'kafkawire:consumer:fetch',
  /** Plain channel: a group member's rebalance started, finished or failed ({@link RebalanceMessage}). */
  rebalance: 'kafkawire:consumer:rebalance',
  /**
   * TracingChannel: each offset commit of a group member, from the call to the coordinator's
   * answer (retries included); the context is a {@link CommitMessage}.
   */
  commit: 'kafkawire:consumer:commit',
} as const;

/** What `kafkawire:producer:batch` carries. */
export interface BatchMessage {
  readonly clientId: string;
  readonly topic: string;
  readonly partition: number;
  readonly records: number;
  /** The batch's bytes on the wire (compressed). */
  readonly bytes: number;
  /** Times it was sent (1 without retries; 0 when it failed before being sent). */
  readonly attempts: number;
  /** The offset of its first record, -1 when unknown (acks 0) or failed. */
  readonly baseOffset: bigint;
  /** From the batch's creation to now, ms. */
  readonly durationMs: number;
  /** Why it failed; absent when acknowledged. */
  readonly error?: Error;
}

/** What `kafkawire:consumer:fetch` carries. */
export interface FetchMessage {
  readonly clientId: string;
  readonly nodeId: number;
  /** Partitions asked for. */
  readonly partitions: number;
  /** Record bytes the answer held, all partitions together. */
  readonly bytes: number;
  readonly durationMs: number;
  readonly error?: Error;
}

/** What `kafkawire:consumer:rebalance` carries. */
export interface RebalanceMessage {
  readonly clientId: string;
  readonly group: string;
  readonly phase: 'start' | 'finish' | 'fail';
  readonly memberId: string;
  /** On finish: the generation (classic) or member epoch (KIP-848), and the whole assignment. */
  readonly generation?: number;
  readonly assigned?: readonly { topic: string; partition: number }[];
  /** On finish or fail: since the start. */
  readonly durationMs?: number;
  readonly error?: Error;
}

/** The context of one `kafkawire:consumer:commit` trace. */
export interface CommitMessage {
  readonly group: string;
  readonly memberId: string;
  readonly generation: number;
  readonly offsets: readonly { topic: string; partition: number; offset: bigint }[];
  /** Set by the TracingChannel on failure. */
  error?: unknown;
}

/** What `kafkawire:connection:connect` carries. */
export interface ConnectMessage {
  /** Unique per connection in this process. */
  readonly connectionId: number;
  /** `host:port`. */
  readonly broker: string;
  /** The broker's node id, or -1 for a bootstrap address. */
  readonly nodeId: number;
  /** From the start of the attempt (after any reconnect backoff) to ready. */
  readonly durationMs: number;
  readonly tls: boolean;
}

/** What `kafkawire:connection:close` carries. */
export interface CloseMessage {
  readonly connectionId: number;
  readonly broker: string;
  readonly nodeId: number;
  /** Why it closed; absent for a close the client asked for. */
  readonly error?: Error;
  /** Requests still in flight, failed by the close. */
  readonly inFlight: number;
}

/** What `kafkawire:connection:authenticated` carries (never a credential). */
export interface AuthenticatedMessage {
  readonly connectionId: number;
  readonly broker: string;
  readonly nodeId: number;
  /** True for a KIP-368 renewal on an open connection. */
  readonly reauthentication: boolean;
  /** The session lifetime the broker gave, 0 for none. */
  readonly sessionLifetimeMs: number;
}

/** The context of one `kafkawire:request` trace. */
export interface RequestMessage {
  readonly connectionId: number;
  readonly broker: string;
  readonly nodeId: number;
  /** The API's name, e.g. `'Produce'`. */
  readonly api: string;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  /** Bytes written, size prefix included. */
  readonly requestBytes: number;
  /** Bytes read, size prefix included (set when the response arrived). */
  responseBytes?: number;
  /** From write to decoded response or failure (set when the request settled). */
  durationMs?: number;
  /** False for a request the broker does not answer (Produce with acks 0). */
  readonly expectResponse: boolean;
  /** Set by the TracingChannel: the decoded response, or the error. */
  result?: unknown;
  error?: unknown;
}

export const connectChannel = channel(DIAGNOSTICS_CHANNELS.connect);
export const closeChannel = channel(DIAGNOSTICS_CHANNELS.close);
export const authenticatedChannel = channel(DIAGNOSTICS_CHANNELS.authenticated);
export const requestChannel = tracingChannel<unknown, RequestMessage>(DIAGNOSTICS_CHANNELS.request);
export const batchChannel = channel(DIAGNOSTICS_CHANNELS.produceBatch);
export const fetchChannel = channel(DIAGNOSTICS_CHANNELS.fetch);
export const rebalanceChannel = channel(DIAGNOSTICS_CHANNELS.rebalance);
export const commitChannel = tracingChannel<unknown, CommitMessage>(DIAGNOSTICS_CHANNELS.commit);
