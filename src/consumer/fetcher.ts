/**
 * Fetcher: the consumer's fetch loops (Java: `Fetcher` / `AbstractFetch`), one per leader broker
 * with fetchable partitions — request building and rotation, the shared byte budget, each
 * partition's answer kept in its cursor, and per-partition backoff.
 *
 * Invariants:
 * - At most one fetch per broker is in flight, each partition in at most one of them.
 * - A partition is fetched only while the bytes of its undecoded batches are under
 *   `maxPartitionFetchBytes`, and a fetch asks for at most its broker's share of what is left of
 *   `fetchMaxBytes` after the bytes buffered and those the other fetches in flight may bring:
 *   memory stays bounded however slow the application is.
 * - An answer for a cursor whose epoch moved (a seek, a reset) or that was unassigned is dropped.
 * - Errors that retrying can fix (a moved leader, a dead connection) back the partition off and
 *   fetch it again; the others are kept in the cursor for the next poll, naming the partition.
 * - A partition is fetched from its leader, or (KIP-392, `clientRack`) from the replica the
 *   leader named, until metadataMaxAgeMs passes or that replica fails or errs; then from the
 *   leader again, and an out-of-range offset on a follower never resets the position.
 * - Requests to a broker go through its incremental fetch session (KIP-227, fetch-session.ts):
 *   after a full request, only partitions whose fetch offset changed are sent, and the others
 *   it stops fetching are forgotten; a lost session falls back to a full request at once.
 * - KIP-320: fetches carry the leader epoch of the partition (FENCED_LEADER_EPOCH refreshes the
 *   metadata, UNKNOWN_LEADER_EPOCH waits for the broker to catch up); each kept batch's epoch is
 *   the cursor's `fetchedEpoch`, and a partition whose leader epoch moved is not fetched until
 *   the PositionValidator has checked the new leader's log.
 */
import type { Cluster } from '../network/cluster.js';
import { type FetchMessage, fetchChannel } from '../network/diagnostics.js';
import { backoffMs, shouldRetry } from '../network/retry.js';
import { Fetch, type FetchRequest, type FetchTopic, type ForgottenTopic } from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { KafkaError, kafkaError, ProtocolError } from '../protocol/errors.js';
import { decodeRecordBatches } from '../protocol/records/record-batch.js';
import type { ResolvedConsumerConfig } from './config.js';
import { type Cursor, key } from './cursor.js';
import { partitionError } from './fetch-buffer.js';
import { FetchSession, type WantedPartition } from './fetch-session.js';
import type { ConsumerMetrics } from './metrics.js';
import type { MissingTopics } from './missing-topics.js';
import type { PositionValidator } from './position-validator.js';
import type { SubscriptionState } from './subscription-state.js';
import type { ConsumerEvents } from './types.js';

/** A partition in a fetch: its cursor, and the offset and epoch the request was built at. */
interface FetchPart {
  c: Cursor;
  offset: bigint;
  epoch: number;
}

/** One partition of a Fetch response, as far as the fetcher reads it. */
interface PartitionAnswer {
  errorCode: number;
  highWatermark: bigint;
  records: Buffer | null;
  abortedTransactions: unknown[] | null;
  /** KIP-392: the replica to fetch from instead, -1 for none. */
  preferredReadReplica: number;
}

/** What the fetcher needs of its consumer. */
export interface FetcherHost {
  readonly closed: boolean;
  /** Starts what needs starting again (offset lookups, fetch loops). */
  kick(): void;
  /** The `fetchError` event, when anyone listens. */
  fetchError?(e: ConsumerEvents['fetchError'][0]): void;
}

export class Fetcher {
  private readonly loops = new Set<number>();
  /** Fetch requests sent to each broker: where its next request starts (see fetchLoop). */
  private readonly turns = new Map<number, number>();
  /** Each broker's incremental fetch session (fetch-session.ts). */
  private readonly sessions = new Map<number, FetchSession>();
  private kickTimer: NodeJS.Timeout | null = null;
  private refreshing: Promise<unknown> | null = null;
  /** topicNamesById's map and the metadata snapshot's topics it was built from. */
  private namesById: { of: ReadonlyMap<string, unknown>; names: Map<string, string> } | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly config: ResolvedConsumerConfig,
    private readonly state: SubscriptionState,
    private readonly missingTopics: MissingTopics,
    private readonly metrics: ConsumerMetrics,
    private readonly validator: PositionValidator,
    private readonly host: FetcherHost,
  ) {}

  /**
   * Starts a fetch loop for every leader with a fetchable partition and none running. Every
   * poll calls this: when each broker already has its loop (which looks at every partition it
   * leads on each turn, and refreshes the metadata for those without a leader), or when no
   * memory is left to fetch into, there is nothing to start and no partition is looked at.
   * This walked every cursor on every poll: about 13 % of a 10,000-partition consumer's CPU
   * (bench/results/consume-10k-profile). Regression test: consumer-scale.test.ts.
   */
  start(): void {
    if (this.state.memory.room <= 0 || this.everyBrokerLooping()) return;
    const nodes = new Set<number>();
    for (const c of this.state.order) {
      if (this.missingTopics.has(c.topic)) continue; // checked again by the consumer's onMetadata
      const node = this.nodeFor(c);
      if (node === undefined) {
        this.refreshSoon();
        continue;
      }
      if (this.fetchable(c)) nodes.add(node);
    }
    for (const node of nodes) {
      if (!this.loops.has(node)) {
        this.loops.add(node);
        void this.fetchLoop(node).finally(() => this.loops.delete(node));
      }
    }
  }

  /** True when every broker of the metadata has a fetch loop running. */
  private everyBrokerLooping(): boolean {
    if (this.loops.size === 0) return false;
    for (const node of this.cluster.metadata.brokers.keys()) if (!this.loops.has(node)) return false;
    return true;
  }

  /** Kicks again after `ms` (a partition's retry backoff ends then). */
  kickAfter(ms: number): void {
    if (this.kickTimer || this.host.closed) return;
    const at = Date.now() + ms;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = null;
      // A timer counts from the event loop's cached clock, so it may fire a millisecond before
      // Date.now() reaches a partition's retryAt: that kick found nothing due, and nothing kicked
      // again until the next poll (a retry stalled for up to the poll's timeout). Wait the rest.
      // Regression test: consumer-faults.test.ts, "fetches again once a backoff is over".
      if (Date.now() < at) this.kickAfter(at - Date.now());
      else this.host.kick();
    }, ms);
  }

  /** Fresh metadata (a leader unknown or moved), then a kick, at most one at a time. */
  refreshSoon(): void {
    if (this.refreshing) return;
    this.refreshing = this.cluster
      .refresh()
      .catch(() => {})
      .then(() => new Promise((r) => setTimeout(r, this.config.retryBackoffMs)))
      .finally(() => {
        this.refreshing = null;
        this.host.kick();
      });
  }

  /** Stops the timers; loops end at their next turn (the consumer is closed by then). */
  close(): void {
    if (this.kickTimer) clearTimeout(this.kickTimer);
    this.kickTimer = null;
  }

  /**
   * Where a partition is fetched from: the replica its leader named (KIP-392) while that holds
   * and the broker is in the metadata, else its leader; undefined when it has none now.
   */
  private nodeFor(c: Cursor): number | undefined {
    if (c.preferredReplica >= 0) {
      if (Date.now() < c.preferredUntil && this.cluster.metadata.brokers.has(c.preferredReplica))
        return c.preferredReplica;
      c.preferredReplica = -1;
    }
    return this.cluster.leaderFor(c.topic, c.partition);
  }

  /** The partition is to be read at all (positioned, not paused, held or of a missing topic). */
  private wanted(c: Cursor): boolean {
    return c.fetchOffset !== null && !c.paused && !c.held && !this.missingTopics.has(c.topic);
  }

  private fetchable(c: Cursor): boolean {
    return this.wanted(c) && this.fetchableNow(c);
  }

  /** A wanted partition may be fetched now (not in flight, backing off, full or validating). */
  private fetchableNow(c: Cursor): boolean {
    return (
      !c.inFlight &&
      c.error === null &&
      c.retryAt <= Date.now() &&
      c.bufferedBytes < this.config.maxPartitionFetchBytes &&
      this.state.memory.room > 0 &&
      this.validator.ready(c)
    );
  }

  /** One broker's fetch loop: runs while that broker leads fetchable partitions. */
  private async fetchLoop(node: number): Promise<void> {
    const memory = this.state.memory;
    while (!this.host.closed) {
      const fetchable: Cursor[] = [];
      // One walk of the partitions per turn: this broker's fetchable ones, and the brokers with
      // work (each gets its share of fetchMaxBytes below; that was a second walk of them all).
      const busy = new Set<number>();
      for (const c of this.state.order) {
        const at = this.nodeFor(c);
        if (at === undefined) {
          // No leader known: start() no longer walks the partitions while this loop runs.
          if (!this.missingTopics.has(c.topic)) this.refreshSoon();
          continue;
        }
        if (!this.wanted(c)) continue;
        busy.add(at);
        if (at === node && this.fetchableNow(c)) fetchable.push(c);
      }
      if (fetchable.length === 0) return;
      // A broker fills a response in request order, and only the first partition with data is
      // sure to get a whole batch however large: each request to this broker starts one
      // partition further on, so none always comes last (Java rotates its fetch order too).
      const turn = this.turns.get(node) ?? 0;
      this.turns.set(node, turn + 1);
      const n = fetchable.length;
      const start = turn % n;
      const parts = new Array<FetchPart>(n);
      for (let i = 0; i < n; i++) {
        const c = fetchable[(start + i) % n] as Cursor;
        c.inFlight = true;
        parts[i] = { c, offset: c.fetchOffset as bigint, epoch: c.epoch };
      }
      // What is left of fetchMaxBytes, reserved until the answer is kept: fetch loops of several
      // brokers share the one budget, counted as the memory kept batches pin (fetch-memory.ts).
      // Each used to ask for the whole of fetchMaxBytes while the batches' own bytes were under
      // it: 8-11 MiB alive under a 2 MiB fetchMaxBytes in the test, and more with more brokers
      // (the README said about fetchMaxBytes). Regression test: consumer-memory.test.ts.
      // Each broker gets its share of it, not all that is left: a loop long-polling partitions
      // at their end took the whole room again the moment its answer came, so the brokers
      // leading partitions with records never got any — a consumer reading nothing for minutes
      // with lag on other brokers. Regression test: failover.test.ts, "fetch budget".
      const maxBytes = Math.min(memory.room, Math.ceil(this.config.fetchMaxBytes / Math.max(1, busy.size)));
      memory.reserved += maxBytes;
      let failed: boolean;
      try {
        failed = await this.fetchOnce(node, parts, maxBytes);
      } finally {
        memory.reserved -= maxBytes;
        for (const p of parts) if (p.c.epoch === p.epoch) p.c.inFlight = false;
      }
      if (failed) await new Promise((r) => setTimeout(r, this.config.retryBackoffMs));
    }
  }

  /**
   * Topic names by topic id (Fetch v13+ answers by id), built once per metadata snapshot: it
   * was built for every response, a walk of every topic the consumer knows (1,000 topics: 1,000
   * map entries per fetch).
   */
  private topicNamesById(topics: ReadonlyMap<string, { topicId: string }>): Map<string, string> {
    if (this.namesById?.of !== topics) {
      const names = new Map<string, string>();
      for (const [name, t] of topics) names.set(t.topicId, name);
      this.namesById = { of: topics, names };
    }
    return this.namesById.names;
  }

  /** One Fetch of `parts` from `node`, at most `maxBytes`; true when it failed as a whole. */
  private async fetchOnce(node: number, parts: FetchPart[], maxBytes: number): Promise<boolean> {
    let session = this.sessions.get(node);
    if (!session) {
      session = new FetchSession();
      this.sessions.set(node, session);
    }
    let fetchStartedAt = performance.now();
    try {
      const conn = await this.cluster.connectionTo(node);
      const version = conn.versionFor(Fetch);
      const md = this.cluster.metadata;
      const wanted: WantedPartition[] = parts.map(({ c, offset }) => ({
        topic: c.topic,
        key: c.key,
        topicId: md.topics.get(c.topic)?.topicId ?? '',
        partition: c.partition,
        fetchOffset: offset,
        maxBytes: this.config.maxPartitionFetchBytes,
        currentLeaderEpoch: c.leaderEpoch,
      }));
      const plan = session.plan(wanted, version >= 7);
      const request: FetchRequest = {
        maxWaitMs: this.config.fetchMaxWaitMs,
        minBytes: this.config.fetchMinBytes,
        maxBytes,
        isolationLevel: this.config.isolationLevel,
        sessionId: plan.sessionId,
        sessionEpoch: plan.sessionEpoch,
        topics: requestTopics(plan.send, version),
        forgottenTopicsData: forgottenTopics(plan.forget, version),
        rackId: this.config.clientRack,
      };
      fetchStartedAt = performance.now();
      const res = await conn.send(Fetch, request, {
        timeoutMs: this.config.requestTimeoutMs + this.config.fetchMaxWaitMs,
      });
      if (fetchChannel.hasSubscribers) this.publishFetch(node, parts.length, fetchStartedAt, res);
      // The broker lost or refused the session (restarted, evicted it, an epoch out of step):
      // the next request is full and opens a new one, at once (Java does the same).
      if (!session.answered(plan, res.sessionId, res.errorCode)) return false;
      // A top-level error (v7+) comes with no partitions. It used to be ignored, so every
      // partition looked unanswered and was fetched again at once, in a loop, the error never
      // reported; raised here it is retried after a backoff or surfaces at poll like any other.
      // Regression test: consumer-faults.test.ts, "a top-level Fetch error".
      if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, { broker: `node ${node}` });
      const byId = this.topicNamesById(md.topics);
      const results = new Map<string, PartitionAnswer>();
      for (const t of res.responses) {
        const name = t.topic !== '' ? t.topic : (byId.get(t.topicId) ?? '');
        for (const p of t.partitions) results.set(key(name, p.partitionIndex), p);
      }
      for (const part of parts) {
        const answer = results.get(part.c.key);
        // An incremental answer leaves out the partitions with nothing new (KIP-227).
        if (answer || !plan.incremental) this.onPartition(part, answer, node);
      }
      return false;
    } catch (err) {
      // Whether the broker saw this request is unknown: the next one is full (a new session).
      session.reset();
      this.onFetchFailed(node, parts, fetchStartedAt, err);
      return true;
    }
  }

  /** A Fetch failed as a whole: back its partitions off (retriable) or keep the error for poll. */
  private onFetchFailed(node: number, parts: FetchPart[], startedAt: number, err: unknown): void {
    // Closing: the fetch was cut by close(); nothing will fetch again (no backoffs, no kicks).
    if (this.host.closed) return;
    this.cluster.reportError(err);
    const error = err instanceof Error ? err : new Error(String(err));
    const decision = shouldRetry(err);
    let longest = 0;
    for (const { c, epoch } of parts) {
      if (c.epoch !== epoch) continue;
      // The replica the leader named cannot be reached: back to the leader (KIP-392).
      if (c.preferredReplica === node) c.preferredReplica = -1;
      if (decision.retry) {
        const wait = this.backOff(c);
        longest = Math.max(longest, wait);
      } else c.error = error;
    }
    if (fetchChannel.hasSubscribers) this.publishFetch(node, parts.length, startedAt, null, error);
    this.host.fetchError?.({ nodeId: node, error, retriable: decision.retry, backoffMs: longest });
    if (decision.refreshMetadata) this.refreshSoon();
    this.state.wake();
  }

  /** The partition's next fetch waits its backoff; returns how long. */
  private backOff(c: Cursor): number {
    const wait = backoffMs(c.attempts++, this.config);
    c.retryAt = Date.now() + wait;
    this.kickAfter(wait);
    return wait;
  }

  private publishFetch(
    nodeId: number,
    partitions: number,
    startedAt: number,
    res: { responses: { partitions: { records: Buffer | null }[] }[] } | null,
    error?: Error,
  ): void {
    let bytes = 0;
    if (res) for (const t of res.responses) for (const p of t.partitions) bytes += p.records?.length ?? 0;
    const m: FetchMessage = {
      clientId: this.config.clientId,
      nodeId,
      partitions,
      bytes,
      durationMs: performance.now() - startedAt,
      ...(error ? { error } : {}),
    };
    fetchChannel.publish(m);
  }

  private onPartition(part: FetchPart, p: PartitionAnswer | undefined, node: number): void {
    const { c, offset, epoch } = part;
    // Seeked, or unassigned (and maybe assigned again since, as a new cursor).
    if (c.epoch !== epoch || !this.state.isCurrent(c)) return;
    if (!p) {
      // Left out of the answer (a full fetch, with no session, should answer every partition
      // it asks for): fetch it again after a backoff. It used to be fetched again at once, in a
      // loop for as long as the broker left it out. Regression test: consumer-faults.test.ts,
      // "a partition left out of the response".
      this.backOff(c);
      return;
    }
    if (p.errorCode === ErrorCode.NONE) this.keepRecords(c, offset, p, node);
    else this.onPartitionError(c, p.errorCode, node);
  }

  /** A partition's records: batch headers read now, records decoded as poll hands them out. */
  private keepRecords(c: Cursor, offset: bigint, p: PartitionAnswer, node: number): void {
    const memory = this.state.memory;
    c.attempts = 0;
    c.highWatermark = p.highWatermark;
    if (this.config.isolationLevel === 1) c.aborts.add(p.abortedTransactions as never);
    if (p.preferredReadReplica >= 0 && p.preferredReadReplica !== node) {
      // KIP-392: the leader names a replica in our rack to read from (its answer carries no
      // records); until metadataMaxAgeMs passes or that replica fails, fetch from it.
      c.preferredReplica = p.preferredReadReplica;
      c.preferredUntil = Date.now() + this.config.metadataMaxAgeMs;
      if (!this.cluster.metadata.brokers.has(p.preferredReadReplica)) {
        // A broker our metadata does not list yet: learn it first, and back off meanwhile (the
        // leader would name it again at once, every fetch an empty answer).
        this.refreshSoon();
        this.backOff(c);
        return;
      }
      // After this fetch's loop turn has released the partition (inFlight), start the replica's.
      setImmediate(() => this.host.kick());
      return;
    }
    if (!p.records || p.records.length === 0) return;
    this.metrics.fetched(p.records.length);
    // Headers now (the CRC and records of a batch are checked and decoded as take() hands
    // it out); control batches are read at once for the abort filter.
    let decoded: ReturnType<typeof decodeRecordBatches>;
    try {
      decoded = decodeRecordBatches(p.records, {
        verifyCrc: this.config.checkCrcs,
        fromOffset: offset,
        deferRecords: true,
      });
    } catch (err) {
      // A batch header that cannot be read fails this partition only. It used to escape to
      // fetchOnce, which failed every partition of the fetch with it (the healthy ones' records
      // held back, the error thrown once per partition, none named). Regression test:
      // consumer-faults.test.ts, "fails only the partition whose batch header cannot be read".
      this.fail(c, err);
      return;
    }
    const { batches, deferred, error } = decoded;
    let next = offset;
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i];
      if (b.lastOffset < next) continue;
      next = b.lastOffset + 1n;
      c.fetchedEpoch = b.partitionLeaderEpoch;
      if (this.config.isolationLevel === 1 ? c.aborts.skips(b) : b.isControl) continue;
      const d = deferred?.[i];
      if (d) c.keep(d, memory);
    }
    if (next !== offset) c.fetchOffset = next;
    if (error) {
      // A corrupt batch (its CRC): the good ones before it are handed out first, then every
      // poll fails on it (the next fetch starts there) until the application seeks past it.
      this.fail(c, error);
      return;
    }
    if (next === offset) {
      // Bytes, but no whole batch at or past the fetch offset (only part of one): since KIP-74
      // (Fetch v3+) a broker sends the first batch whole however large, so asking again gets the
      // same answer. This used to be fetched again at once, in a loop that delivered and
      // reported nothing; Java fails the poll too ("Failed to make progress reading messages
      // at <topic-partition>=<offset>"). Regression test: consumer-faults.test.ts, "part of a batch".
      this.fail(
        c,
        new ProtocolError(
          `Fetch at offset ${offset} returned ${p.records.length} bytes but no whole record batch at or past it`,
        ),
      );
      return;
    }
    if (c.hasBuffered) this.state.wake();
  }

  private fail(c: Cursor, err: unknown): void {
    c.error = partitionError(c, err);
    this.state.wake();
  }

  private onPartitionError(c: Cursor, code: number, node: number): void {
    const err = kafkaError(code, { topic: c.topic, partition: c.partition, broker: `node ${node}` });
    if (c.preferredReplica === node) {
      // An error from the replica the leader named (behind, no longer a replica, ...): fetch
      // from the leader again; an offset out of range there is only then a reason to reset, as
      // KIP-392 asks (a follower may simply not have the records yet).
      c.preferredReplica = -1;
      this.backOff(c);
      this.state.wake();
      return;
    }
    if (code === ErrorCode.OFFSET_OUT_OF_RANGE && c.hasBuffered) {
      // A fetch ahead of records still to hand out: those are good. Deliver them first; the
      // fetch is asked again later, and out of range then (nothing buffered), the policy applies.
      this.backOff(c);
    } else if (code === ErrorCode.OFFSET_OUT_OF_RANGE) {
      if (this.config.autoOffsetReset === 'none') c.error = err;
      else this.state.requestReset(c, this.config.autoOffsetReset);
    } else if (err.retriable) {
      this.cluster.reportError(err);
      if (err.refreshMetadata) this.refreshSoon();
      this.backOff(c);
    } else {
      c.error = err;
    }
    this.state.wake();
  }
}

/** Partitions grouped by topic, as Fetch wants them: by name, or by id from v13. */
function groupByTopic<T extends { topic: string; topicId: string }, P>(
  items: readonly T[],
  version: number,
  partition: (item: T) => P,
): { topic?: string; topicId?: string; partitions: P[] }[] {
  const byTopic = new Map<string, { topic?: string; topicId?: string; partitions: P[] }>();
  for (const item of items) {
    let t = byTopic.get(item.topic);
    if (!t) {
      t =
        version >= 13
          ? { topicId: item.topicId || undefined, partitions: [] }
          : { topic: item.topic, partitions: [] };
      byTopic.set(item.topic, t);
    }
    t.partitions.push(partition(item));
  }
  return [...byTopic.values()];
}

/** The request's topics. */
function requestTopics(send: readonly WantedPartition[], version: number): FetchTopic[] {
  return groupByTopic(send, version, (w) => ({
    partition: w.partition,
    currentLeaderEpoch: w.currentLeaderEpoch,
    fetchOffset: w.fetchOffset,
    partitionMaxBytes: w.maxBytes,
  }));
}

/** The partitions a session drops. */
function forgottenTopics(
  forget: readonly { topic: string; topicId: string; partition: number }[],
  version: number,
): ForgottenTopic[] {
  return groupByTopic(forget, version, (f) => f.partition);
}
