/**
 * KIP-368 re-authentication in Connection, against the fake broker: the authenticate step runs
 * again before the session lifetime ends, requests in flight are answered first and do not fail,
 * requests sent meanwhile wait for it, and a failed re-authentication closes the connection.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { type AuthSession, Connection } from '../../src/network/connection.js';
import { AuthenticationError, ConnectionError } from '../../src/protocol/errors.js';
import { Echo } from '../helpers/echo-api.js';
import { FakeBroker, type FakeRequest } from '../helpers/fake-broker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Answers Echo with its value after `delayMs(value)`, one request at a time in arrival order. */
function echoBroker(delayMs: (value: number) => number) {
  const seen: { value: number; at: number }[] = [];
  let chain = Promise.resolve();
  const broker = new FakeBroker({
    onRequest: (req: FakeRequest) => {
      // Flexible header v2: one empty tagged-field section, then the int32.
      const value = req.rest.readInt32BE(1);
      seen.push({ value, at: Date.now() });
      chain = chain.then(async () => {
        await sleep(delayMs(value));
        const b = Buffer.alloc(4);
        b.writeInt32BE(value);
        req.reply(b, { flexibleHeader: true });
      });
    },
  });
  return { broker, seen };
}

let broker: FakeBroker | undefined;
let conn: Connection | undefined;
afterEach(async () => {
  conn?.destroy();
  await broker?.stop();
  broker = undefined;
  conn = undefined;
});

describe('re-authentication (KIP-368)', () => {
  it('renews the session between requests in flight and requests sent later, failing none', async () => {
    const fake = echoBroker((v) => (v === 1 ? 1_000 : 0));
    broker = await fake.broker.start();
    const steps: string[] = [];
    conn = new Connection({
      host: '127.0.0.1',
      port: broker.port,
      authenticate: async (s: AuthSession) => {
        steps.push(s.reauthentication ? 'reauth' : 'auth');
        // Stands for SaslHandshake + SaslAuthenticate: a request on the same connection.
        await s.send(Echo, { value: s.reauthentication ? 100 : 0 });
        return { sessionLifetimeMs: s.reauthentication ? 0 : 200 };
      },
    });
    await conn.connect();
    const slow = conn.send(Echo, { value: 1 }); // in flight when the renewal starts (170-190 ms)
    await sleep(500);
    expect(conn.ready, 'renewal under way: waits for the slow answer').toBe(false);
    const later = conn.send(Echo, { value: 2 });
    expect(await slow).toEqual({ value: 1 });
    expect(await later).toEqual({ value: 2 });
    expect(steps).toEqual(['auth', 'reauth']);
    // The broker got the renewal after the request in flight and before the later one, which
    // was only written once the renewal had been answered.
    expect(fake.seen.map((s) => s.value)).toEqual([0, 1, 100, 2]);
    expect(fake.seen[3].at).toBeGreaterThanOrEqual(fake.seen[0].at + 1_000);
    expect(conn.ready).toBe(true);
    expect(conn.closed).toBe(false);
  });

  it('re-authenticates at 85-95 % of the session, at most once a second, and publishes each authentication', async () => {
    const fake = echoBroker(() => 0);
    broker = await fake.broker.start();
    const events: { connectionId: number; reauthentication: boolean; sessionLifetimeMs: number }[] = [];
    const onEvent = (m: unknown) => events.push(m as (typeof events)[number]);
    subscribe('kafkawire:connection:authenticated', onEvent);
    try {
      const times: number[] = [];
      conn = new Connection({
        host: '127.0.0.1',
        port: broker.port,
        authenticate: async () => {
          times.push(Date.now());
          return { sessionLifetimeMs: 300 };
        },
      });
      await conn.connect();
      await sleep(2_600);
      // The first renewal 255-285 ms in; the broker refuses a renewal less than a second after
      // the previous one (ILLEGAL_SASL_STATE), so the next ones wait for that second.
      expect(times.length).toBeGreaterThanOrEqual(3);
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(250);
      expect(times[1] - times[0]).toBeLessThan(600);
      for (let i = 2; i < times.length; i++) {
        expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1_000);
        expect(times[i] - times[i - 1]).toBeLessThan(1_400);
      }
      const mine = events.filter((e) => e.connectionId === conn!.id);
      expect(mine[0]).toMatchObject({ reauthentication: false, sessionLifetimeMs: 300 });
      expect(mine.slice(1).every((e) => e.reauthentication)).toBe(true);
      conn.destroy();
      const n = times.length;
      await sleep(1_200);
      expect(times.length, 'no renewal after the connection closed').toBe(n);
    } finally {
      unsubscribe('kafkawire:connection:authenticated', onEvent);
    }
  });

  it('renews before writing a request sent after the renewal time, even when the timer runs late', async () => {
    const fake = echoBroker(() => 0);
    broker = await fake.broker.start();
    conn = new Connection({
      host: '127.0.0.1',
      port: broker.port,
      authenticate: async (s: AuthSession) => {
        await s.send(Echo, { value: s.reauthentication ? 100 : 0 });
        return { sessionLifetimeMs: s.reauthentication ? 0 : 200 };
      },
    });
    await conn.connect();
    // A busy event loop: the renewal timer (170-190 ms) cannot run before this send is made.
    const until = Date.now() + 250;
    while (Date.now() < until) {
      // blocked
    }
    const sent = conn.send(Echo, { value: 5 });
    expect(await sent).toEqual({ value: 5 });
    const order = fake.seen.map((s) => s.value);
    // A broker closes a connection that sends anything but SaslHandshake after its session ended.
    expect(order).toEqual([0, 100, 5]);
  });

  it('closes the connection when the renewal fails: waiting requests get its error', async () => {
    const fake = echoBroker((v) => (v === 1 ? 400 : 0));
    broker = await fake.broker.start();
    conn = new Connection({
      host: '127.0.0.1',
      port: broker.port,
      authenticate: async (s: AuthSession) => {
        if (s.reauthentication) {
          await sleep(200);
          throw new AuthenticationError('token provider failed', { broker: 'x' });
        }
        return { sessionLifetimeMs: 100 };
      },
    });
    await conn.connect();
    await sleep(150);
    const err = await conn.send(Echo, { value: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(conn.closed).toBe(true);
    const after = await conn.send(Echo, { value: 3 }).catch((e: unknown) => e);
    expect(after).toBeInstanceOf(ConnectionError);
    expect((after as Error).cause).toBe(err);
  });
});
