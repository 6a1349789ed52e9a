/**
 * KIP-368 re-authentication in Connection, against the fake broker: the authenticate step runs
 * again before the session lifetime ends, requests in flight are answered first and do not fail,
 * requests sent meanwhile wait for it, and a failed re-authentication closes the connection.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { type AuthSession, Connection } from '../../src/network/connection.js';
import type { ApiDescriptor } from '../../src/protocol/api.js';
import { AuthenticationError, ConnectionError } from '../../src/protocol/errors.js';
import { FakeBroker, type FakeRequest } from '../helpers/fake-broker.js';

/** Key 3, one int32 each way (as in connection.test.ts). */
const Echo: ApiDescriptor<{ value: number }, { value: number }> = {
  key: 3,
  name: 'Echo',
  min: 0,
  max: 12,
  flexibleFrom: 9,
  encodeRequest(w, _v, m) {
    w.int32(m.value);
  },
  decodeResponse(r) {
    return { value: r.int32() };
  },
};

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

  it('re-authenticates at 85-95 % of each session, and publishes each authentication', async () => {
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
      await sleep(1_000);
      // 3 renewals in 1 s at 255-285 ms apart (some slack for a loaded machine).
      expect(times.length).toBeGreaterThanOrEqual(4);
      for (let i = 1; i < times.length; i++) {
        expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(250);
        expect(times[i] - times[i - 1]).toBeLessThan(600);
      }
      const mine = events.filter((e) => e.connectionId === conn!.id);
      expect(mine[0]).toMatchObject({ reauthentication: false, sessionLifetimeMs: 300 });
      expect(mine.slice(1).every((e) => e.reauthentication)).toBe(true);
      conn.destroy();
      const n = times.length;
      await sleep(400);
      expect(times.length, 'no renewal after the connection closed').toBe(n);
    } finally {
      unsubscribe('kafkawire:connection:authenticated', onEvent);
    }
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
