/**
 * FetchSession on its own (KIP-227): the first request is full and opens a session; then only
 * partitions whose fetch offset (or byte limit) changed are sent, the ones no longer wanted are
 * forgotten, and the epoch counts up (wrapping to 1); a session error, another top-level error
 * or an unanswered request makes the next request full again.
 */
import { describe, expect, it } from 'vitest';
import { key } from '../../src/consumer/cursor.js';
import { FetchSession, type WantedPartition } from '../../src/consumer/fetch-session.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';

const w = (partition: number, fetchOffset: bigint, topic = 't'): WantedPartition => ({
  topic,
  key: key(topic, partition),
  topicId: `${topic}-id`,
  partition,
  fetchOffset,
  maxBytes: 1024,
  currentLeaderEpoch: 0,
});

describe('FetchSession', () => {
  it('opens with a full request, then sends only what changed and forgets what is no longer wanted', () => {
    const s = new FetchSession();
    const first = s.plan([w(0, 0n), w(1, 0n), w(2, 0n)], true);
    expect(first).toMatchObject({ sessionId: 0, sessionEpoch: 0, incremental: false });
    expect(first.send).toHaveLength(3);
    expect(s.answered(first, 77, ErrorCode.NONE)).toBe(true);
    expect(s.id).toBe(77);

    // Partition 1 got records (its offset moved), 2 is not wanted now (say, paused).
    const second = s.plan([w(0, 0n), w(1, 10n)], true);
    expect(second).toMatchObject({ sessionId: 77, sessionEpoch: 1, incremental: true });
    expect(second.send.map((p) => p.partition)).toEqual([1]);
    expect(second.forget).toEqual([{ topic: 't', topicId: 't-id', partition: 2, key: key('t', 2) }]);
    s.answered(second, 77, ErrorCode.NONE);

    // Nothing changed: an empty request, the session as it is.
    const third = s.plan([w(0, 0n), w(1, 10n)], true);
    expect(third).toMatchObject({ sessionEpoch: 2, send: [], forget: [] });
    s.answered(third, 77, ErrorCode.NONE);
    // Partition 2 back, and a byte limit change counts as a change.
    const fourth = s.plan([w(0, 0n), { ...w(1, 10n), maxBytes: 2048 }, w(2, 5n)], true);
    expect(fourth.send.map((p) => p.partition)).toEqual([1, 2]);
    expect(fourth.sessionEpoch).toBe(3);
  });

  it('sends a partition again when its leader epoch changed (KIP-320: the broker fences with it)', () => {
    const s = new FetchSession();
    s.answered(s.plan([w(0, 5n), w(1, 5n)], true), 9, ErrorCode.NONE);
    const next = s.plan([{ ...w(0, 5n), currentLeaderEpoch: 1 }, w(1, 5n)], true);
    expect(next.incremental).toBe(true);
    expect(next.send).toEqual([{ ...w(0, 5n), currentLeaderEpoch: 1 }]);
  });

  it('falls back to a full request after a session error, closing the old session when the broker still has it', () => {
    for (const [code, nextId] of [
      [ErrorCode.INVALID_FETCH_SESSION_EPOCH, 5],
      [ErrorCode.FETCH_SESSION_ID_NOT_FOUND, 0],
    ] as const) {
      const s = new FetchSession();
      s.answered(s.plan([w(0, 0n)], true), 5, ErrorCode.NONE);
      const inc = s.plan([w(0, 3n)], true);
      expect(inc.incremental).toBe(true);
      expect(s.answered(inc, 0, code)).toBe(false); // nothing to read from this answer
      const next = s.plan([w(0, 3n)], true);
      expect(next).toMatchObject({ sessionId: nextId, sessionEpoch: 0, incremental: false });
      expect(next.send).toHaveLength(1);
      // The same error on that full request is an ordinary error (retried after a backoff by the
      // fetcher), not another immediate full request: no loop against a broker that keeps saying it.
      expect(s.answered(next, 0, code)).toBe(true);
      expect(s.plan([w(0, 3n)], true).sessionEpoch).toBe(0);
    }
  });

  it('starts over after a request the broker did not answer, or answered with another error', () => {
    const s = new FetchSession();
    s.answered(s.plan([w(0, 0n)], true), 9, ErrorCode.NONE);
    s.reset(); // a connection error
    expect(s.plan([w(0, 0n)], true)).toMatchObject({ sessionId: 9, sessionEpoch: 0, incremental: false });
    s.answered(s.plan([w(0, 0n)], true), 9, ErrorCode.NONE);
    expect(s.answered(s.plan([w(0, 1n)], true), 9, ErrorCode.UNKNOWN_SERVER_ERROR)).toBe(true);
    expect(s.plan([w(0, 1n)], true).sessionEpoch).toBe(0);
  });

  it('stays full when the broker keeps no session (id 0), and is session-less before Fetch v7', () => {
    const s = new FetchSession();
    s.answered(s.plan([w(0, 0n)], true), 0, ErrorCode.NONE);
    expect(s.plan([w(0, 0n)], true)).toMatchObject({ sessionId: 0, sessionEpoch: 0, incremental: false });
    expect(s.size).toBe(0);
    const old = new FetchSession().plan([w(0, 0n)], false);
    expect(old).toMatchObject({ sessionId: 0, sessionEpoch: -1, incremental: false });
  });

  it('wraps the epoch past INT32_MAX to 1', () => {
    const s = new FetchSession();
    s.answered(s.plan([w(0, 0n)], true), 3, ErrorCode.NONE);
    (s as unknown as { epoch: number }).epoch = 2147483647;
    const last = s.plan([w(0, 0n)], true);
    expect(last.sessionEpoch).toBe(2147483647);
    s.answered(last, 3, ErrorCode.NONE);
    expect(s.plan([w(0, 0n)], true).sessionEpoch).toBe(1);
  });
});
