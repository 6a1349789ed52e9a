/**
 * An in-process TCP server that speaks just enough of the Kafka protocol to stage faults a real
 * broker cannot produce on demand: split and packed frames, late or missing answers, absurd
 * sizes, wrong correlation ids, a close mid-request, a produce whose answer is lost after the
 * append. Used in addition to the real broker.
 *
 * It answers ApiVersions itself (v3 body, or the v0 UNSUPPORTED_VERSION fallback when asked for
 * a version above `apiVersionsMax`); every other request goes to `onRequest`.
 *
 * With a `log` it also serves a producer and a consumer with manual assignment: Metadata (v12
 * only), InitProducerId (v4–v5), Produce (v9–v11), ListOffsets (v6–v10, earliest and latest),
 * Fetch (v12–v17: by topic name up to v12, by topic id from v13) and OffsetForLeaderEpoch (v4;
 * leader epochs as FakeLog.setLeaderEpoch sets them, fenced as a broker fences them: an older
 * epoch gets FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH), the only versions it announces
 * then (`LOG_APIS`), encoded by hand so that the fake does not share its codec with the client it
 * tests. Produce goes through `onProduce`, Fetch through `onFetch`: each sees the decoded request
 * and picks the outcome (the in-memory log by default; an error code, made-up offsets or record
 * bytes, a delay, a dropped connection, silence, a rewritten response frame). Fetch served from
 * the log behaves as a 4.x broker's: whole batches from the one holding the fetch offset, cut at
 * the byte limits (possibly mid-batch, never before the first batch of the response, KIP-74),
 * and a long poll of up to `maxWaitMs` while there is nothing to return. Requests of one
 * connection are handled one at a time, in order, as a broker does; several brokers can share
 * one FakeLog.
 */
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { Reader } from '../../src/protocol/reader.js';
import { decodeRecordBatches, RecordBatchBuilder } from '../../src/protocol/records/record-batch.js';
import { Writer } from '../../src/protocol/writer.js';

export interface FakeRequest {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  socket: net.Socket;
  /** The bytes after the client id: header tagged fields (flexible versions), then the body. */
  rest: Buffer;
  /**
   * Writes a response frame: correlation id, optional header tagged fields, then `body`.
   * `rewrite` gets the whole frame, size prefix included, and returns the bytes to write instead.
   */
  reply(
    body: Buffer,
    opts?: { flexibleHeader?: boolean; correlationId?: number; rewrite?: (frame: Buffer) => Buffer },
  ): void;
}

/** A broker as a Metadata response announces it. */
export interface FakeNode {
  nodeId: number;
  host: string;
  port: number;
}

/** What Metadata answers: the brokers, and the leader of each partition. */
export interface FakeClusterView {
  brokers: FakeNode[];
  leader(topic: string, partition: number): number;
}

/** One partition of a Produce request, its first RecordBatch decoded. */
export interface FakeProducePartition {
  topic: string;
  partition: number;
  /** The `records` bytes as sent. */
  records: Buffer;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** Record values as UTF-8 (null for a null value). */
  values: (string | null)[];
}

export interface FakeProduceRequest {
  apiVersion: number;
  correlationId: number;
  /** Produce requests this broker received before this one. */
  index: number;
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  partitions: FakeProducePartition[];
  socket: net.Socket;
}

/**
 * What happens to one partition of a Produce request: `'log'` appends to the FakeLog with its
 * sequence checks (the default), `'discard'` neither appends nor mentions it in the response,
 * `{ errorCode }` answers that error without appending, `{ baseOffset }` answers success
 * without appending.
 */
export type PartitionOutcome =
  | 'log'
  | 'discard'
  | { errorCode: number; errorMessage?: string }
  | { baseOffset: bigint };

export interface ProduceOutcome {
  /** One outcome for every partition, or one per partition. Default `'log'`. */
  partitions?: PartitionOutcome | ((p: FakeProducePartition, index: number) => PartitionOutcome);
  /** Wait this long after deciding (appending) before answering or dropping. */
  delayMs?: number;
  /**
   * `'reply'` (default); `'drop'`: close the connection without answering (after the appends);
   * `'reply-then-drop'`; `'silent'`: never answer this or any later request of the connection.
   */
  connection?: 'reply' | 'drop' | 'reply-then-drop' | 'silent';
}

export type ProduceHandler = (
  req: FakeProduceRequest,
) => ProduceOutcome | undefined | Promise<ProduceOutcome | undefined>;

/** One partition of a Fetch request, and what the fake answered for it. */
export interface FakeFetchPartition {
  /** The topic's name ('' for a v13+ topic id the log does not know). */
  topic: string;
  /** The topic id as sent (v13+), or the id the log gives the topic (v12). */
  topicId: string;
  partition: number;
  /** The leader epoch the client fenced the fetch with (-1: none). */
  currentLeaderEpoch: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
  /** Set once answered: the error code and the record bytes sent (absent when discarded). */
  served?: { errorCode: number; records: Buffer | null };
}

export interface FakeFetchRequest {
  apiVersion: number;
  correlationId: number;
  /** Fetch requests this broker received before this one. */
  index: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  partitions: FakeFetchPartition[];
  socket: net.Socket;
}

/**
 * What happens to one partition of a Fetch request: `'log'` serves it from the FakeLog (the
 * default), `'discard'` leaves it out of the response, `{ errorCode }` answers that error,
 * `{ records }` answers these bytes (anything: a corrupt or partial batch) with the log's high
 * watermark unless `highWatermark` is given.
 */
export type FetchPartitionOutcome =
  | 'log'
  | 'discard'
  | { errorCode: number }
  | { records: Buffer | null; highWatermark?: bigint };

export interface FetchOutcome {
  /** One outcome for every partition, or one per partition. Default `'log'`. */
  partitions?: FetchPartitionOutcome | ((p: FakeFetchPartition, index: number) => FetchPartitionOutcome);
  /** A top-level error code (v7+): the response then carries no partitions, as a broker's does. */
  errorCode?: number;
  /** Wait this long before answering or dropping (after the long poll, if any). */
  delayMs?: number;
  /** As for Produce: `'reply'` (default), `'drop'`, `'reply-then-drop'`, `'silent'`. */
  connection?: 'reply' | 'drop' | 'reply-then-drop' | 'silent';
  /**
   * Rewrites the response frame, size prefix included, before it is written: cut it short,
   * give it an absurd size, garble it.
   */
  frame?: (frame: Buffer) => Buffer;
}

export type FetchHandler = (
  req: FakeFetchRequest,
) => FetchOutcome | undefined | Promise<FetchOutcome | undefined>;

export interface FakeBrokerOptions {
  /** Highest ApiVersions version it accepts (higher ones get the v0 fallback). */
  apiVersionsMax?: number;
  /** API keys and ranges it announces. */
  apis?: { apiKey: number; min: number; max: number }[];
  onRequest?: (req: FakeRequest) => void;
  /** Serve Metadata, InitProducerId and Produce out of this log (see the file comment). */
  log?: FakeLog;
  /** This broker's node id. Default 1. */
  nodeId?: number;
  /** What Metadata answers. Default: this broker alone, leader of every partition. */
  cluster?: () => FakeClusterView;
  /** Picks each Produce request's outcome; by default everything goes to the log. */
  onProduce?: ProduceHandler;
  /** Picks each Fetch request's outcome; by default every partition is served from the log. */
  onFetch?: FetchHandler;
  /** Listen on this port (e.g. the port of a broker that was stopped: the same broker comes back). */
  port?: number;
  /**
   * The leader epoch Metadata announces (default: the log's): a broker whose metadata is behind
   * the controller's, or ahead of what the partition's leader knows.
   */
  metadataLeaderEpoch?: (topic: string, partition: number) => number;
}

/** The APIs and versions served with a `log` (ApiVersions aside), as announced by default. */
export const LOG_APIS: readonly { apiKey: number; min: number; max: number }[] = [
  { apiKey: 0, min: 9, max: 11 },
  { apiKey: 1, min: 12, max: 17 },
  { apiKey: 2, min: 6, max: 10 },
  { apiKey: 3, min: 12, max: 12 },
  { apiKey: 22, min: 4, max: 5 },
  { apiKey: 23, min: 4, max: 4 },
];

const FETCH = 1;
const LIST_OFFSETS = 2;
const METADATA = 3;
const PRODUCE = 0;
const INIT_PRODUCER_ID = 22;
const OFFSET_FOR_LEADER_EPOCH = 23;

/** One partition of an OffsetForLeaderEpoch request, as received. */
export interface FakeEpochQuery {
  topic: string;
  partition: number;
  currentLeaderEpoch: number;
  leaderEpoch: number;
}

interface SocketState {
  /** Requests of this connection run one after the other, as a broker handles them. */
  chain: Promise<void>;
  silent: boolean;
}

export class FakeBroker {
  readonly server: net.Server;
  readonly sockets = new Set<net.Socket>();
  readonly requests: { apiKey: number; apiVersion: number }[] = [];
  /** Every Produce request received, decoded, in arrival order. */
  readonly produceRequests: FakeProduceRequest[] = [];
  /** Every Fetch request received, decoded, in arrival order (each partition's answer in `served`). */
  readonly fetchRequests: FakeFetchRequest[] = [];
  /** Every partition of every OffsetForLeaderEpoch request, in arrival order. */
  readonly epochQueries: FakeEpochQuery[] = [];
  /** Every partition of every ListOffsets request: the epoch it was fenced with. */
  readonly listOffsetsQueries: { topic: string; partition: number; currentLeaderEpoch: number }[] = [];
  readonly nodeId: number;
  port = 0;

  constructor(private readonly options: FakeBrokerOptions = {}) {
    this.nodeId = options.nodeId ?? 1;
    this.server = net.createServer((socket) => this.onSocket(socket));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(this.options.port ?? 0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** This broker as a Metadata response announces it. */
  get node(): FakeNode {
    return { nodeId: this.nodeId, host: '127.0.0.1', port: this.port };
  }

  /** Requests received with this API key. */
  count(apiKey: number): number {
    let n = 0;
    for (const r of this.requests) if (r.apiKey === apiKey) n++;
    return n;
  }

  /** Closes every open connection (the listener stays: clients can reconnect). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  private onSocket(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const state: SocketState = { chain: Promise.resolve(), silent: false };
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        this.onFrame(socket, frame, state);
      }
    });
  }

  private onFrame(socket: net.Socket, frame: Buffer, state: SocketState): void {
    const r = new Reader(frame);
    const apiKey = r.int16();
    const apiVersion = r.int16();
    const correlationId = r.int32();
    const clientId = r.nullableString(false);
    this.requests.push({ apiKey, apiVersion });
    const req: FakeRequest = {
      apiKey,
      apiVersion,
      correlationId,
      clientId,
      socket,
      rest: frame.subarray(r.pos),
      reply(body, opts = {}) {
        const w = new Writer();
        w.int32(0).int32(opts.correlationId ?? correlationId);
        if (opts.flexibleHeader) w.uvarint(0);
        w.raw(body);
        w.setInt32(0, w.pos - 4);
        socket.write(opts.rewrite ? opts.rewrite(w.toBuffer()) : w.toBuffer());
      },
    };
    if (apiKey === 18) {
      req.reply(this.apiVersionsBody(apiVersion));
      return;
    }
    const log = this.options.log;
    if (log && LOG_APIS.some((a) => a.apiKey === apiKey)) {
      // Every version served here is flexible: request header v2 has a tagged-field section.
      r.taggedFields();
      state.chain = state.chain
        .then(() => (state.silent ? undefined : this.serve(log, req, r, state)))
        .catch(() => {
          socket.destroy();
        });
      return;
    }
    this.options.onRequest?.(req);
  }

  private async serve(log: FakeLog, req: FakeRequest, r: Reader, state: SocketState): Promise<void> {
    if (req.apiKey === METADATA) {
      req.reply(this.metadataBody(r), { flexibleHeader: true });
    } else if (req.apiKey === FETCH) {
      await this.fetch(log, req, r, state);
    } else if (req.apiKey === LIST_OFFSETS) {
      req.reply(this.listOffsetsBody(log, req.apiVersion, r), { flexibleHeader: true });
    } else if (req.apiKey === OFFSET_FOR_LEADER_EPOCH) {
      req.reply(this.offsetForLeaderEpochBody(log, r), { flexibleHeader: true });
    } else if (req.apiKey === INIT_PRODUCER_ID) {
      r.nullableString(true); // transactionalId
      r.int32(); // transactionTimeoutMs
      const res = log.initProducerId(r.int64(), r.int16());
      const w = new Writer();
      w.int32(0).int16(res.errorCode).int64(res.producerId).int16(res.producerEpoch).uvarint(0);
      req.reply(w.toBuffer(), { flexibleHeader: true });
    } else if (req.apiKey === PRODUCE) {
      await this.produce(log, req, r, state);
    }
  }

  private metadataBody(r: Reader): Buffer {
    const requested = r.nullableArray(true, (t) => {
      t.uuid();
      const name = t.nullableString(true);
      t.taggedFields();
      return name;
    });
    const log = this.options.log as FakeLog;
    const view = this.options.cluster?.() ?? { brokers: [this.node], leader: () => this.nodeId };
    const names = requested ?? [...log.topics.keys()];
    const w = new Writer();
    w.int32(0); // throttleTimeMs
    w.arrayLength(view.brokers.length, true);
    for (const b of view.brokers) w.int32(b.nodeId).string(b.host, true).int32(b.port).uvarint(0).uvarint(0);
    w.string('fake-cluster', true).int32(view.brokers[0]?.nodeId ?? -1);
    w.arrayLength(names.length, true);
    for (const name of names) {
      const count = name === null ? undefined : log.topics.get(name);
      w.int16(count === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.NONE);
      w.nullableString(name, true);
      w.raw(count === undefined ? Buffer.alloc(16) : topicIdBytes(name as string)); // topicId
      w.boolean(false); // isInternal
      w.arrayLength(count ?? 0, true);
      for (let p = 0; p < (count ?? 0); p++) {
        const leader = view.leader(name as string, p);
        w.int16(leader >= 0 ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE);
        const epoch =
          this.options.metadataLeaderEpoch?.(name as string, p) ?? log.leaderEpoch(name as string, p);
        w.int32(p).int32(leader).int32(epoch); // partitionIndex, leaderId, leaderEpoch
        for (let i = 0; i < 2; i++) w.arrayLength(1, true).int32(leader); // replicas, isr
        w.arrayLength(0, true).uvarint(0); // offlineReplicas, tagged fields
      }
      w.int32(-2147483648).uvarint(0); // topicAuthorizedOperations, tagged fields
    }
    w.uvarint(0);
    return w.toBuffer();
  }

  private async produce(log: FakeLog, req: FakeRequest, r: Reader, state: SocketState): Promise<void> {
    const transactionalId = r.nullableString(true);
    const acks = r.int16();
    const timeoutMs = r.int32();
    const partitions: FakeProducePartition[] = [];
    const topicCount = r.arrayLength(true) ?? 0;
    for (let t = 0; t < topicCount; t++) {
      const topic = r.string(true);
      const count = r.arrayLength(true) ?? 0;
      for (let i = 0; i < count; i++) {
        const partition = r.int32();
        const records = Buffer.from(r.nullableBytes(true) ?? Buffer.alloc(0));
        r.taggedFields();
        partitions.push(describeBatch(topic, partition, records));
      }
      r.taggedFields();
    }
    const produce: FakeProduceRequest = {
      apiVersion: req.apiVersion,
      correlationId: req.correlationId,
      index: this.produceRequests.length,
      transactionalId,
      acks,
      timeoutMs,
      partitions,
      socket: req.socket,
    };
    this.produceRequests.push(produce);
    const outcome = (await this.options.onProduce?.(produce)) ?? {};
    const view = this.options.cluster?.();
    const results: {
      p: FakeProducePartition;
      errorCode: number;
      baseOffset: bigint;
      message: string | null;
    }[] = [];
    partitions.forEach((p, i) => {
      const o =
        typeof outcome.partitions === 'function' ? outcome.partitions(p, i) : (outcome.partitions ?? 'log');
      if (o === 'discard') return;
      if (o === 'log') {
        // A broker that no longer leads the partition refuses it, as a real one does.
        if (view && view.leader(p.topic, p.partition) !== this.nodeId) {
          results.push({ p, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, baseOffset: -1n, message: null });
          return;
        }
        const a = log.append(p.topic, p.partition, p.records);
        results.push({ p, errorCode: a.errorCode, baseOffset: a.baseOffset, message: null });
      } else if ('errorCode' in o) {
        results.push({ p, errorCode: o.errorCode, baseOffset: -1n, message: o.errorMessage ?? null });
      } else {
        results.push({ p, errorCode: ErrorCode.NONE, baseOffset: o.baseOffset, message: null });
      }
    });
    const connection = outcome.connection ?? 'reply';
    if (connection === 'silent') {
      state.silent = true;
      return;
    }
    if (outcome.delayMs) await new Promise((resolve) => setTimeout(resolve, outcome.delayMs));
    if (connection === 'drop') {
      // Requests already read behind this one die with the connection, unanswered and unapplied.
      state.silent = true;
      req.socket.destroy();
      return;
    }
    if (acks !== 0) req.reply(produceResponseBody(results), { flexibleHeader: true });
    if (connection === 'reply-then-drop') {
      state.silent = true;
      req.socket.end();
    }
  }

  private async fetch(log: FakeLog, req: FakeRequest, r: Reader, state: SocketState): Promise<void> {
    const v = req.apiVersion;
    if (v <= 14) r.int32(); // replicaId (a tagged replicaState from v15)
    const maxWaitMs = r.int32();
    const minBytes = r.int32();
    const maxBytes = r.int32();
    const isolationLevel = r.int8();
    r.int32(); // sessionId: no fetch sessions here, every fetch is a full one
    r.int32(); // sessionEpoch
    const partitions: FakeFetchPartition[] = [];
    const topicCount = r.arrayLength(true) ?? 0;
    for (let t = 0; t < topicCount; t++) {
      let topic: string;
      let topicId: string;
      if (v >= 13) {
        topicId = r.uuid();
        topic = log.topicById(topicId) ?? '';
      } else {
        topic = r.string(true);
        topicId = topicIdBytes(topic).toString('base64url');
      }
      const count = r.arrayLength(true) ?? 0;
      for (let i = 0; i < count; i++) {
        const partition = r.int32();
        const currentLeaderEpoch = r.int32();
        const fetchOffset = r.int64();
        r.int32(); // lastFetchedEpoch
        r.int64(); // logStartOffset (followers only)
        const partitionMaxBytes = r.int32();
        r.taggedFields(); // replicaDirectoryId (v17+, followers only)
        partitions.push({ topic, topicId, partition, currentLeaderEpoch, fetchOffset, partitionMaxBytes });
      }
      r.taggedFields();
    }
    const fetch: FakeFetchRequest = {
      apiVersion: v,
      correlationId: req.correlationId,
      index: this.fetchRequests.length,
      maxWaitMs,
      minBytes,
      maxBytes,
      isolationLevel,
      partitions,
      socket: req.socket,
    };
    this.fetchRequests.push(fetch);
    const outcome = (await this.options.onFetch?.(fetch)) ?? {};
    const connection = outcome.connection ?? 'reply';
    if (connection === 'silent') {
      state.silent = true;
      return;
    }
    const errorCode = outcome.errorCode ?? ErrorCode.NONE;
    const fromLog =
      errorCode === ErrorCode.NONE && (outcome.partitions === undefined || outcome.partitions === 'log');
    let results = errorCode === ErrorCode.NONE ? this.fetchResults(log, fetch, outcome) : [];
    // Nothing to return yet: a broker holds the fetch until minBytes arrive or maxWaitMs ends.
    const deadline = Date.now() + maxWaitMs;
    const bytes = () => results.reduce((n, res) => n + (res.records?.length ?? 0), 0);
    if (fromLog && bytes() < minBytes && results.every((res) => res.errorCode === ErrorCode.NONE)) {
      const seen = log.version;
      while (Date.now() < deadline && log.version === seen && !req.socket.destroyed) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (req.socket.destroyed) return;
      results = this.fetchResults(log, fetch, outcome);
    }
    for (const res of results) res.p.served = { errorCode: res.errorCode, records: res.records };
    if (outcome.delayMs) await new Promise((resolve) => setTimeout(resolve, outcome.delayMs));
    if (connection === 'drop') {
      state.silent = true;
      req.socket.destroy();
      return;
    }
    req.reply(fetchResponseBody(v, errorCode, results), { flexibleHeader: true, rewrite: outcome.frame });
    if (connection === 'reply-then-drop') {
      state.silent = true;
      req.socket.end();
    }
  }

  /** Each partition's answer, in request order (discarded ones left out). */
  private fetchResults(log: FakeLog, req: FakeFetchRequest, outcome: FetchOutcome): FetchResult[] {
    const view = this.options.cluster?.();
    const results: FetchResult[] = [];
    // The response's byte budget: the first partition with data gets at least its first batch
    // whatever the limits (KIP-74), later ones only what fits (ReplicaManager.readFromLog).
    let budget = req.maxBytes;
    let minOneBatch = true;
    req.partitions.forEach((p, i) => {
      const o =
        typeof outcome.partitions === 'function' ? outcome.partitions(p, i) : (outcome.partitions ?? 'log');
      if (o === 'discard') return;
      const known = p.topic !== '' && p.partition >= 0 && p.partition < (log.topics.get(p.topic) ?? 0);
      const res: FetchResult = {
        p,
        errorCode: ErrorCode.NONE,
        highWatermark: known ? log.endOffset(p.topic, p.partition) : -1n,
        logStartOffset: known ? log.startOffset(p.topic, p.partition) : -1n,
        records: null,
      };
      results.push(res);
      if (o !== 'log') {
        if ('errorCode' in o) res.errorCode = o.errorCode;
        else {
          res.records = o.records;
          if (o.highWatermark !== undefined) res.highWatermark = o.highWatermark;
        }
        return;
      }
      if (!known) {
        res.errorCode = p.topic === '' ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      } else if (view && view.leader(p.topic, p.partition) !== this.nodeId) {
        res.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
      } else if (fence(log, p.topic, p.partition, p.currentLeaderEpoch) !== ErrorCode.NONE) {
        res.errorCode = fence(log, p.topic, p.partition, p.currentLeaderEpoch);
      } else if (p.fetchOffset < res.logStartOffset || p.fetchOffset > res.highWatermark) {
        res.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
      } else {
        const limit = Math.max(0, Math.min(p.partitionMaxBytes, budget));
        res.records = log.read(p.topic, p.partition, p.fetchOffset, limit, minOneBatch);
        budget -= res.records.length;
        if (res.records.length > 0) minOneBatch = false;
      }
      if (res.errorCode !== ErrorCode.NONE) {
        res.highWatermark = -1n;
        res.logStartOffset = -1n;
      }
    });
    return results;
  }

  /** What a broker answers a request for a partition before looking at it: unknown, not the leader, fenced. */
  private leaderCheck(
    log: FakeLog,
    view: FakeClusterView | undefined,
    topic: string,
    partition: number,
    currentLeaderEpoch: number,
  ): number {
    if (partition < 0 || partition >= (log.topics.get(topic) ?? 0))
      return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (view && view.leader(topic, partition) !== this.nodeId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return fence(log, topic, partition, currentLeaderEpoch);
  }

  /** OffsetForLeaderEpoch v4: where each asked epoch ends in the log, fenced like Fetch. */
  private offsetForLeaderEpochBody(log: FakeLog, r: Reader): Buffer {
    r.int32(); // replicaId
    const view = this.options.cluster?.();
    const w = new Writer();
    w.int32(0); // throttleTimeMs
    const topicCount = r.arrayLength(true) ?? 0;
    w.arrayLength(topicCount, true);
    for (let t = 0; t < topicCount; t++) {
      const topic = r.string(true);
      const count = r.arrayLength(true) ?? 0;
      w.string(topic, true).arrayLength(count, true);
      for (let i = 0; i < count; i++) {
        const partition = r.int32();
        const currentLeaderEpoch = r.int32();
        const leaderEpoch = r.int32();
        r.taggedFields();
        this.epochQueries.push({ topic, partition, currentLeaderEpoch, leaderEpoch });
        const errorCode = this.leaderCheck(log, view, topic, partition, currentLeaderEpoch);
        const end =
          errorCode === ErrorCode.NONE
            ? log.endOffsetForEpoch(topic, partition, leaderEpoch)
            : { leaderEpoch: -1, endOffset: -1n };
        w.int16(errorCode).int32(partition).int32(end.leaderEpoch).int64(end.endOffset).uvarint(0);
      }
      r.taggedFields();
      w.uvarint(0);
    }
    w.uvarint(0);
    return w.toBuffer();
  }

  /** ListOffsets v6–v10: the earliest (-2) and latest (-1) offsets; no lookup by time. */
  private listOffsetsBody(log: FakeLog, v: number, r: Reader): Buffer {
    r.int32(); // replicaId
    r.int8(); // isolationLevel: no transactions here, the last stable offset is the end offset
    const view = this.options.cluster?.();
    const w = new Writer();
    w.int32(0); // throttleTimeMs
    const topicCount = r.arrayLength(true) ?? 0;
    w.arrayLength(topicCount, true);
    for (let t = 0; t < topicCount; t++) {
      const name = r.string(true);
      const count = r.arrayLength(true) ?? 0;
      w.string(name, true).arrayLength(count, true);
      for (let i = 0; i < count; i++) {
        const partition = r.int32();
        const currentLeaderEpoch = r.int32();
        const timestamp = r.int64();
        r.taggedFields();
        this.listOffsetsQueries.push({ topic: name, partition, currentLeaderEpoch });
        let errorCode = this.leaderCheck(log, view, name, partition, currentLeaderEpoch);
        let offset = -1n;
        if (errorCode === ErrorCode.NONE) {
          if (timestamp === -2n) offset = log.startOffset(name, partition);
          else if (timestamp === -1n) offset = log.endOffset(name, partition);
          else errorCode = ErrorCode.INVALID_REQUEST; // the fake keeps no record timestamps
        }
        w.int32(partition)
          .int16(errorCode)
          .int64(-1n)
          .int64(offset)
          .int32(errorCode ? -1 : log.leaderEpoch(name, partition))
          .uvarint(0);
      }
      r.taggedFields();
      w.uvarint(0);
    }
    if (v >= 10) r.int32(); // timeoutMs
    w.uvarint(0);
    return w.toBuffer();
  }

  private apiVersionsBody(version: number): Buffer {
    const max = this.options.apiVersionsMax ?? 4;
    const apis =
      this.options.apis ??
      (this.options.log
        ? [{ apiKey: 18, min: 0, max }, ...LOG_APIS]
        : [
            { apiKey: 18, min: 0, max },
            { apiKey: 3, min: 0, max: 12 },
          ]);
    const w = new Writer();
    if (version > max) {
      // KIP-511: unknown version → v0 body with UNSUPPORTED_VERSION and our key list.
      w.int16(35).int32(apis.length);
      for (const a of apis) w.int16(a.apiKey).int16(a.min).int16(a.max);
      return w.toBuffer();
    }
    const flexible = version >= 3;
    w.int16(0).arrayLength(apis.length, flexible);
    for (const a of apis) {
      w.int16(a.apiKey).int16(a.min).int16(a.max);
      if (flexible) w.uvarint(0);
    }
    if (version >= 1) w.int32(0);
    if (flexible) w.uvarint(0);
    return w.toBuffer();
  }
}

/** One partition of a Fetch response. */
interface FetchResult {
  p: FakeFetchPartition;
  errorCode: number;
  highWatermark: bigint;
  logStartOffset: bigint;
  records: Buffer | null;
}

/**
 * Fetch response v12–v17: partitions grouped by topic in request order, topics by name up to v12
 * and by id from v13. No aborted transactions, no preferred read replica, no tagged fields (the
 * v16 nodeEndpoints are only sent with NOT_LEADER_OR_FOLLOWER by brokers that know the leader).
 */
function fetchResponseBody(v: number, errorCode: number, results: FetchResult[]): Buffer {
  const byTopic = new Map<string, FetchResult[]>();
  for (const res of results) {
    let list = byTopic.get(res.p.topicId);
    if (!list) byTopic.set(res.p.topicId, (list = []));
    list.push(res);
  }
  const w = new Writer();
  w.int32(0).int16(errorCode).int32(0); // throttleTimeMs, errorCode, sessionId
  w.arrayLength(byTopic.size, true);
  for (const [topicId, list] of byTopic) {
    if (v >= 13) w.raw(Buffer.from(topicId, 'base64url'));
    else w.string(list[0].p.topic, true);
    w.arrayLength(list.length, true);
    for (const res of list) {
      w.int32(res.p.partition).int16(res.errorCode).int64(res.highWatermark);
      w.int64(res.highWatermark).int64(res.logStartOffset); // lastStableOffset, logStartOffset
      w.arrayLength(null, true).int32(-1); // abortedTransactions, preferredReadReplica
      w.nullableBytes(res.records, true).uvarint(0);
    }
    w.uvarint(0);
  }
  w.uvarint(0);
  return w.toBuffer();
}

/** The id the fake gives a topic: 16 bytes derived from its name, the same on every broker. */
function topicIdBytes(name: string): Buffer {
  return createHash('md5').update(name).digest();
}

/** Produce response v9–v11 (all the same body): results grouped by topic in request order. */
function produceResponseBody(
  results: { p: FakeProducePartition; errorCode: number; baseOffset: bigint; message: string | null }[],
): Buffer {
  const byTopic = new Map<string, typeof results>();
  for (const res of results) {
    let list = byTopic.get(res.p.topic);
    if (!list) byTopic.set(res.p.topic, (list = []));
    list.push(res);
  }
  const w = new Writer();
  w.arrayLength(byTopic.size, true);
  for (const [topic, list] of byTopic) {
    w.string(topic, true).arrayLength(list.length, true);
    for (const res of list) {
      w.int32(res.p.partition).int16(res.errorCode).int64(res.baseOffset);
      w.int64(-1n).int64(0n); // logAppendTimeMs, logStartOffset
      w.arrayLength(0, true).nullableString(res.message, true).uvarint(0); // recordErrors, message, tags
    }
    w.uvarint(0);
  }
  w.int32(0).uvarint(0); // throttleTimeMs, tagged fields
  return w.toBuffer();
}

function describeBatch(topic: string, partition: number, records: Buffer): FakeProducePartition {
  const p: FakeProducePartition = {
    topic,
    partition,
    records,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    recordCount: 0,
    values: [],
  };
  try {
    const b = decodeRecordBatches(records).batches[0];
    if (b) {
      p.producerId = b.producerId;
      p.producerEpoch = b.producerEpoch;
      p.baseSequence = b.baseSequence;
      p.recordCount = b.recordCount;
      p.values = b.records.map((rec) => (rec.value === null ? null : rec.value.toString('utf8')));
    }
  } catch {
    // A corrupt batch: the log answers CORRUPT_MESSAGE when asked to append it.
  }
  return p;
}

/** A broker's check of a client's leader epoch (-1: none given, nothing to check). */
function fence(log: FakeLog, topic: string, partition: number, currentLeaderEpoch: number): number {
  if (currentLeaderEpoch < 0) return ErrorCode.NONE;
  const epoch = log.leaderEpoch(topic, partition);
  if (currentLeaderEpoch < epoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (currentLeaderEpoch > epoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  return ErrorCode.NONE;
}

/** One batch as the log holds it. */
export interface LoggedBatch {
  baseOffset: bigint;
  /** Offset of its last record. */
  lastOffset: bigint;
  /** The batch as Fetch serves it: the bytes appended, with the base offset the log gave it. */
  bytes: Buffer;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  values: (string | null)[];
  /** The partition leader epoch it was appended under (stamped into its bytes, outside the CRC). */
  leaderEpoch: number;
}

export interface FakeLogOptions {
  /** Topic name → partition count. */
  topics: Record<string, number>;
  /**
   * A retry of one of the last 5 batches: `'offset'` answers success with the offset it got
   * (what current brokers do), `'error'` answers DUPLICATE_SEQUENCE_NUMBER.
   */
  duplicates?: 'offset' | 'error';
  /**
   * What a partition with no state for a producer does with a first batch whose sequence is
   * not 0. By default it appends it, as a 4.x broker does (ProducerAppendInfo takes any first
   * sequence from a producer it has no epoch for). With an error code it answers that instead:
   * UNKNOWN_PRODUCER_ID is what brokers before KIP-360 answered once retention had removed a
   * producer's last records.
   */
  unknownProducerError?: number;
}

interface ProducerEntry {
  epoch: number;
  /** The last 5 batches appended: what a broker remembers to spot a retry (KAFKA-5494). */
  recent: { firstSeq: number; lastSeq: number; baseOffset: bigint }[];
}

/** Sequences remembered per producer and partition, as `ProducerStateEntry.NUM_BATCHES_TO_RETAIN`. */
const BATCHES_TO_RETAIN = 5;

/**
 * Partition logs and idempotent-producer state of a fake cluster: what a real broker checks
 * before it appends a batch (epoch, sequence continuity, the last 5 batches for duplicates),
 * and the producer ids it hands out (1000, 1001, …; an epoch bump keeps the id, KIP-360).
 */
export class FakeLog {
  readonly topics: Map<string, number>;
  /** InitProducerId requests as received: the id and epoch the producer sent (-1 for a new one). */
  readonly initRequests: { producerId: bigint; producerEpoch: number }[] = [];
  private readonly logs = new Map<string, LoggedBatch[]>();
  private readonly nextOffset = new Map<string, bigint>();
  private readonly logStart = new Map<string, bigint>();
  private changes = 0;
  private readonly states = new Map<string, ProducerEntry>();
  private readonly epochs = new Map<bigint, number>();
  private readonly leaderEpochs = new Map<string, number>();
  private nextProducerId = 1000n;
  private readonly options: FakeLogOptions;

  constructor(options: FakeLogOptions) {
    this.options = options;
    this.topics = new Map(Object.entries(options.topics));
  }

  initProducerId(
    producerId: bigint,
    producerEpoch: number,
  ): { errorCode: number; producerId: bigint; producerEpoch: number } {
    this.initRequests.push({ producerId, producerEpoch });
    if (producerId < 0n) {
      const id = this.nextProducerId++;
      this.epochs.set(id, 0);
      return { errorCode: ErrorCode.NONE, producerId: id, producerEpoch: 0 };
    }
    const current = this.epochs.get(producerId);
    if (current !== producerEpoch) {
      return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, producerId: -1n, producerEpoch: -1 };
    }
    this.epochs.set(producerId, current + 1);
    return { errorCode: ErrorCode.NONE, producerId, producerEpoch: current + 1 };
  }

  /** Appends the batch in `records` after the checks a broker makes; returns the partition result. */
  append(topic: string, partition: number, records: Buffer): { errorCode: number; baseOffset: bigint } {
    const count = this.topics.get(topic);
    if (count === undefined || partition < 0 || partition >= count) {
      return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1n };
    }
    let batch: ReturnType<typeof decodeRecordBatches>['batches'][number] | undefined;
    try {
      const decoded = decodeRecordBatches(records);
      if (decoded.batches.length !== 1 || decoded.truncated) throw new Error('not one whole batch');
      batch = decoded.batches[0];
    } catch {
      return { errorCode: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1n };
    }
    const tp = `${topic}-${partition}`;
    const firstSeq = batch.baseSequence;
    const lastSeq = batch.recordCount === 0 ? firstSeq : (firstSeq + batch.recordCount - 1) % 2 ** 31;
    let entry: ProducerEntry | undefined;
    if (batch.producerId >= 0n) {
      const key = `${batch.producerId}|${tp}`;
      entry = this.states.get(key);
      if (!entry) {
        if (firstSeq !== 0 && this.options.unknownProducerError !== undefined) {
          return { errorCode: this.options.unknownProducerError, baseOffset: -1n };
        }
        entry = { epoch: batch.producerEpoch, recent: [] };
        this.states.set(key, entry);
      } else if (batch.producerEpoch < entry.epoch) {
        return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, baseOffset: -1n };
      } else if (batch.producerEpoch > entry.epoch) {
        // A new epoch starts its sequences over at 0 (KIP-360).
        if (firstSeq !== 0) return { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1n };
        entry.epoch = batch.producerEpoch;
        entry.recent = [];
      } else {
        const dup = entry.recent.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
        if (dup) {
          return this.options.duplicates === 'error'
            ? { errorCode: ErrorCode.DUPLICATE_SEQUENCE_NUMBER, baseOffset: -1n }
            : { errorCode: ErrorCode.NONE, baseOffset: dup.baseOffset };
        }
        const last = entry.recent.at(-1);
        const expected = last ? (last.lastSeq + 1) % 2 ** 31 : 0;
        if (firstSeq !== expected)
          return { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1n };
      }
    }
    const baseOffset = this.nextOffset.get(tp) ?? 0n;
    this.nextOffset.set(tp, baseOffset + BigInt(batch.recordCount));
    let log = this.logs.get(tp);
    if (!log) this.logs.set(tp, (log = []));
    // The base offset and the leader epoch are outside the CRC: a broker rewrites them in place.
    const bytes = Buffer.from(records);
    bytes.writeBigInt64BE(baseOffset, 0);
    const leaderEpoch = this.leaderEpoch(topic, partition);
    bytes.writeInt32BE(leaderEpoch, 12);
    this.changes++;
    log.push({
      baseOffset,
      lastOffset: baseOffset + BigInt(batch.lastOffsetDelta),
      bytes,
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      baseSequence: firstSeq,
      values: batch.records.map((rec) => (rec.value === null ? null : rec.value.toString('utf8'))),
      leaderEpoch,
    });
    if (entry) {
      entry.recent.push({ firstSeq, lastSeq, baseOffset });
      if (entry.recent.length > BATCHES_TO_RETAIN) entry.recent.shift();
    }
    return { errorCode: ErrorCode.NONE, baseOffset };
  }

  /** The batches of a partition, in offset order. */
  batches(topic: string, partition: number): readonly LoggedBatch[] {
    return this.logs.get(`${topic}-${partition}`) ?? [];
  }

  /** Every record value of a partition, in offset order. */
  values(topic: string, partition: number): (string | null)[] {
    return this.batches(topic, partition).flatMap((b) => b.values);
  }

  /** Appends one plain (non-idempotent) batch of these values; returns its base offset. */
  appendValues(topic: string, partition: number, values: readonly (string | null)[]): bigint {
    const b = new RecordBatchBuilder();
    const now = Date.now();
    for (const v of values) b.append(now, null, v === null ? null : Buffer.from(v));
    const res = this.append(topic, partition, b.finish());
    if (res.errorCode !== ErrorCode.NONE) throw new Error(`appendValues: error code ${res.errorCode}`);
    return res.baseOffset;
  }

  /** The offset the next record gets: the high watermark (every append is committed at once). */
  endOffset(topic: string, partition: number): bigint {
    return this.nextOffset.get(`${topic}-${partition}`) ?? 0n;
  }

  /** The first offset still in the log (0 until `deleteRecordsBefore`). */
  startOffset(topic: string, partition: number): bigint {
    return this.logStart.get(`${topic}-${partition}`) ?? 0n;
  }

  /** The partition's leader epoch (0 until setLeaderEpoch): Metadata announces it, requests are fenced with it. */
  leaderEpoch(topic: string, partition: number): number {
    return this.leaderEpochs.get(`${topic}-${partition}`) ?? 0;
  }

  /** A new leader (or the same one again) under `epoch`: batches appended from now on carry it. */
  setLeaderEpoch(topic: string, partition: number, epoch: number): void {
    this.leaderEpochs.set(`${topic}-${partition}`, epoch);
    this.changes++;
  }

  /**
   * Drops the batches from `offset` on (a batch boundary), as a replica elected uncleanly never
   * had them: the next append gets `offset`.
   */
  truncateTo(topic: string, partition: number, offset: bigint): void {
    const tp = `${topic}-${partition}`;
    const log = this.logs.get(tp) ?? [];
    if (log.some((b) => b.baseOffset < offset && b.lastOffset >= offset))
      throw new Error('truncateTo: not a batch boundary');
    this.logs.set(
      tp,
      log.filter((b) => b.baseOffset < offset),
    );
    this.nextOffset.set(tp, offset);
    this.changes++;
  }

  /**
   * OffsetForLeaderEpoch's answer, as a broker's LeaderEpochFileCache gives it: the largest epoch
   * at or below `epoch` that the log has, and the first offset after it (the log end for the
   * current epoch); -1 / -1 when the log has no epoch that old.
   */
  endOffsetForEpoch(
    topic: string,
    partition: number,
    epoch: number,
  ): { leaderEpoch: number; endOffset: bigint } {
    const current = this.leaderEpoch(topic, partition);
    if (epoch >= current) return { leaderEpoch: current, endOffset: this.endOffset(topic, partition) };
    const batches = this.batches(topic, partition);
    let found = -1;
    for (const b of batches) if (b.leaderEpoch <= epoch) found = Math.max(found, b.leaderEpoch);
    if (found < 0) return { leaderEpoch: -1, endOffset: -1n };
    const after = batches.find((b) => b.leaderEpoch > found);
    return { leaderEpoch: found, endOffset: after ? after.baseOffset : this.endOffset(topic, partition) };
  }

  /** Bumped by every change of the logs: what a long-polling Fetch waits on. */
  get version(): number {
    return this.changes;
  }

  /**
   * The log from `fromOffset` as a broker's Fetch returns it: whole batches from the one that
   * holds the offset, cut at `maxBytes` even in the middle of a batch. With `minOneBatch` a
   * first batch larger than `maxBytes` comes whole (KIP-74); without it, nothing comes then
   * (a 4.x broker never answers a partial batch alone).
   */
  read(topic: string, partition: number, fromOffset: bigint, maxBytes: number, minOneBatch = true): Buffer {
    const parts: Buffer[] = [];
    let size = 0;
    for (const b of this.batches(topic, partition)) {
      if (b.lastOffset < fromOffset) continue;
      if (size + b.bytes.length > maxBytes) {
        if (size === 0 && minOneBatch) parts.push(b.bytes);
        else if (size > 0) parts.push(b.bytes.subarray(0, maxBytes - size));
        break;
      }
      parts.push(b.bytes);
      size += b.bytes.length;
    }
    return Buffer.concat(parts);
  }

  /**
   * Flips a byte in the records of the batch holding `offset`, as a bad disk would: its CRC no
   * longer matches, and every Fetch serves it so.
   */
  corrupt(topic: string, partition: number, offset: bigint): void {
    const b = this.batches(topic, partition).find((x) => x.baseOffset <= offset && offset <= x.lastOffset);
    if (!b) throw new Error(`corrupt: no batch holds offset ${offset}`);
    b.bytes[b.bytes.length - 1] ^= 0xff;
    this.changes++;
  }

  /**
   * Moves the log start offset up to `offset` and drops the batches wholly below it, as
   * retention or DeleteRecords does; fetching below it is then OFFSET_OUT_OF_RANGE.
   */
  deleteRecordsBefore(topic: string, partition: number, offset: bigint): void {
    const tp = `${topic}-${partition}`;
    this.logStart.set(tp, offset);
    this.logs.set(
      tp,
      this.batches(topic, partition).filter((b) => b.lastOffset >= offset),
    );
    this.changes++;
  }

  /** The name of the topic with this id (see Metadata), if the log has it. */
  topicById(topicId: string): string | undefined {
    for (const name of this.topics.keys())
      if (topicIdBytes(name).toString('base64url') === topicId) return name;
    return undefined;
  }

  /** Forgets a producer's state on every partition (as retention does with its last records). */
  forgetProducer(producerId: bigint): void {
    for (const key of [...this.states.keys()]) if (key.startsWith(`${producerId}|`)) this.states.delete(key);
  }
}
