/**
 * Connection: one socket to one broker, and every request in flight on it.
 *
 * Owns: the socket (plain TCP, or TLS when `tls` is given), the size-prefixed framing of what
 * comes back, correlation ids, the queue of requests in flight, their deadlines, and the API
 * versions the broker announced.
 *
 * Invariants:
 * - A broker answers requests on one connection in the order they were sent, so in-flight
 *   requests are a FIFO: a response whose correlation id is not the head's is a protocol
 *   violation and kills the connection.
 * - A request that times out kills the connection (its late answer would otherwise be read as
 *   the next request's); every request still in flight fails with a retriable ConnectionError.
 * - Nothing is re-sent by this class: whether a request is safe to repeat is the caller's call
 *   (a produce without idempotence is not).
 * - No response larger than `maxResponseSize` is buffered: the size prefix is checked first.
 *
 * Start-up runs in three steps, so TLS and SASL slot in without touching callers:
 * open the socket (net or tls) → ApiVersions negotiation → `authenticate` step → ready.
 * Before them it may wait `connectDelayMs` (the cluster's reconnect backoff for this address);
 * every caller of `connect()` shares that one wait and that one attempt.
 *
 * Re-authentication (KIP-368): when the authenticate step reports a session lifetime, the
 * connection runs the step again at 85–95 % of it (Java's window). Requests already in flight
 * are answered first (the broker handles one connection's requests in order); requests sent
 * meanwhile wait until it ends, because a broker reads every frame between SaslHandshake and the
 * last SaslAuthenticate as part of the exchange. Nothing in flight fails.
 *
 * Diagnostics (diagnostics.ts): `kafkawire:connection:connect` / `:close` / `:authenticated`, and
 * each request traced on the `kafkawire:request` TracingChannel — built only when subscribed.
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { type ApiDescriptor, responseHeaderIsFlexible, writeRequestHeader } from '../protocol/api.js';
import { ApiVersions, type ApiVersionsResponse } from '../protocol/apis/18-api-versions.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  ConnectionError,
  KafkaError,
  KafkawireError,
  ProtocolError,
  TimeoutError,
  UnsupportedVersionError,
} from '../protocol/errors.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { CLIENT_SOFTWARE_NAME, CLIENT_SOFTWARE_VERSION } from '../version.js';
import {
  authenticatedChannel,
  closeChannel,
  connectChannel,
  type RequestMessage,
  requestChannel,
} from './diagnostics.js';
import { type BrokerFeatures, brokerFeaturesOf } from './features.js';
import type { ConnectionObserver } from './metrics.js';
import { tlsConnectOptions, tlsError } from './tls.js';
import { pickVersion, type VersionRange } from './versions.js';

let connectionIds = 0;

export interface ConnectionOptions {
  host: string;
  port: number;
  /** Sent in every request header (Java: `client.id`). */
  clientId?: string | null;
  /** Time allowed to open the socket and finish start-up (Java: `socket.connection.setup.timeout.ms`). */
  connectTimeoutMs?: number;
  /** Default time a request may wait for its response (Java: `request.timeout.ms`). */
  requestTimeoutMs?: number;
  /** Largest response accepted; a larger size prefix kills the connection. Default 100 MiB. */
  maxResponseSize?: number;
  /** Use TLS with these options instead of plain TCP. */
  tls?: tls.ConnectionOptions;
  /**
   * Runs after version negotiation and before the connection is ready: the place for a SASL
   * exchange. Requests go through `session.send`, which does not wait for readiness (other
   * callers' requests do, so nothing else reaches the broker before authentication ends).
   * A returned `sessionLifetimeMs` makes the connection run it again before the session ends.
   */
  authenticate?: (session: AuthSession) => Promise<AuthResult | undefined> | Promise<void>;
  /** Node id of the broker, when known from metadata (-1 for a bootstrap address). */
  nodeId?: number;
  /** The client's metrics (metrics.ts): told of each request settled, each connect and close. */
  observer?: ConnectionObserver;
  /**
   * Wait this long before opening the socket: the reconnect backoff the cluster computed for
   * this address after failed attempts. Not part of `connectTimeoutMs`. Default 0.
   */
  connectDelayMs?: number;
}

export interface SendOptions {
  /** Version to use; default: the highest both sides support. */
  version?: number;
  /** Highest version to use when `version` is not given (e.g. Produce v11 for a transaction without TV2). */
  maxVersion?: number;
  /** Overrides the connection's request timeout for this request. */
  timeoutMs?: number;
  /** False for requests the broker does not answer (Produce with acks=0). Default true. */
  expectResponse?: boolean;
}

/** What an `authenticate` hook gets: the connection, and a send that works before it is ready. */
export interface AuthSession {
  readonly connection: Connection;
  /** True when an authenticated connection renews its session (KIP-368). */
  readonly reauthentication: boolean;
  /** Sends during authentication; the timeout defaults to what is left of the step's deadline. */
  send<Req, Res>(api: ApiDescriptor<Req, Res>, request: Req, options?: SendOptions): Promise<Res>;
}

/** What an `authenticate` hook may report. */
export interface AuthResult {
  /** The broker's session lifetime (SaslAuthenticate v1+); 0 when the session does not expire. */
  sessionLifetimeMs?: number;
}

interface InFlight {
  correlationId: number;
  api: ApiDescriptor<unknown, unknown>;
  version: number;
  deadline: number;
  /** The trace context, when `kafkawire:request` has subscribers. */
  trace: RequestMessage | null;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** A request as written, before it joins the in-flight queue. */
interface Sent {
  api: ApiDescriptor<unknown, unknown>;
  version: number;
  correlationId: number;
  timeoutMs: number;
  trace: RequestMessage | null;
}

/** An encoded request: one buffer, or its pieces in order (see Writer.toChunks). */
type Frame = Buffer | Buffer[];

/** Writes a frame; pieces in one corked write (one writev), `done` after the last. */
function writeFrame(socket: net.Socket, frame: Frame, done?: (err?: Error | null) => void): void {
  if (!Array.isArray(frame)) {
    socket.write(frame, done);
    return;
  }
  socket.cork();
  const last = frame.length - 1;
  for (let i = 0; i < last; i++) socket.write(frame[i]);
  socket.write(frame[last], done);
  socket.uncork();
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** The broker accepts one renewal per second (KafkaChannel's minimum interval), plus a margin. */
const MIN_RENEWAL_INTERVAL_MS = 1_050;
const DEFAULT_MAX_RESPONSE_SIZE = 100 * 1024 * 1024;

type State = 'new' | 'connecting' | 'ready' | 'closed';

/**
 * A connection to one broker. Emits `'ready'` once start-up is done, and `'close'` (with the
 * error that ended it, if any) once.
 */
const NO_FEATURES: ReadonlyMap<string, number> = new Map();

export class Connection extends EventEmitter {
  readonly host: string;
  readonly port: number;
  readonly nodeId: number;
  readonly clientId: string | null;
  /** Unique in this process, for diagnostics. */
  readonly id = ++connectionIds;
  /** Start-up finished once (the observer counts it open until it closes). */
  private wasReady = false;
  private readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly maxResponseSize: number;
  private readonly options: ConnectionOptions;

  private socket: net.Socket | null = null;
  private state: State = 'new';
  private connecting: Promise<void> | null = null;
  private closeError: Error | null = null;
  private nextCorrelationId = 0;
  /** The reconnect-backoff wait under way, if any: destroy() cuts it short. */
  private delay: { timer: NodeJS.Timeout; done: () => void } | null = null;

  // In-flight FIFO: an array with a head index, no Array.shift per response.
  private inFlight: InFlight[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerDeadline = Number.POSITIVE_INFINITY;

  // Framing: chunks not yet forming a whole frame.
  private chunks: Buffer[] = [];
  private buffered = 0;
  private frameSize = -1;

  /** One Writer reused for every request; large produced batches go to the socket by reference. */
  private readonly writer = Object.assign(new Writer(4096), { keepsReferences: true });
  private brokerVersions: Map<number, VersionRange> | null = null;
  private reauthTimer: NodeJS.Timeout | null = null;
  /** When the session must be renewed (KIP-368): no request but the renewal goes out after it. */
  private reauthDueAt = Number.POSITIVE_INFINITY;
  /** When the last renewal's answer arrived (0: none yet), for the broker's one-per-second rule. */
  private lastRenewedAt = 0;
  /** A response arrived after start-up: a close before that hints at a security mismatch. */
  private servedAfterStart = false;
  private brokerFeatures: BrokerFeatures | null = null;

  constructor(options: ConnectionOptions) {
    super();
    this.options = options;
    this.host = options.host;
    this.port = options.port;
    this.nodeId = options.nodeId ?? -1;
    this.clientId = options.clientId === undefined ? 'kafkawire' : options.clientId;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.maxResponseSize = options.maxResponseSize ?? DEFAULT_MAX_RESPONSE_SIZE;
  }

  /** `host:port`, as used in error messages. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Number of requests waiting for a response. */
  get pending(): number {
    return this.inFlight.length - this.head;
  }

  /** The version ranges the broker announced in ApiVersions (after connect). */
  get apiVersions(): ReadonlyMap<number, VersionRange> {
    if (!this.brokerVersions) throw new KafkawireError('Connection not ready: no API versions yet', true);
    return this.brokerVersions;
  }

  /**
   * What the broker offers (APIs, supported and finalized feature levels), from its ApiVersions
   * answer (after connect); check a feature with requireFeature / featureOrFallback (features.ts).
   */
  get features(): BrokerFeatures {
    if (!this.brokerFeatures) throw new KafkawireError('Connection not ready: no API versions yet', true);
    return this.brokerFeatures;
  }

  /** Opens the socket, negotiates versions and authenticates. Idempotent. */
  connect(): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.state === 'closed') {
      return Promise.reject(
        new ConnectionError('Connection is closed', this.address, { cause: this.closeError }),
      );
    }
    if (!this.connecting) this.connecting = this.guard(this.start());
    return this.connecting;
  }

  /**
   * Closes the connection when a start-up or re-authentication step fails. A non-retriable
   * failure the socket saw first (a TLS alert, TLS bytes on a plaintext connection) is the error
   * reported, not the ConnectionError it caused for the request in flight.
   */
  private guard(step: Promise<void>): Promise<void> {
    return step.catch((err: unknown) => {
      const e =
        this.closeError instanceof KafkawireError && !this.closeError.retriable
          ? this.closeError
          : toError(err);
      this.destroy(e);
      throw e;
    });
  }

  private async start(): Promise<void> {
    this.state = 'connecting';
    const delayMs = this.options.connectDelayMs ?? 0;
    if (delayMs > 0) {
      await new Promise<void>((resolve) => {
        this.delay = { timer: setTimeout(resolve, delayMs), done: resolve };
      });
      this.delay = null;
      if (this.closed)
        throw new ConnectionError('Connection is closed', this.address, { cause: this.closeError });
    }
    const startedAt = Date.now();
    const deadline = startedAt + this.connectTimeoutMs;
    await this.openSocket();
    await this.negotiateVersions(deadline - Date.now());
    await this.authenticate(false, deadline);
    if (this.closed)
      throw new ConnectionError('Connection is closed', this.address, { cause: this.closeError });
    this.state = 'ready';
    this.wasReady = true;
    this.options.observer?.connected();
    if (connectChannel.hasSubscribers)
      connectChannel.publish({
        connectionId: this.id,
        broker: this.address,
        nodeId: this.nodeId,
        durationMs: Date.now() - startedAt,
        tls: this.options.tls !== undefined,
      });
    this.emit('ready');
  }

  /** Runs the authenticate step (if any) and schedules the next one from its session lifetime. */
  private async authenticate(reauthentication: boolean, deadline: number): Promise<void> {
    const step = this.options.authenticate;
    if (!step) return;
    const result = await step({
      connection: this,
      reauthentication,
      send: (api, request, options = {}) =>
        this.sendNow(api, request, {
          ...options,
          timeoutMs: options.timeoutMs ?? Math.max(1, deadline - Date.now()),
        }),
    });
    if (this.state === 'closed') return;
    const sessionLifetimeMs = result?.sessionLifetimeMs ?? 0;
    if (authenticatedChannel.hasSubscribers) {
      authenticatedChannel.publish({
        connectionId: this.id,
        broker: this.address,
        nodeId: this.nodeId,
        reauthentication,
        sessionLifetimeMs,
      });
    }
    if (reauthentication) this.lastRenewedAt = Date.now();
    if (sessionLifetimeMs > 0) {
      // Java re-authenticates at a random point in [85 %, 95 %] of the session, so connections
      // opened together do not all renew at once.
      const delay = sessionLifetimeMs * (0.85 + Math.random() * 0.1);
      this.reauthDueAt = Date.now() + delay;
      this.reauthTimer = setTimeout(() => this.reauthenticate(), delay);
      this.reauthTimer.unref?.();
    }
  }

  /**
   * KIP-368: renews the session on this connection. New requests wait (send() sees the
   * connection not ready and waits for `connecting`); those in flight are answered before the
   * broker reads the SaslHandshake. A failure closes the connection, as a failed connect does.
   *
   * Two broker rules shape the timing. A request other than SaslHandshake that the broker reads
   * after the session ended closes the connection, so from the renewal time on nothing else is
   * written (send() starts the renewal itself when a busy event loop runs the timer late). And
   * the broker refuses (ILLEGAL_SASL_STATE) a renewal less than a second after the previous
   * one began, so a session shorter than that (an OAUTHBEARER token near its expiry) holds new
   * requests until the second has passed, counted from the previous renewal's answer.
   */
  private reauthenticate(): void {
    if (this.reauthTimer) clearTimeout(this.reauthTimer);
    this.reauthTimer = null;
    this.reauthDueAt = Number.POSITIVE_INFINITY;
    if (this.state !== 'ready') return;
    this.state = 'connecting';
    const holdMs = this.lastRenewedAt > 0 ? this.lastRenewedAt + MIN_RENEWAL_INTERVAL_MS - Date.now() : 0;
    const step = this.guard(
      this.holdForRenewal(holdMs).then(() => {
        if (this.closed)
          throw new ConnectionError('Connection is closed', this.address, { cause: this.closeError });
        // In-flight requests ahead of the handshake (a long-polling fetch) count against this too.
        const deadline = Date.now() + Math.max(this.connectTimeoutMs, this.requestTimeoutMs);
        return this.authenticate(true, deadline).then(() => {
          if (this.state === 'connecting') this.state = 'ready';
        });
      }),
    );
    this.connecting = step;
    // Waiting senders see the failure; nobody else has to.
    step.catch(() => {});
  }

  /** Waits `ms` (if positive) before a renewal; destroy() ends the wait at once. */
  private holdForRenewal(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.delay = {
        timer: setTimeout(() => {
          this.delay = null;
          resolve();
        }, ms),
        done: resolve,
      };
    });
  }

  private openSocket(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { host, port } = this;
      const tlsOptions = this.options.tls;
      const socket = tlsOptions
        ? tls.connect(tlsConnectOptions(tlsOptions, host, port))
        : net.connect({ host, port });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      const timer = setTimeout(() => {
        reject(new TimeoutError(`Connecting to ${this.address} timed out after ${this.connectTimeoutMs} ms`));
      }, this.connectTimeoutMs);
      const onConnectError = (err: Error) => {
        clearTimeout(timer);
        reject(
          tlsOptions
            ? tlsError(err, this.address)
            : new ConnectionError(`Cannot connect: ${err.message}`, this.address, { cause: err }),
        );
      };
      socket.once('error', onConnectError);
      socket.once(tlsOptions ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onConnectError);
        socket.on('error', (err: Error) =>
          this.destroy(
            // A TLS 1.3 broker refuses a client certificate after our side of the handshake ended.
            tlsOptions && this.state === 'connecting'
              ? tlsError(err, this.address)
              : new ConnectionError(`Socket error: ${err.message}`, this.address, { cause: err }),
          ),
        );
        socket.on('close', () =>
          this.destroy(new ConnectionError(this.closedByBrokerMessage(), this.address)),
        );
        socket.on('data', (chunk: Buffer) => this.onData(chunk));
        resolve();
      });
    });
  }

  /** Why the broker may have closed: during start-up, the usual cause is a security mismatch. */
  private closedByBrokerMessage(): string {
    if (this.state === 'ready' && !this.servedAfterStart && !this.options.authenticate && this.pending > 0) {
      // A SASL listener answers ApiVersions, then drops a client that does not authenticate.
      return 'Connection closed by broker on the first request after ApiVersions (if this listener requires SASL, set securityProtocol SASL_PLAINTEXT or SASL_SSL and sasl)';
    }
    if (this.state !== 'connecting') return 'Connection closed by broker';
    if (!this.brokerVersions) {
      return this.options.tls
        ? 'Connection closed by broker during start-up'
        : 'Connection closed by broker before answering ApiVersions (if this listener uses TLS, set securityProtocol to SSL or SASL_SSL)';
    }
    return 'Connection closed by broker during authentication';
  }

  /**
   * ApiVersions at the highest version we know; a broker that does not know it answers
   * UNSUPPORTED_VERSION with a v0 body listing what it supports, and we ask again at the
   * highest ApiVersions version in that list (KIP-511).
   */
  private async negotiateVersions(timeoutMs: number): Promise<void> {
    let version = ApiVersions.max;
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await this.request(ApiVersions, version, softwareInfo(), Math.max(1, timeoutMs));
      if (res.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
        const theirs = res.apiKeys.find((k) => k.apiKey === ApiVersions.key);
        const next = theirs ? Math.min(theirs.maxVersion, ApiVersions.max) : 0;
        if (next >= version) break;
        version = next;
        continue;
      }
      if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, { broker: this.address });
      this.brokerFeatures = brokerFeaturesOf(res, this.address);
      this.brokerVersions = new Map(this.brokerFeatures.apis);
      this.emit('versions', res);
      return;
    }
    throw new UnsupportedVersionError(`Broker ${this.address} accepts no ApiVersions version we speak`);
  }

  /** The version to use for `api` on this broker: the highest both sides support. */
  versionFor(api: ApiDescriptor<unknown, unknown>): number {
    return pickVersion(api, this.brokerVersions?.get(api.key), this.address);
  }

  /**
   * The cluster's finalized feature levels as this broker announced them in ApiVersions (KIP-584),
   * e.g. `transaction.version` → 2 (KIP-890). Empty before the connection is ready, and from
   * brokers that announce none.
   */
  get finalizedFeatures(): ReadonlyMap<string, number> {
    return this.brokerFeatures?.finalized ?? NO_FEATURES;
  }

  /**
   * Sends a request and resolves with the decoded response. Waits for the connection to be
   * ready first. Rejects with ConnectionError (retriable) if the connection dies, TimeoutError
   * if no response comes in time, ProtocolError if the response cannot be read.
   */
  async send<Req, Res>(api: ApiDescriptor<Req, Res>, request: Req, options: SendOptions = {}): Promise<Res> {
    if (this.state === 'ready' && Date.now() >= this.reauthDueAt) this.reauthenticate();
    if (this.state !== 'ready') await this.connect();
    return this.sendNow(api, request, options);
  }

  private sendNow<Req, Res>(api: ApiDescriptor<Req, Res>, request: Req, options: SendOptions): Promise<Res> {
    let version: number;
    try {
      version = options.version ?? this.versionFor(api as ApiDescriptor<unknown, unknown>);
      if (options.version === undefined && options.maxVersion !== undefined && version > options.maxVersion) {
        if (options.maxVersion < api.min)
          throw new UnsupportedVersionError(`${api.name} v${options.maxVersion} or lower is not implemented`);
        version = options.maxVersion;
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.request(
      api,
      version,
      request,
      options.timeoutMs ?? this.requestTimeoutMs,
      options.expectResponse,
    );
  }

  /** Encodes and writes one request; no readiness check (used during start-up too). */
  private request<Req, Res>(
    api: ApiDescriptor<Req, Res>,
    version: number,
    request: Req,
    timeoutMs: number,
    expectResponse = true,
  ): Promise<Res> {
    const socket = this.socket;
    if (!socket || this.state === 'closed') {
      return Promise.reject(
        new ConnectionError('Connection is closed', this.address, { cause: this.closeError }),
      );
    }
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) | 0;
    const w = this.writer.reset();
    w.skip(4);
    let frame: Frame;
    let frameBytes: number;
    try {
      writeRequestHeader(w, api as ApiDescriptor<unknown, unknown>, version, correlationId, this.clientId);
      api.encodeRequest(w, version, request);
      frameBytes = w.length;
      w.setInt32(0, frameBytes - 4);
      // A produce request's large batches stay where they are: written with the frame's other
      // pieces in one corked write, instead of copied into it.
      frame = frameBytes > w.pos ? w.toChunks() : w.toBuffer();
    } catch (err) {
      return Promise.reject(toError(err));
    }
    const sent: Sent = {
      api: api as ApiDescriptor<unknown, unknown>,
      version,
      correlationId,
      timeoutMs,
      trace: null,
    };
    const observer = this.options.observer;
    const traced = requestChannel.hasSubscribers;
    if (!traced && !observer) return this.transmit<Res>(socket, frame, sent, expectResponse);
    const trace: RequestMessage = {
      connectionId: this.id,
      broker: this.address,
      nodeId: this.nodeId,
      api: api.name,
      apiKey: api.key,
      apiVersion: version,
      correlationId,
      requestBytes: frameBytes,
      expectResponse,
    };
    sent.trace = trace;
    const startedAt = performance.now();
    const settled = (failed: boolean): void => {
      trace.durationMs = performance.now() - startedAt;
      observer?.request(trace, failed);
    };
    const run = () =>
      this.transmit<Res>(socket, frame, sent, expectResponse).then(
        (res) => {
          settled(false);
          return res;
        },
        (err: unknown) => {
          settled(true);
          throw err;
        },
      );
    return traced ? requestChannel.tracePromise(run, trace) : run();
  }

  /** Writes an encoded frame; resolves with the decoded answer (or at once when none comes). */
  private transmit<Res>(socket: net.Socket, frame: Frame, sent: Sent, expectResponse: boolean): Promise<Res> {
    if (!expectResponse) {
      return new Promise((resolve, reject) => {
        writeFrame(socket, frame, (err?: Error | null) => {
          if (err) reject(new ConnectionError(`Write failed: ${err.message}`, this.address, { cause: err }));
          else resolve(undefined as Res);
        });
      });
    }
    return new Promise<Res>((resolve, reject) => {
      const deadline = Date.now() + sent.timeoutMs;
      this.inFlight.push({
        correlationId: sent.correlationId,
        api: sent.api,
        version: sent.version,
        deadline,
        trace: sent.trace,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.armTimer(deadline);
      writeFrame(socket, frame);
    });
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.state !== 'closed') {
      if (this.frameSize < 0) {
        if (this.buffered < 4) return;
        const size = this.peekInt32();
        if (size < 4 || size > this.maxResponseSize) {
          this.destroy(
            new ProtocolError(
              isTlsRecordHeader(size)
                ? `${this.address} answered with TLS: this listener needs securityProtocol SSL or SASL_SSL`
                : `Response size ${size} from ${this.address} is outside 4..${this.maxResponseSize} (maxResponseSize)`,
            ),
          );
          return;
        }
        this.consume(4);
        this.frameSize = size;
      }
      if (this.buffered < this.frameSize) return;
      const frame = this.take(this.frameSize);
      this.frameSize = -1;
      this.onFrame(frame);
    }
  }

  /** Reads the int32 at the start of the buffered bytes, across chunks if need be. */
  private peekInt32(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32BE(0);
    const b = Buffer.allocUnsafe(4);
    let at = 0;
    for (const c of this.chunks) {
      const n = Math.min(4 - at, c.length);
      c.copy(b, at, 0, n);
      at += n;
      if (at === 4) break;
    }
    return b.readInt32BE(0);
  }

  private consume(n: number): void {
    this.take(n);
  }

  /** Removes `n` bytes from the front; a view when they lie in one chunk, else one copy. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0];
      const k = Math.min(n - at, c.length);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }

  private onFrame(frame: Buffer): void {
    if (!this.servedAfterStart && this.state === 'ready') this.servedAfterStart = true;
    const req = this.inFlight[this.head];
    const correlationId = frame.readInt32BE(0);
    if (!req || req.correlationId !== correlationId) {
      this.destroy(
        new ProtocolError(
          `Unexpected correlation id ${correlationId} from ${this.address} (expected ${req ? req.correlationId : 'none'})`,
        ),
      );
      return;
    }
    if (req.trace) req.trace.responseBytes = frame.length + 4;
    this.inFlight[this.head++] = undefined as unknown as InFlight;
    if (this.head === this.inFlight.length) {
      this.inFlight.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.inFlight.length) {
      this.inFlight = this.inFlight.slice(this.head);
      this.head = 0;
    }
    let value: unknown;
    try {
      const r = new Reader(frame, 4);
      if (responseHeaderIsFlexible(req.api.key, req.api.flexibleFrom, req.version)) r.taggedFields();
      // A broker that does not know our ApiVersions version answers with a v0 body (KIP-511).
      const version =
        req.api.key === ApiVersions.key &&
        r.remaining >= 2 &&
        frame.readInt16BE(r.pos) === ErrorCode.UNSUPPORTED_VERSION
          ? 0
          : req.version;
      value = req.api.decodeResponse(r, version);
    } catch (err) {
      // Named with the API, version and broker: "Truncated input" alone does not say whose.
      req.reject(
        new ProtocolError(
          `Cannot decode ${req.api.name} v${req.version} response from ${this.address}: ${toError(err).message}`,
          { cause: err },
        ),
      );
      return;
    }
    req.resolve(value);
  }

  private armTimer(deadline: number): void {
    if (deadline >= this.timerDeadline) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDeadline = deadline;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, deadline - Date.now()));
    this.timer.unref?.();
  }

  /** One timer per connection: on expiry, scan for requests past their deadline. */
  private onTimer(): void {
    this.timer = null;
    this.timerDeadline = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (let i = this.head; i < this.inFlight.length; i++) {
      const req = this.inFlight[i];
      if (req.deadline <= now) {
        const err = new TimeoutError(
          `${req.api.name} v${req.version} to ${this.address} got no response within its timeout (correlation id ${req.correlationId})`,
        );
        // Reject the late one first with its own error, then kill the connection for the rest.
        this.inFlight.splice(i, 1);
        req.reject(err);
        this.destroy(new ConnectionError(`Closed after a request timed out`, this.address, { cause: err }));
        return;
      }
      if (req.deadline < next) next = req.deadline;
    }
    if (next !== Number.POSITIVE_INFINITY) this.armTimer(next);
  }

  /** Closes the socket now; every request in flight fails with `error` (or a ConnectionError). */
  destroy(error?: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeError = error ?? null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.reauthTimer) clearTimeout(this.reauthTimer);
    this.reauthTimer = null;
    this.reauthDueAt = Number.POSITIVE_INFINITY;
    if (this.delay) {
      clearTimeout(this.delay.timer);
      this.delay.done();
    }
    this.socket?.destroy();
    const failWith =
      error instanceof ConnectionError
        ? error
        : new ConnectionError(error ? error.message : 'Connection closed', this.address, { cause: error });
    const pending = this.inFlight;
    const head = this.head;
    this.inFlight = [];
    this.head = 0;
    for (let i = head; i < pending.length; i++) pending[i].reject(failWith);
    this.chunks = [];
    this.buffered = 0;
    if (this.wasReady) this.options.observer?.closed(error);
    if (closeChannel.hasSubscribers)
      closeChannel.publish({
        connectionId: this.id,
        broker: this.address,
        nodeId: this.nodeId,
        error,
        inFlight: pending.length - head,
      });
    this.emit('close', error);
  }

  /** Waits for requests in flight (up to `timeoutMs`), then closes. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.state === 'closed') return;
    const until = Date.now() + timeoutMs;
    while (this.pending > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    if (this.socket && !this.closed) {
      const socket = this.socket;
      await new Promise<void>((resolve) => {
        socket.end(() => resolve());
        setTimeout(resolve, 500).unref();
      });
    }
    this.destroy();
  }
}

/**
 * True when a "size prefix" is the start of a TLS record (content type 20-23, version 3.x): a
 * TLS listener's alert read as a Kafka frame.
 */
function isTlsRecordHeader(size: number): boolean {
  const type = size >>> 24;
  return type >= 20 && type <= 23 && ((size >>> 16) & 0xff) === 3;
}

function softwareInfo() {
  return { clientSoftwareName: CLIENT_SOFTWARE_NAME, clientSoftwareVersion: CLIENT_SOFTWARE_VERSION };
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

export type { ApiVersionsResponse };
