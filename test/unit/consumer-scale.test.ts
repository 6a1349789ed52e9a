/**
 * The consumer's per-poll work does not grow with the assignment: every poll kicks the offset
 * resolver and the fetcher, which used to walk every assigned partition each time (about 18 %
 * of a 10,000-partition consumer's CPU, bench/results/consume-10k-profile). Here the cursors
 * are counted as they are read, with no broker: the fetch loop is held in flight (or failing)
 * by a stand-in cluster. What still has to happen is checked too: new partitions get their
 * lookups, and a partition without a leader still gets its metadata refresh.
 */
import { describe, expect, it } from 'vitest';
import { resolveConsumerConfig } from '../../src/consumer/config.js';
import type { Cursor } from '../../src/consumer/cursor.js';
import { takeRecords } from '../../src/consumer/fetch-buffer.js';
import { Fetcher } from '../../src/consumer/fetcher.js';
import { OffsetResolver } from '../../src/consumer/offset-resolver.js';
import { RebalanceCoordinator } from '../../src/consumer/rebalance-coordinator.js';
import { SubscriptionState } from '../../src/consumer/subscription-state.js';
import { TimeoutError } from '../../src/protocol/errors.js';
import type { DecodedRecord } from '../../src/protocol/records/layout.js';

const PARTITIONS = 10_000;

/** `state.order` behind a proxy that counts every cursor read from it. */
function countReads(state: SubscriptionState): { reads: number } {
  const counter = { reads: 0 };
  const order = state.order;
  state.order = new Proxy(order, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) counter.reads++;
      return Reflect.get(target, prop, receiver);
    },
  });
  return counter;
}

function placed(n: number, positioned: boolean): SubscriptionState {
  const state = new SubscriptionState(50 << 20);
  state.place(Array.from({ length: n }, (_, partition) => ({ topic: 't', partition })));
  if (positioned) for (const c of state.order) state.setPosition(c, 0n);
  return state;
}

const config = resolveConsumerConfig({ bootstrapServers: ['127.0.0.1:1'], retryBackoffMs: 5 });

/** A cluster of one broker (node 1) leading every partition but those in `leaderless`. */
function cluster(connect: () => Promise<never>, leaderless = new Set<number>()) {
  const calls = { connect: 0, refresh: 0 };
  return {
    calls,
    metadata: { brokers: new Map([[1, {}]]), topics: new Map() },
    leaderFor: (_topic: string, partition: number) => (leaderless.has(partition) ? undefined : 1),
    connectionTo: () => {
      calls.connect++;
      return connect();
    },
    refresh: async () => {
      calls.refresh++;
    },
    reportError: () => {},
  };
}

function fetcherOf(state: SubscriptionState, c: ReturnType<typeof cluster>) {
  const host = { closed: false, kick: () => {} };
  const fetcher = new Fetcher(
    c as never,
    config,
    state,
    { has: () => false } as never,
    { fetched: () => {} } as never,
    { ready: (_: Cursor) => true } as never,
    host,
  );
  return { fetcher, host };
}

describe('per-poll work at 10,000 partitions', () => {
  it('starts no walk of the partitions while the broker already has its fetch loop', () => {
    const state = placed(PARTITIONS, true);
    const c = cluster(() => new Promise<never>(() => {})); // the fetch stays in flight
    const { fetcher, host } = fetcherOf(state, c);
    fetcher.start();
    expect(c.calls.connect).toBe(1);
    const counter = countReads(state);
    for (let poll = 0; poll < 100; poll++) fetcher.start();
    // Without the check for running loops: 100 polls x 10,000 cursors.
    expect(counter.reads).toBe(0);
    expect(c.calls.connect).toBe(1); // and no second loop for the same broker
    host.closed = true;
    fetcher.close();
  });

  it('still refreshes the metadata for a partition without a leader while the loop runs', async () => {
    const state = placed(PARTITIONS, true);
    let fail!: (e: Error) => void;
    const c = cluster(
      () =>
        new Promise<never>((_, reject) => {
          fail = reject;
        }),
    );
    const { fetcher, host } = fetcherOf(state, c);
    fetcher.start();
    // The leader of partition 7 goes away while the loop's fetch is in flight; the polls that
    // follow do not look (the loop runs), so the loop's next turn has to notice.
    c.leaderFor = (_t, p) => (p === 7 ? undefined : 1);
    for (let poll = 0; poll < 10; poll++) fetcher.start();
    // A timeout: retried after a backoff, with no metadata refresh of its own.
    fail(new TimeoutError('Fetch timed out'));
    const deadline = Date.now() + 2000;
    while (c.calls.refresh === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(c.calls.refresh).toBeGreaterThan(0);
    host.closed = true;
    fetcher.close();
  });

  it('looks only at the partitions without a position, and still finds new ones', () => {
    const state = placed(PARTITIONS, true);
    const host = { closed: false, committed: async () => new Map(), kick: () => {}, kickAfter: () => {} };
    const c = cluster(() => new Promise<never>(() => {}));
    // No leader known and the topics missing: the resets wait in resetTo, where they can be read.
    c.leaderFor = () => undefined;
    const resolver = new OffsetResolver(c as never, config, state, { has: () => true } as never, host);
    const counter = countReads(state);
    for (let poll = 0; poll < 100; poll++) resolver.start();
    // Without the set of cursors to position: 100 polls x 10,000 cursors.
    expect(counter.reads).toBe(0);
    expect(state.resetTo.size).toBe(0);

    // Two more partitions assigned, one reset asked for: those three, and only those, are due.
    state.place([...state.assignment(), { topic: 't', partition: PARTITIONS }, { topic: 'u', partition: 0 }]);
    state.requestReset(state.cursor({ topic: 't', partition: 3 }), 'earliest');
    resolver.start();
    expect([...state.resetTo].map(([cur, to]) => `${cur.topic}-${cur.partition}:${to}`).sort()).toEqual([
      `t-${PARTITIONS}:latest`,
      't-3:earliest',
      'u-0:latest',
    ]);
    expect(state.unpositioned.size).toBe(3);
    state.setPosition(state.cursor({ topic: 'u', partition: 0 }), 5n);
    expect(state.unpositioned.size).toBe(2);
    state.place([{ topic: 't', partition: 0 }]); // the others unassigned: none left to position
    expect(state.unpositioned.size).toBe(0);
  });

  it('hands out round-robin without walking the partitions it already emptied again', () => {
    const state = placed(PARTITIONS, true);
    for (const c of state.order) {
      c.buffered = [0n, 1n, 2n].map((offset) => ({ offset }) as DecodedRecord);
      c.fetchOffset = 3n;
    }
    const counter = countReads(state);
    const seen = new Map<number, bigint[]>();
    let polls = 0;
    for (;;) {
      const taken = takeRecords(state, 500, false, () => {});
      if (taken.length === 0) break;
      polls++;
      for (const { batch } of taken) {
        const got = seen.get(batch.partition) ?? [];
        got.push(...batch.records.map((r) => r.offset));
        seen.set(batch.partition, got);
      }
    }
    // Every record once, each partition's in order.
    expect(seen.size).toBe(PARTITIONS);
    for (const offsets of seen.values()) expect(offsets).toEqual([0n, 1n, 2n]);
    expect(polls).toBe(60);
    // Each partition looked at about once, plus one per poll (the last poll walks them all).
    // Starting each poll one partition on from the last start walked the emptied ones again:
    // 313,250 reads here.
    expect(counter.reads).toBeLessThan(3 * PARTITIONS);
  });
});

// Every poll asks whether the subscription's view (its topics and their partition counts)
// changed since the join; the view was rebuilt each time, a string over every subscribed topic:
// with 1,000 topics about a third of the consumer's CPU while records flowed.
describe('view of the subscription', () => {
  const TOPICS = 1_000;
  class CountingMap<K, V> extends Map<K, V> {
    gets = 0;
    override get(k: K): V | undefined {
      this.gets++;
      return super.get(k);
    }
  }
  const snapshot = (grown?: string) => {
    const topics = new CountingMap<string, unknown>();
    for (let i = 0; i < TOPICS; i++) {
      const name = `t${i}`;
      const n = name === grown ? 2 : 1;
      topics.set(name, { name, isInternal: false, errorCode: 0, partitions: Array.from({ length: n }) });
    }
    return { updatedAt: Date.now(), brokers: new Map(), topics };
  };

  it.each([
    ['a topic list', Array.from({ length: TOPICS }, (_, i) => `t${i}`)],
    ['a pattern', /^t\d+$/],
  ])('is built once per metadata snapshot with %s, and follows the next snapshot', (_, topics) => {
    const cluster = {
      metadata: snapshot(),
      refresh: async () => {},
      addTopics: () => {},
      watchAllTopics: () => {},
    };
    const coordinator = new RebalanceCoordinator(
      cluster as never,
      resolveConsumerConfig({ bootstrapServers: ['127.0.0.1:1'], groupId: 'g' }),
      new SubscriptionState(1 << 20),
      {} as never,
      {} as never,
      {} as never,
    );
    coordinator.subscribe(topics as string[] | RegExp, {});
    const view = () => (coordinator as unknown as { viewOfSubscription(): string }).viewOfSubscription();
    const first = view();
    expect(first.split(',')).toHaveLength(TOPICS);
    const gets = () => (cluster.metadata.topics as CountingMap<string, unknown>).gets;
    const before = gets();
    for (let poll = 0; poll < 100; poll++) expect(view()).toBe(first);
    expect(gets() - before).toBe(0); // 100,000 lookups before the fix
    cluster.metadata = snapshot('t7');
    expect(view()).toContain('t7:2');
    expect(view()).not.toBe(first);
  });
});
