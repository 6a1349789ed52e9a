/**
 * Reconnect backoff in the network layer (Cluster/Connection), which the producer, consumer and
 * admin client share: attempts to an unreachable broker are spaced exponentially up to
 * reconnectBackoffMaxMs, concurrent callers share one attempt, a broker that answered again is
 * reconnected at once, and a failure that repeats is reported once with a count.
 */
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/network/cluster.js';
import { type RepeatedError, RepeatFilter } from '../../src/network/repeats.js';
import { reconnectBackoffMs } from '../../src/network/retry.js';
import { ConnectionError } from '../../src/protocol/errors.js';
import { FakeBroker, FakeLog } from '../helpers/fake-broker.js';

/** A port that accepts connections and closes each at once, counting when they came. */
async function slammingDoor(): Promise<{ port: number; accepts: number[]; close: () => Promise<void> }> {
  const accepts: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    accepts.push(Date.now());
    sockets.add(s);
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    accepts,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {});
});

describe('reconnect backoff', () => {
  it('computes reconnectBackoffMs doubling per failure up to reconnectBackoffMaxMs, with ±20 % jitter', () => {
    const o = { reconnectBackoffMs: 50, reconnectBackoffMaxMs: 1000 };
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((f) => reconnectBackoffMs(f, o, () => 0.5))).toEqual([
      50, 100, 200, 400, 800, 1000, 1000, 1000,
    ]);
    expect(reconnectBackoffMs(1, o, () => 0)).toBe(40);
    expect(reconnectBackoffMs(1, o, () => 0.999)).toBeLessThanOrEqual(60);
    expect(reconnectBackoffMs(30, o, () => 0.999)).toBeLessThanOrEqual(1000);
  });

  it('spaces attempts to a broker that keeps failing exponentially, however hard callers retry', async () => {
    const door = await slammingDoor();
    cleanup.push(door.close);
    const cluster = new Cluster({
      bootstrapServers: `127.0.0.1:${door.port}`,
      reconnectBackoffMs: 50,
      reconnectBackoffMaxMs: 400,
    });
    cleanup.push(() => cluster.close());
    // A caller that retries at once on every failure: without a backoff this is a busy loop.
    const until = Date.now() + 2500;
    let failures = 0;
    while (Date.now() < until) {
      const err = await cluster.refresh().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      failures++;
    }
    // 0, ~50, ~150, ~350, ~750, ~1150, ... : about 8 attempts in 2.5 s, not hundreds.
    expect(door.accepts.length).toBeGreaterThanOrEqual(4);
    expect(door.accepts.length).toBeLessThanOrEqual(14);
    expect(failures).toBe(door.accepts.length);
    const gaps = door.accepts.slice(1).map((t, i) => t - door.accepts[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[2]).toBeGreaterThanOrEqual(150); // third wait: 200 ms ± 20 %
    for (const g of gaps) expect(g).toBeLessThan(400 * 1.2 + 300); // capped (plus a loaded machine's slack)
  });

  it('shares one attempt among every caller waiting for the same broker', async () => {
    const door = await slammingDoor();
    cleanup.push(door.close);
    const cluster = new Cluster({ bootstrapServers: `127.0.0.1:${door.port}` });
    cleanup.push(() => cluster.close());
    await cluster.refresh().catch(() => {});
    expect(door.accepts.length).toBe(1);
    const errors = await Promise.all(
      Array.from({ length: 20 }, () => cluster.refresh().catch((e: unknown) => e)),
    );
    for (const e of errors) expect(e).toBeInstanceOf(ConnectionError);
    expect(door.accepts.length).toBe(2);
  });

  it('reconnects at once to a broker that was ready, and after a success forgets the failures', async () => {
    const log = new FakeLog({ topics: { t: 1 } });
    const first = await new FakeBroker({ log }).start();
    const port = first.port;
    await first.stop();
    const cluster = new Cluster({
      bootstrapServers: `127.0.0.1:${port}`,
      reconnectBackoffMs: 200,
      reconnectBackoffMaxMs: 800,
    });
    cleanup.push(() => cluster.close());
    for (let i = 0; i < 4; i++) await cluster.refresh().catch(() => {});
    expect(cluster.reconnectDelay('127.0.0.1', port)).toBeGreaterThan(0);
    const broker = await new FakeBroker({ log, port }).start();
    cleanup.push(() => broker.stop());
    await cluster.refresh();
    expect(cluster.reconnectDelay('127.0.0.1', port)).toBe(0);
    // The broker drops us: the connection was up, so the next attempt starts without a wait.
    broker.dropConnections();
    await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    await cluster.refresh();
    expect(Date.now() - t0).toBeLessThan(150);
  });
});

describe('Cluster reachability', () => {
  it('ends an outage when a connection to a known broker comes back, without a metadata refresh', async () => {
    const log = new FakeLog({ topics: { t: 1 } });
    const first = await new FakeBroker({ log }).start();
    const port = first.port;
    const cluster = new Cluster({
      bootstrapServers: `127.0.0.1:${port}`,
      reconnectBackoffMs: 10,
      reconnectBackoffMaxMs: 20,
    });
    cleanup.push(() => cluster.close());
    await cluster.refresh();
    const events: string[] = [];
    cluster.on('unreachable', () => events.push('unreachable'));
    cluster.on('reachable', () => events.push('reachable'));
    await first.stop();
    await cluster.refresh().catch(() => {});
    expect(events).toEqual(['unreachable']);
    const broker = await new FakeBroker({ log, port }).start();
    cleanup.push(() => broker.stop());
    // A consumer's fetch loop only reconnects to its leader; nothing asks for metadata.
    const before = broker.count(3);
    await cluster.connectionTo(1);
    expect(broker.count(3)).toBe(before);
    expect(events).toEqual(['unreachable', 'reachable']);
  });
});

describe('RepeatFilter', () => {
  it('reports a repeated failure once, then with a count per interval, and the rest when it stops', () => {
    let now = 0;
    const reported: [string, number | undefined][] = [];
    const f = new RepeatFilter(
      (e: RepeatedError) => reported.push([e.message, e.repeated]),
      1000,
      () => now,
    );
    for (let i = 0; i < 50; i++, now += 50) f.add(new Error('Cannot connect'));
    // t=0 first report; t=1000 the 20 since; t=2000 the next 20; 9 left unreported.
    expect(reported).toEqual([
      ['Cannot connect', 1],
      ['Cannot connect', 20],
      ['Cannot connect', 20],
    ]);
    f.add(new Error('Other failure'));
    expect(reported.slice(3)).toEqual([
      ['Cannot connect', 9],
      ['Other failure', 1],
    ]);
    f.clear();
    f.clear();
    expect(reported).toHaveLength(5);
    f.add(new Error('Other failure'));
    expect(reported[5]).toEqual(['Other failure', 1]);
  });

  it('tells failures apart by class, message and cause', () => {
    const reported: string[] = [];
    const f = new RepeatFilter((e) => reported.push(e.message));
    f.add(new ConnectionError('x', 'b', { cause: new Error('ECONNREFUSED') }));
    f.add(new ConnectionError('x', 'b', { cause: new Error('ETIMEDOUT') }));
    f.add(new Error('x'));
    f.add(new Error('x'));
    expect(reported).toEqual(['x [broker b]', 'x [broker b]', 'x']);
  });
});
