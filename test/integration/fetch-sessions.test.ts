/**
 * Incremental fetch sessions (KIP-227) against the real broker: after the first, full Fetch, a
 * consumer of 200 partitions sends only the partitions whose offset moved (idle fetches carry
 * none), forgets the ones it pauses, and receives every record once, in order. A session the
 * broker refuses (an epoch out of step, INVALID_FETCH_SESSION_EPOCH, staged by moving our epoch)
 * falls back to a full request at once, and nothing is lost or read twice. Request sizes are
 * read from the `kafkawire:request` channel.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, DIAGNOSTICS_CHANNELS, Producer, type RequestMessage } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic, waitFor } from '../helpers/topics.js';

const PARTITIONS = 200;
let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(async () => {
  await cluster.close();
});

interface FetchSeen {
  bytes: number;
  errorCode: number;
  sessionId: number;
}

/** Records every Fetch the process sends while `fn` runs. */
async function watchFetches<T>(fn: (seen: FetchSeen[]) => Promise<T>): Promise<T> {
  const seen: FetchSeen[] = [];
  const handlers = {
    start() {},
    end() {},
    asyncStart() {},
    asyncEnd(m: RequestMessage) {
      if (m.api !== 'Fetch') return;
      const r = m.result as { errorCode: number; sessionId: number } | undefined;
      seen.push({ bytes: m.requestBytes, errorCode: r?.errorCode ?? -1, sessionId: r?.sessionId ?? 0 });
    },
    error() {},
  };
  const channel = tracingChannel(DIAGNOSTICS_CHANNELS.request);
  channel.subscribe(handlers as never);
  try {
    return await fn(seen);
  } finally {
    channel.unsubscribe(handlers as never);
  }
}

type Session = { id: number; epoch: number; size: number };
function sessionOf(c: Consumer): Session | undefined {
  const sessions = (c as unknown as { fetcher: { sessions: Map<number, Session> } }).fetcher.sessions;
  return [...sessions.values()][0];
}

async function produce(topic: string, partitions: number[], perPartition: number, tag: string) {
  const producer = new Producer({ bootstrapServers: brokers(), lingerMs: 0 });
  await producer.send(
    partitions.flatMap((partition) =>
      Array.from({ length: perPartition }, (_, i) => ({
        topic,
        partition,
        value: `${tag}-${partition}-${i}`,
      })),
    ),
  );
  await producer.close();
}

/** Polls until `n` more records came; returns them as `value@partition:offset`. */
async function read(c: Consumer, n: number, into: Map<number, bigint[]>): Promise<void> {
  let got = 0;
  const until = Date.now() + 20_000;
  while (got < n && Date.now() < until) {
    for (const b of await c.poll({ timeoutMs: 300 })) {
      const list = into.get(b.partition) ?? [];
      for (const r of b.records) list.push(r.offset);
      into.set(b.partition, list);
      got += b.records.length;
    }
  }
  expect(got).toBe(n);
}

function expectEachOnceInOrder(offsets: Map<number, bigint[]>, perPartition: Map<number, number>) {
  for (const [p, n] of perPartition) {
    expect(offsets.get(p), `partition ${p}`).toEqual(Array.from({ length: n }, (_, i) => BigInt(i)));
  }
}

describe('incremental fetch sessions (KIP-227)', () => {
  it('after one full Fetch, sends only what changed: idle fetches are a fraction of it, every record once', async () => {
    const topic = uniqueTopic('sessions');
    await createTopic(cluster, topic, PARTITIONS);
    const all = Array.from({ length: PARTITIONS }, (_, p) => p);
    await produce(topic, all, 2, 'a');
    const c = new Consumer({ bootstrapServers: brokers(), autoOffsetReset: 'earliest', fetchMaxWaitMs: 100 });
    try {
      await watchFetches(async (seen) => {
        c.assign(all.map((partition) => ({ topic, partition })));
        const offsets = new Map<number, bigint[]>();
        await read(c, PARTITIONS * 2, offsets);
        const session = sessionOf(c);
        expect(session?.id).toBeGreaterThan(0); // the broker opened one
        // Now mostly idle: a few partitions get records while the consumer keeps fetching.
        const mark = seen.length;
        await produce(topic, [3, 77, 150], 5, 'b');
        await read(c, 15, offsets);
        await new Promise((r) => setTimeout(r, 500));
        const full = seen[0].bytes;
        const later = seen.slice(mark).map((s) => s.bytes);
        expect(later.length).toBeGreaterThan(2);
        // A full request names all 200 partitions (about 30 bytes each); an idle incremental one none.
        expect(full).toBeGreaterThan(PARTITIONS * 20);
        expect(Math.min(...later)).toBeLessThan(full / 10);
        expect(seen.every((s) => s.errorCode === ErrorCode.NONE)).toBe(true);
        const counts = new Map(all.map((p) => [p, 2]));
        for (const p of [3, 77, 150]) counts.set(p, 7);
        expectEachOnceInOrder(offsets, counts);
        // Paused partitions leave the session; resumed ones come back, from where they were.
        c.pause([{ topic, partition: 5 }]);
        await produce(topic, [5, 6], 3, 'c');
        await read(c, 3, offsets); // partition 6 only
        await waitFor(() => (sessionOf(c)?.size ?? 0) === PARTITIONS - 1, 'the paused partition forgotten');
        c.resume([{ topic, partition: 5 }]);
        await read(c, 3, offsets);
        counts.set(5, 5);
        counts.set(6, 5);
        expectEachOnceInOrder(offsets, counts);
      });
    } finally {
      await c.close();
    }
  });

  it('a session the broker refuses (epoch out of step) falls back to a full Fetch at once, losing nothing', async () => {
    const topic = uniqueTopic('sessions-epoch');
    await createTopic(cluster, topic, 8);
    const all = Array.from({ length: 8 }, (_, p) => p);
    await produce(topic, all, 3, 'a');
    const c = new Consumer({ bootstrapServers: brokers(), autoOffsetReset: 'earliest', fetchMaxWaitMs: 100 });
    try {
      await watchFetches(async (seen) => {
        c.assign(all.map((partition) => ({ topic, partition })));
        const offsets = new Map<number, bigint[]>();
        await read(c, 24, offsets);
        const session = sessionOf(c) as Session;
        const id = session.id;
        expect(id).toBeGreaterThan(0);
        // The broker expects another epoch now (a fetch in flight may still be answered first).
        session.epoch += 5;
        await produce(topic, all, 1, 'b');
        await read(c, 8, offsets);
        await waitFor(
          () => seen.some((s) => s.errorCode === ErrorCode.INVALID_FETCH_SESSION_EPOCH),
          'the broker to refuse the epoch',
        );
        await produce(topic, all, 1, 'c');
        await read(c, 8, offsets);
        const after = sessionOf(c) as Session;
        expect(after.id).toBeGreaterThan(0); // a new session, opened by the full request
        expectEachOnceInOrder(offsets, new Map(all.map((p) => [p, 5])));
      });
    } finally {
      await c.close();
    }
  });
});
