/**
 * FetchSession: one broker's incremental fetch session (KIP-227; Java: `FetchSessionHandler`) —
 * what the broker holds for this consumer (each partition's fetch offset, byte limit and leader
 * epoch as last sent), and what the next Fetch must say: everything (a full request) or only what changed,
 * plus the partitions to forget.
 *
 * Invariants:
 * - The session's partitions are exactly those of the last request the broker answered: a
 *   partition the consumer stops fetching (paused, its buffer full, backing off, unassigned,
 *   moved to another leader) is forgotten in the next request, since the broker would otherwise
 *   keep sending its records.
 * - A request the broker did not answer (a connection error, a timeout), or answered with
 *   FETCH_SESSION_ID_NOT_FOUND or INVALID_FETCH_SESSION_EPOCH, makes the next one full: epoch 0,
 *   which closes the old session (when there was one) and opens a new one. Only an incremental
 *   request's session error is retried at once; a full one's is an ordinary error (backoff).
 * - The epoch goes 1, 2, ... after the request that opened the session, wrapping past INT32_MAX
 *   to 1 (0 opens a session, -1 closes one).
 * - In an incremental answer a partition left out has nothing new; in a full one every
 *   partition asked for is answered.
 */
import { ErrorCode } from '../protocol/error-codes.js';

/** A partition the fetcher wants in this request, at its fetch offset. */
export interface WantedPartition {
  topic: string;
  /** `key(topic, partition)`, the session's map key (the cursor's, built once). */
  key: string;
  /** The topic's id (Fetch v13+ names topics by id), '' when unknown. */
  topicId: string;
  partition: number;
  fetchOffset: bigint;
  maxBytes: number;
  /** The leader epoch the fetch is fenced with (KIP-320; Fetch v9+), -1 for none. */
  currentLeaderEpoch: number;
}

/** What the next Fetch carries (see FetchSession.plan). */
export interface FetchPlan {
  sessionId: number;
  sessionEpoch: number;
  /** Only what changed is sent; partitions left out of the answer have nothing new. */
  incremental: boolean;
  /** The partitions to put in the request's `topics`. */
  send: WantedPartition[];
  /** Partitions the session drops. */
  forget: { topic: string; topicId: string; partition: number; key: string }[];
  /** Every partition wanted (the session's partitions once answered). */
  wanted: WantedPartition[];
}

const INT32_MAX = 2147483647;

export class FetchSession {
  /** 0: no session yet (or the broker keeps none). */
  id = 0;
  /** 0: the next request is full and opens a session. */
  private epoch = 0;
  /** What the broker holds, as of the last answered request. */
  private readonly partitions = new Map<string, WantedPartition>();

  /**
   * The next request for `wanted`. `supported`: the connection's Fetch version is 7 or more;
   * without it every request is full and session-less (epoch -1).
   */
  plan(wanted: WantedPartition[], supported: boolean): FetchPlan {
    if (!supported) {
      return { sessionId: 0, sessionEpoch: -1, incremental: false, send: wanted, forget: [], wanted };
    }
    if (this.id === 0 || this.epoch === 0) {
      return { sessionId: this.id, sessionEpoch: 0, incremental: false, send: wanted, forget: [], wanted };
    }
    const send: WantedPartition[] = [];
    let held = 0;
    for (const w of wanted) {
      const h = this.partitions.get(w.key);
      if (h) held++;
      if (
        !h ||
        h.fetchOffset !== w.fetchOffset ||
        h.maxBytes !== w.maxBytes ||
        h.currentLeaderEpoch !== w.currentLeaderEpoch
      )
        send.push(w);
    }
    // Every partition the session holds is wanted again (the usual turn): nothing to forget, and
    // no set of the wanted keys to build (wanted holds each partition once).
    const forget: FetchPlan['forget'] = [];
    if (held < this.partitions.size) {
      const seen = new Set<string>();
      for (const w of wanted) seen.add(w.key);
      for (const [k, p] of this.partitions) {
        if (!seen.has(k)) forget.push({ topic: p.topic, topicId: p.topicId, partition: p.partition, key: k });
      }
    }
    return { sessionId: this.id, sessionEpoch: this.epoch, incremental: true, send, forget, wanted };
  }

  /**
   * The broker answered `plan` (top-level error code `errorCode`, session `sessionId`). Returns
   * false when the answer is a session error: the next request is full, and this one's
   * partitions have nothing to read.
   */
  answered(plan: FetchPlan, sessionId: number, errorCode: number): boolean {
    if (plan.sessionEpoch === -1) return true; // no session (Fetch < v7)
    if (
      errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND ||
      errorCode === ErrorCode.INVALID_FETCH_SESSION_EPOCH
    ) {
      this.reset(errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
      // A full request cannot be out of step with a session: a broker saying so anyway gets the
      // ordinary retry with backoff (true), never a loop of immediate full requests.
      return !plan.incremental;
    }
    if (errorCode !== ErrorCode.NONE) {
      this.reset(false); // whatever the broker did with the session, start it again
      return true;
    }
    if (!plan.incremental) {
      // A full request: the broker opened a session (sessionId), or keeps none (0: full again).
      this.id = sessionId;
      this.epoch = sessionId === 0 ? 0 : 1;
      this.partitions.clear();
      if (this.id !== 0) for (const w of plan.wanted) this.partitions.set(w.key, w);
    } else {
      this.epoch = this.epoch >= INT32_MAX ? 1 : this.epoch + 1;
      // What the broker holds now: the partitions sent (new or changed) and not those forgotten;
      // the others are as they were. (Rebuilt from every wanted partition on each answer, it
      // cost a map of them all per Fetch.)
      for (const w of plan.send) this.partitions.set(w.key, w);
      for (const f of plan.forget) this.partitions.delete(f.key);
    }
    return true;
  }

  /**
   * The next request is full. `forgetId`: the broker has no such session (it would refuse to
   * close it), so the next one opens a new session without naming the old.
   */
  reset(forgetId = false): void {
    if (forgetId) this.id = 0;
    this.epoch = 0;
    this.partitions.clear();
  }

  /** The session's partitions now (tests, diagnostics). */
  get size(): number {
    return this.partitions.size;
  }
}
