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
} as const;

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
