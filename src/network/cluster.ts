/**
 * Cluster: the client's view of the brokers and where each partition's leader is.
 *
 * Owns: the bootstrap addresses, one Connection per broker node id, the latest metadata
 * snapshot, and the refresh of that snapshot. Metadata is refreshed on demand (`refresh`), when
 * a caller reports an error that says it is stale (`reportError`: NOT_LEADER_OR_FOLLOWER,
 * UNKNOWN_TOPIC_OR_PARTITION, a dead connection), and when it is older than `metadataMaxAgeMs`.
 * Concurrent refreshes share one request.
 *
 * Reconnects back off per address (Java's `reconnect.backoff.ms` → `reconnect.backoff.max.ms`):
 * after a failed connection attempt the next connection to that host:port waits
 * `reconnectBackoffMs`, doubling with each failure in a row up to `reconnectBackoffMaxMs`, with
 * jitter; a connection that got ready resets it. Every caller needing that broker shares the
 * one pending attempt. Background failures that callers report (`reportBackground`) go out as
 * `'error'` events through a RepeatFilter: once, then with a count, never once per attempt.
 *
 * Invariants:
 * - A connection in `connections` is to a broker of the current snapshot (or is being closed);
 *   a broker that leaves the snapshot has its connection closed.
 * - A partition's leader epoch never goes back (KIP-320): an answer from a broker that has not
 *   heard of the newest leader yet keeps the newer partition state (a topic deleted and created
 *   again has a new topic id, and starts over).
 */
import { EventEmitter } from 'node:events';
import type { ApiDescriptor } from '../protocol/api.js';
import { Metadata, type MetadataResponse } from '../protocol/apis/03-metadata.js';
import { ConfigError, ConnectionError, KafkaError, KafkawireError } from '../protocol/errors.js';
import { Connection, type ConnectionOptions, type SendOptions } from './connection.js';
import { type ClientLog, errorFields, SILENT_LOG } from './logger.js';
import { RepeatFilter } from './repeats.js';
import { reconnectBackoffMs } from './retry.js';

export interface BrokerAddress {
  host: string;
  port: number;
}

export interface BrokerInfo extends BrokerAddress {
  nodeId: number;
  rack: string | null;
}

export interface PartitionInfo {
  partition: number;
  /** Node id of the leader, or -1 when the partition has none right now. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  topicId: string;
  isInternal: boolean;
  errorCode: number;
  /** Indexed by partition number. */
  partitions: PartitionInfo[];
}

export interface MetadataSnapshot {
  clusterId: string | null;
  controllerId: number;
  brokers: ReadonlyMap<number, BrokerInfo>;
  topics: ReadonlyMap<string, TopicInfo>;
  /** When this snapshot was taken (ms since epoch). */
  updatedAt: number;
}

export interface ClusterOptions
  extends Pick<
    ConnectionOptions,
    | 'clientId'
    | 'connectTimeoutMs'
    | 'requestTimeoutMs'
    | 'maxResponseSize'
    | 'tls'
    | 'authenticate'
    | 'observer'
  > {
  /** `host:port` list (Java: `bootstrap.servers`), as an array or a comma-separated string. */
  bootstrapServers: string | string[];
  /** Refresh metadata at least this often (Java: `metadata.max.age.ms`). Default 300000. */
  metadataMaxAgeMs?: number;
  /** First wait before reconnecting to a broker after a failed attempt (Java: `reconnect.backoff.ms`). Default 50. */
  reconnectBackoffMs?: number;
  /** Largest wait between attempts to connect to one broker (Java: `reconnect.backoff.max.ms`). Default 1000. */
  reconnectBackoffMaxMs?: number;
  /** Where the cluster logs connection trouble and background failures (default: nowhere). */
  log?: ClientLog;
}

/** Which connection to a broker a request uses: ordinary traffic, or group coordination. */
export type Lane = 'default' | 'coordinator';

/**
 * Group- and transaction-coordination APIs, sent on the coordinator lane by `sendTo` (an EndTxn
 * or a TxnOffsetCommit must not wait behind produce requests or fetch long polls).
 */
const COORDINATOR_APIS: ReadonlySet<number> = new Set([
  8, // OffsetCommit
  9, // OffsetFetch
  11, // JoinGroup
  12, // Heartbeat
  13, // LeaveGroup
  14, // SyncGroup
  22, // InitProducerId
  24, // AddPartitionsToTxn
  25, // AddOffsetsToTxn
  26, // EndTxn
  28, // TxnOffsetCommit
  68, // ConsumerGroupHeartbeat
]);

const EMPTY_SNAPSHOT: MetadataSnapshot = {
  clusterId: null,
  controllerId: -1,
  brokers: new Map(),
  topics: new Map(),
  updatedAt: 0,
};

/** Reconnect backoff of one host:port: failed attempts in a row, and when the next may start. */
interface ReconnectState {
  failures: number;
  notBefore: number;
}

/**
 * The brokers of one Kafka cluster, their connections and the partition leaders.
 * Emits `'metadata'` with each new snapshot, and `'error'` (only when listened to) with the
 * background failures reported through `reportBackground`, repeats folded into one with a
 * `repeated` count.
 */
export class Cluster extends EventEmitter {
  readonly bootstrap: BrokerAddress[];
  private readonly options: ClusterOptions;
  private readonly metadataMaxAgeMs: number;
  private snapshot: MetadataSnapshot = EMPTY_SNAPSHOT;
  /** Keyed by node id and lane (see `Lane`). */
  private readonly connections = new Map<string, Connection>();
  private bootstrapConnection: Connection | null = null;
  private refreshing: Promise<MetadataSnapshot> | null = null;
  /** The topics the refresh in flight asks for. */
  private refreshCovers: ReadonlySet<string> | 'all' = 'all';
  /** A refresh queued behind the one in flight for topics it does not ask for. */
  private nextRefresh: Promise<MetadataSnapshot> | null = null;
  /** Topics whose metadata we keep; null means all topics. */
  private readonly wanted = new Set<string>();
  private wantAll = false;
  private stale = true;
  private closed = false;
  private nextBootstrap = 0;
  /** Keyed by `host:port`: an entry exists while the last attempt to that address failed. */
  private readonly reconnects = new Map<string, ReconnectState>();
  private readonly reconnectBackoff: { reconnectBackoffMs: number; reconnectBackoffMaxMs: number };
  /** Where this cluster's client logs (its parts log through it too). */
  readonly log: ClientLog;
  private readonly repeats = new RepeatFilter((err) => {
    this.log.warn(errorFields(err), 'Background request failed');
    if (this.listenerCount('error') > 0) this.emit('error', err);
  });
  /** Metadata refreshes that reached no broker: logged once, then with a count. */
  private readonly unreachable = new RepeatFilter((err) =>
    this.log.warn(
      { ...errorFields(err), bootstrapServers: this.bootstrapList(), lastError: this.lastUnreachable },
      'No broker reachable',
    ),
  );
  private lastUnreachable = '';
  /** When the first refresh that reached no broker failed (0: the last one reached one). */
  private unreachableSince = 0;

  constructor(options: ClusterOptions) {
    super();
    this.options = options;
    this.bootstrap = parseBootstrap(options.bootstrapServers);
    this.metadataMaxAgeMs = options.metadataMaxAgeMs ?? 300_000;
    this.log = options.log ?? SILENT_LOG;
    const first = options.reconnectBackoffMs ?? 50;
    this.reconnectBackoff = {
      reconnectBackoffMs: first,
      reconnectBackoffMaxMs: Math.max(first, options.reconnectBackoffMaxMs ?? 1000),
    };
  }

  /** The latest metadata snapshot (empty before the first refresh). */
  get metadata(): MetadataSnapshot {
    return this.snapshot;
  }

  /** Connects to a bootstrap broker and loads the cluster's brokers. */
  async connect(): Promise<MetadataSnapshot> {
    return this.refresh();
  }

  /** Keep metadata for these topics from now on (the next refresh includes them). */
  addTopics(topics: Iterable<string>): void {
    for (const t of topics) {
      if (!this.wanted.has(t)) {
        this.wanted.add(t);
        this.stale = true;
      }
    }
  }

  /** Keep metadata for every topic in the cluster. */
  watchAllTopics(): void {
    this.wantAll = true;
    this.stale = true;
  }

  /**
   * Fetches fresh metadata (for the watched topics plus `topics`). Concurrent calls share one
   * request. Tries every known broker, then the bootstrap list, before giving up.
   */
  refresh(topics?: Iterable<string>): Promise<MetadataSnapshot> {
    const asked = topics ? [...topics] : [];
    this.addTopics(asked);
    if (this.refreshing) {
      // The request in flight may not name these topics (it was sent before they were wanted):
      // its answer would lack them, and a caller reading them from it saw a topic that exists
      // as missing (a describeTopics beside another refresh: UNKNOWN_TOPIC_OR_PARTITION). Such
      // callers get the next refresh, shared by every one of them. Regression test:
      // cluster-refresh.test.ts.
      const covered = this.refreshCovers;
      if (covered === 'all' || asked.every((t) => covered.has(t))) return this.refreshing;
      this.nextRefresh ??= this.refreshing
        .catch(() => {})
        .then(() => {
          this.nextRefresh = null;
          return this.refresh();
        });
      return this.nextRefresh;
    }
    this.refreshCovers = this.wantAll ? 'all' : new Set(this.wanted);
    this.refreshing = this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Metadata no older than `metadataMaxAgeMs` and not marked stale. */
  async fresh(): Promise<MetadataSnapshot> {
    if (this.stale || Date.now() - this.snapshot.updatedAt > this.metadataMaxAgeMs) return this.refresh();
    return this.snapshot;
  }

  private async doRefresh(): Promise<MetadataSnapshot> {
    this.assertOpen();
    const request = {
      topics: this.wantAll ? null : [...this.wanted].map((name) => ({ name })),
      allowAutoTopicCreation: false,
    };
    let lastError: unknown;
    for (const conn of this.metadataCandidates()) {
      try {
        const res = await (await conn).send(Metadata, request);
        this.apply(res);
        this.reachable();
        return this.snapshot;
      } catch (err) {
        lastError = err;
        if (!(err instanceof KafkawireError) || !err.retriable) throw err;
      }
    }
    const err = new ConnectionError(
      `No broker answered a metadata request (tried ${this.bootstrapList()} and the known brokers)${lastError instanceof Error ? `; last: ${lastError.message}` : ''}`,
      undefined,
      { cause: lastError },
    );
    if (this.unreachableSince === 0) {
      this.unreachableSince = Date.now();
      this.emit('unreachable', err);
    }
    // Repeats are the same outage whatever the last broker said (it varies between attempts).
    this.lastUnreachable = lastError instanceof Error ? lastError.message : String(lastError);
    this.unreachable.add(new ConnectionError('No broker answered a metadata request'));
    throw err;
  }

  /** A refresh reached a broker: ends an outage, saying how long it lasted. */
  private reachable(): void {
    if (this.unreachableSince === 0) return;
    this.unreachable.clear();
    const downMs = Date.now() - this.unreachableSince;
    this.log.info({ downMs }, 'Brokers reachable again');
    this.unreachableSince = 0;
    this.emit('reachable', downMs);
  }

  private bootstrapList(): string {
    return this.bootstrap.map((b) => `${b.host}:${b.port}`).join(', ');
  }

  /** Known brokers first (in a rotating order), then each bootstrap address. */
  private *metadataCandidates(): Generator<Promise<Connection>> {
    const ids = [...this.snapshot.brokers.keys()];
    const start = ids.length ? this.nextBootstrap++ % ids.length : 0;
    for (let i = 0; i < ids.length; i++) yield this.connectionTo(ids[(start + i) % ids.length]);
    for (const addr of this.bootstrap) yield this.bootstrapTo(addr);
  }

  private async bootstrapTo(addr: BrokerAddress): Promise<Connection> {
    if (this.bootstrapConnection && !this.bootstrapConnection.closed) {
      if (this.bootstrapConnection.host === addr.host && this.bootstrapConnection.port === addr.port) {
        return this.bootstrapConnection;
      }
      void this.bootstrapConnection.close();
    }
    const conn = this.newConnection(addr.host, addr.port, -1);
    this.bootstrapConnection = conn;
    await conn.connect();
    return conn;
  }

  private apply(res: MetadataResponse): void {
    const brokers = new Map<number, BrokerInfo>();
    for (const b of res.brokers)
      brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
    const topics = new Map<string, TopicInfo>();
    for (const t of res.topics) {
      if (t.name === null) continue;
      const known = this.snapshot.topics.get(t.name);
      // The same topic (not deleted and created again under the name): its partitions' epochs
      // only go forward (KIP-320).
      const same = known !== undefined && known.topicId === t.topicId;
      const partitions: PartitionInfo[] = [];
      for (const p of t.partitions) {
        const before = same ? known.partitions[p.partitionIndex] : undefined;
        if (before && p.leaderEpoch >= 0 && before.leaderEpoch > p.leaderEpoch) {
          // A broker behind the controller (it has not heard of the new leader yet): its answer
          // would send fetches back to the old leader, to be fenced there.
          partitions[p.partitionIndex] = before;
          continue;
        }
        partitions[p.partitionIndex] = {
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
          errorCode: p.errorCode,
        };
      }
      topics.set(t.name, {
        name: t.name,
        topicId: t.topicId,
        isInternal: t.isInternal,
        errorCode: t.errorCode,
        partitions,
      });
    }
    this.snapshot = {
      clusterId: res.clusterId,
      controllerId: res.controllerId,
      brokers,
      topics,
      updatedAt: Date.now(),
    };
    this.stale = false;
    this.repeats.clear();
    // A broker that left the cluster: close its connection, so requests to it fail fast.
    for (const [k, conn] of this.connections) {
      if (!brokers.has(conn.nodeId)) {
        this.connections.delete(k);
        void conn.close(0);
      }
    }
    // Once we know the brokers, the bootstrap connection has done its job.
    if (this.bootstrapConnection && brokers.size > 0) {
      const b = this.bootstrapConnection;
      this.bootstrapConnection = null;
      void b.close();
    }
    this.emit('metadata', this.snapshot);
  }

  /** The leader's node id for a partition, or undefined when unknown or leaderless. */
  leaderFor(topic: string, partition: number): number | undefined {
    const p = this.snapshot.topics.get(topic)?.partitions[partition];
    return p && p.leader >= 0 ? p.leader : undefined;
  }

  /**
   * The connection to a broker by node id, opened (and negotiated) if need be. Group
   * coordination has a lane of its own: a broker answers one connection's requests in order, so
   * a commit or heartbeat queued behind a fetch that long-polls for `fetchMaxWaitMs` would wait
   * for it (the Java client opens a separate coordinator connection for the same reason).
   */
  async connectionTo(nodeId: number, lane: Lane = 'default'): Promise<Connection> {
    this.assertOpen();
    const k = lane === 'default' ? String(nodeId) : `${nodeId}/${lane}`;
    let conn = this.connections.get(k);
    if (!conn || conn.closed) {
      const broker = this.snapshot.brokers.get(nodeId);
      if (!broker) {
        this.stale = true;
        throw new ConnectionError(`Broker ${nodeId} is not in the cluster metadata`, `node ${nodeId}`);
      }
      conn = this.newConnection(broker.host, broker.port, nodeId, k);
      this.connections.set(k, conn);
    }
    await conn.connect();
    return conn;
  }

  /** A connection to any live broker (the least busy known one), for cluster-wide requests. */
  async anyConnection(): Promise<Connection> {
    await this.fresh();
    let best: Connection | undefined;
    for (const c of this.connections.values()) {
      if (c.ready && (!best || c.pending < best.pending)) best = c;
    }
    if (best) return best;
    let lastError: unknown;
    for (const id of this.snapshot.brokers.keys()) {
      try {
        return await this.connectionTo(id);
      } catch (err) {
        lastError = err;
      }
    }
    throw new ConnectionError('No broker reachable', undefined, { cause: lastError });
  }

  /** Sends a request to a broker by node id. */
  async sendTo<Req, Res>(
    nodeId: number,
    api: ApiDescriptor<Req, Res>,
    request: Req,
    options?: SendOptions,
  ): Promise<Res> {
    const conn = await this.connectionTo(nodeId, COORDINATOR_APIS.has(api.key) ? 'coordinator' : 'default');
    return conn.send(api, request, options);
  }

  /**
   * Tells the cluster about an error seen by a caller, so metadata gets refreshed before the
   * caller retries when the error says the current view is wrong.
   */
  reportError(err: unknown): void {
    if (err instanceof ConnectionError || (err instanceof KafkaError && err.refreshMetadata))
      this.stale = true;
  }

  /**
   * A failure of background work (a metadata refresh nobody awaits, a producer id request) for
   * the `'error'` listeners: repeated identical failures are reported once, then with a count
   * (see RepeatFilter); a successful metadata refresh ends the repetition.
   */
  reportBackground(err: Error): void {
    this.repeats.add(err);
  }

  /** Milliseconds until a connection attempt to `host:port` may start (0: now). */
  reconnectDelay(host: string, port: number): number {
    const r = this.reconnects.get(`${host}:${port}`);
    return r ? Math.max(0, r.notBefore - Date.now()) : 0;
  }

  /** True when metadata should be refreshed before the next use. */
  get isStale(): boolean {
    return this.stale;
  }

  private newConnection(host: string, port: number, nodeId: number, key = String(nodeId)): Connection {
    const o = this.options;
    const address = `${host}:${port}`;
    const conn = new Connection({
      host,
      port,
      nodeId,
      connectDelayMs: this.reconnectDelay(host, port),
      clientId: o.clientId,
      connectTimeoutMs: o.connectTimeoutMs,
      requestTimeoutMs: o.requestTimeoutMs,
      maxResponseSize: o.maxResponseSize,
      tls: o.tls,
      authenticate: o.authenticate,
      observer: o.observer,
    });
    let ready = false;
    conn.once('ready', () => {
      ready = true;
      const failed = this.reconnects.get(address)?.failures;
      if (failed) {
        this.log.info({ broker: address, nodeId, failedAttempts: failed }, 'Connected after failed attempts');
        this.emit('reconnected', { broker: address, nodeId, failedAttempts: failed });
      }
      this.reconnects.delete(address);
      // A broker answering ends an outage too, not only a metadata refresh: a consumer whose
      // fetch connection comes back may not refresh metadata for minutes, and its outage
      // (`reachable` event, 'Brokers reachable again') never ended. Regression test:
      // test/unit/cluster-reachability.test.ts.
      this.reachable();
    });
    conn.on('close', (err?: Error) => {
      if (nodeId >= 0 && this.connections.get(key) === conn) this.connections.delete(key);
      // An attempt that failed before the connection got ready: the next one to this address
      // waits, longer after each failure in a row (a connection that was up reconnects at once).
      if (err && !ready && !this.closed) {
        const failures = (this.reconnects.get(address)?.failures ?? 0) + 1;
        const backoffMs = reconnectBackoffMs(failures, this.reconnectBackoff);
        this.reconnects.set(address, { failures, notBefore: Date.now() + backoffMs });
        // Attempts 1, 2, 4, 8, ... at info (an outage of minutes is a handful of lines), the rest at debug.
        const level = (failures & (failures - 1)) === 0 ? 'info' : 'debug';
        if (this.log.enabled(level))
          this.log[level](
            { ...errorFields(err), broker: address, nodeId, failedAttempts: failures, backoffMs },
            'Connection attempt failed; retrying after backoff',
          );
      }
      // A broker that drops us may have gone away: learn the new leaders before the next use.
      if (err) this.stale = true;
    });
    return conn;
  }

  private assertOpen(): void {
    if (this.closed) throw new KafkawireError('Cluster client is closed', false);
  }

  /** Closes every connection. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.connections.values()];
    if (this.bootstrapConnection) all.push(this.bootstrapConnection);
    this.connections.clear();
    this.bootstrapConnection = null;
    await Promise.all(all.map((c) => c.close(timeoutMs)));
  }
}

/** Parses `host:port,host:port` (IPv6 as `[::1]:9092`). */
export function parseBootstrap(servers: string | string[]): BrokerAddress[] {
  const valid =
    typeof servers === 'string' || (Array.isArray(servers) && servers.every((s) => typeof s === 'string'));
  if (!valid)
    throw new ConfigError('bootstrapServers', 'expected "host:port,..." or an array of "host:port" strings');
  const list = (Array.isArray(servers) ? servers : servers.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (list.length === 0) throw new ConfigError('bootstrapServers', 'at least one host:port is required');
  return list.map((s) => {
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(s);
    const port = m ? Number(m[3]) : Number.NaN;
    if (!m || !(port > 0 && port < 65536)) {
      throw new ConfigError('bootstrapServers', `"${s}" is not host:port`);
    }
    return { host: m[1] ?? m[2], port };
  });
}
