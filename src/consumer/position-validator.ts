/**
 * PositionValidator: the consumer's half of KIP-320 (Java: `OffsetsForLeaderEpochUtils` and the
 * AWAIT_VALIDATION state of `SubscriptionState`) — when a partition's leader epoch moves past
 * the one its records were fetched under, the new leader is asked (OffsetForLeaderEpoch) where
 * the epoch of the last fetched batch ends in its log. An end below the fetch offset means the
 * log was truncated there (an unclean leader election): records fetched, maybe handed out, are
 * gone, and other records may come to take their offsets.
 *
 * Invariants:
 * - A cursor is `validating` from the moment a newer leader epoch is seen (at each metadata
 *   update, and as the fetcher picks partitions) until its answer is applied, a seek or reset
 *   replaces its position, or it is unassigned; meanwhile it is not fetched (`ready` says so)
 *   and nothing it buffered is handed out, so nothing is read past a truncation unnoticed.
 * - A truncation below the position (records handed out are gone): with autoOffsetReset
 *   'earliest' or 'latest' the position goes back to the divergent offset, the first the logs
 *   differ at (Java does the same: no record of the new log is skipped, none before it read
 *   twice); with 'none' every poll throws LogTruncationError until a seek. The leader knowing no
 *   epoch that old: a reset by autoOffsetReset, or the error. A truncation only of what was
 *   fetched ahead drops that and fetches again from the position.
 * - Retriable failures (a leader moving again, FENCED_LEADER_EPOCH, a lost connection) are
 *   asked again after a backoff and a metadata refresh, never in a loop; an answer for a cursor
 *   that was seeked or unassigned meanwhile is dropped.
 */
import type { Cluster } from '../network/cluster.js';
import { backoffMs, shouldRetry } from '../network/retry.js';
import {
  OffsetForLeaderEpoch,
  type OffsetForLeaderEpochResponse,
  type OffsetForLeaderPartition,
  type OffsetForLeaderTopic,
} from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { KafkaError, kafkaError, LogTruncationError, UnsupportedVersionError } from '../protocol/errors.js';
import type { ResolvedConsumerConfig } from './config.js';
import { type Cursor, key } from './cursor.js';
import type { SubscriptionState } from './subscription-state.js';
import type { ConsumerEvents, LogTruncation } from './types.js';

/** What the validator needs of its consumer. */
export interface PositionValidatorHost {
  readonly closed: boolean;
  /** Starts what needs starting again (fetch loops, resets). */
  kick(): void;
  /** The `logTruncated` event. */
  emit(event: 'logTruncated', ...args: ConsumerEvents['logTruncated']): boolean;
}

/** A cursor in a validation request, as it was when the request was built. */
interface Asked {
  c: Cursor;
  /** The cursor's epoch then: a seek since makes the answer moot. */
  epoch: number;
  fetchOffset: bigint;
  /** The leader epoch the request was fenced with. */
  currentLeaderEpoch: number;
}

export class PositionValidator {
  /** Cursors waiting for a validation request. */
  private readonly due = new Set<Cursor>();
  private running = false;
  private attempts = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly config: ResolvedConsumerConfig,
    private readonly state: SubscriptionState,
    private readonly host: PositionValidatorHost,
  ) {
    // Every metadata update: partitions whose leader moved start validating at once, so that
    // nothing they fetched before is handed out meanwhile (fetch-buffer.ts skips them).
    cluster.on('metadata', () => {
      for (const c of this.state.order) if (c.fetchOffset !== null && !c.error) this.ready(c);
    });
  }

  /**
   * Whether `c` may be fetched under the current metadata. The partition's leader epoch is
   * adopted when nothing fetched needs checking; when it moved past the one `c` fetched under,
   * a validation starts and `c` waits for it.
   */
  ready(c: Cursor): boolean {
    if (c.validating || c.stuck) return false;
    const epoch = this.cluster.metadata.topics.get(c.topic)?.partitions[c.partition]?.leaderEpoch ?? -1;
    if (epoch < 0 || epoch === c.leaderEpoch) return true;
    if (epoch > c.leaderEpoch && c.leaderEpoch >= 0 && c.fetchedEpoch >= 0 && c.fetchOffset !== null) {
      c.validating = true;
      this.due.add(c);
      this.run().catch((err: unknown) => this.config.log.warn({ err }, 'Position validation failed'));
      return false;
    }
    c.leaderEpoch = epoch;
    return true;
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.due.size > 0 && !this.host.closed) {
        const byLeader = new Map<number, Asked[]>();
        let waiting = false;
        for (const c of [...this.due]) {
          if (!c.validating || !this.state.isCurrent(c) || c.fetchOffset === null) {
            this.due.delete(c); // seeked, reset or unassigned meanwhile
            continue;
          }
          const md = this.cluster.metadata.topics.get(c.topic)?.partitions[c.partition];
          if (!md || md.leader < 0) {
            waiting = true; // no leader now: asked again after a refresh
            continue;
          }
          this.due.delete(c);
          const list = byLeader.get(md.leader) ?? [];
          list.push({ c, epoch: c.epoch, fetchOffset: c.fetchOffset, currentLeaderEpoch: md.leaderEpoch });
          byLeader.set(md.leader, list);
        }
        const results = await Promise.all([...byLeader].map(([node, list]) => this.validate(node, list)));
        if (waiting || results.includes(false)) {
          // Something to ask again: fresh metadata first, and a backoff, never a loop.
          await this.cluster.refresh().catch(() => {});
          await new Promise((r) => setTimeout(r, backoffMs(this.attempts++, this.config)));
        } else this.attempts = 0;
      }
    } finally {
      this.running = false;
      this.host.kick();
    }
  }

  /** One OffsetForLeaderEpoch to `node`; false when some partition is to be asked again. */
  private async validate(node: number, list: Asked[]): Promise<boolean> {
    const topics = new Map<string, OffsetForLeaderPartition[]>();
    for (const { c, currentLeaderEpoch } of list) {
      const ps = topics.get(c.topic) ?? [];
      ps.push({ partition: c.partition, currentLeaderEpoch, leaderEpoch: c.fetchedEpoch });
      topics.set(c.topic, ps);
    }
    let res: OffsetForLeaderEpochResponse;
    try {
      res = await this.send(
        node,
        [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      );
    } catch (err) {
      if (err instanceof UnsupportedVersionError) {
        // A broker without OffsetForLeaderEpoch v2+ cannot validate anything (Java skips too).
        for (const a of list) if (this.unchanged(a)) this.accept(a);
        return true;
      }
      this.cluster.reportError(err);
      return this.retryOrFail(list, err);
    }
    const answers = new Map<string, { errorCode: number; leaderEpoch: number; endOffset: bigint }>();
    for (const t of res.topics) for (const p of t.partitions) answers.set(key(t.topic, p.partition), p);
    let settled = true;
    for (const a of list) {
      if (!this.unchanged(a)) continue;
      const r = answers.get(key(a.c.topic, a.c.partition));
      const code = r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      if (r && code === ErrorCode.NONE) {
        this.apply(a, r.leaderEpoch, r.endOffset);
        continue;
      }
      const err = kafkaError(code, { topic: a.c.topic, partition: a.c.partition, broker: `node ${node}` });
      // FENCED_LEADER_EPOCH (our metadata is behind), UNKNOWN_LEADER_EPOCH (the broker is),
      // NOT_LEADER_OR_FOLLOWER: the leader moved on; ask whoever leads after a refresh.
      this.cluster.reportError(err);
      if (!this.retryOrFail([a], err)) settled = false;
    }
    return settled;
  }

  private async send(node: number, topics: OffsetForLeaderTopic[]): Promise<OffsetForLeaderEpochResponse> {
    const conn = await this.cluster.connectionTo(node);
    conn.versionFor(OffsetForLeaderEpoch); // UnsupportedVersionError before anything is sent
    return conn.send(
      OffsetForLeaderEpoch,
      { replicaId: -1, topics },
      { timeoutMs: this.config.requestTimeoutMs },
    );
  }

  /** The cursor is as it was asked about (not seeked, reset or unassigned since). */
  private unchanged(a: Asked): boolean {
    return a.c.epoch === a.epoch && a.c.validating && this.state.isCurrent(a.c);
  }

  /** The log before the fetch offset is the leader's: fetching goes on under its epoch. */
  private accept(a: Asked): void {
    a.c.leaderEpoch = a.currentLeaderEpoch;
    a.c.validating = false;
  }

  /** What the leader said: the end of the epoch fetched last is `endOffset` (-1: it knows none). */
  private apply(a: Asked, leaderEpoch: number, endOffset: bigint): void {
    const { c } = a;
    if (endOffset >= a.fetchOffset && leaderEpoch >= 0) {
      this.accept(a);
      return;
    }
    c.leaderEpoch = a.currentLeaderEpoch;
    const position = c.position ?? a.fetchOffset;
    const unknown = endOffset < 0 || leaderEpoch < 0;
    if (!unknown && endOffset >= position) {
      // Only records fetched ahead, never handed out, are gone: fetch again from the position.
      this.state.setPosition(c, position, false, leaderEpoch);
      return;
    }
    const policy = this.config.autoOffsetReset;
    const divergentOffset = unknown ? null : endOffset;
    const resetTo = policy === 'none' ? null : unknown ? policy : 'divergentOffset';
    const event: LogTruncation = {
      topic: c.topic,
      partition: c.partition,
      fetchOffset: a.fetchOffset,
      divergentOffset,
      resetTo,
    };
    this.config.log.warn(event, 'Log truncation detected after a leader change');
    // Not from inside the validation: a listener that throws must not stop it.
    process.nextTick(() => this.host.emit('logTruncated', event));
    if (policy === 'none') {
      const err = new LogTruncationError(c.topic, c.partition, a.fetchOffset, divergentOffset);
      c.validating = false;
      c.stuck = err;
      c.error = err;
    } else if (unknown) this.state.requestReset(c, policy);
    else this.state.setPosition(c, endOffset, true, leaderEpoch);
    this.state.wake();
  }

  /** Back in line for another request if `err` is retriable (false), else kept for poll (true). */
  private retryOrFail(list: Asked[], err: unknown): boolean {
    if (shouldRetry(err).retry || (err instanceof KafkaError && err.retriable)) {
      for (const a of list) if (this.unchanged(a)) this.due.add(a.c);
      return false;
    }
    for (const a of list) {
      if (!this.unchanged(a)) continue;
      a.c.validating = false;
      a.c.error = err instanceof Error ? err : new Error(String(err));
    }
    this.state.wake();
    return true;
  }
}
