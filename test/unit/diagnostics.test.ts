import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CloseMessage,
  type ConnectMessage,
  DIAGNOSTICS_CHANNELS,
  type RequestMessage,
} from '../../src/index.js';
import { Connection } from '../../src/network/connection.js';
import { TimeoutError } from '../../src/protocol/errors.js';
import { Echo, int32 } from '../helpers/echo-api.js';
import { FakeBroker, type FakeRequest } from '../helpers/fake-broker.js';

interface Seen {
  start: RequestMessage[];
  asyncEnd: RequestMessage[];
  error: RequestMessage[];
}

let broker: FakeBroker | undefined;
let conn: Connection | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const undo of cleanups.splice(0)) undo();
  conn?.destroy();
  await broker?.stop();
  broker = undefined;
  conn = undefined;
});

function traceRequests(): Seen {
  const seen: Seen = { start: [], asyncEnd: [], error: [] };
  const handlers = {
    start: (m: unknown) => seen.start.push(m as RequestMessage),
    end: () => {},
    asyncStart: () => {},
    asyncEnd: (m: unknown) => seen.asyncEnd.push(m as RequestMessage),
    error: (m: unknown) => seen.error.push(m as RequestMessage),
  };
  const channel = tracingChannel(DIAGNOSTICS_CHANNELS.request);
  channel.subscribe(handlers);
  cleanups.push(() => channel.unsubscribe(handlers));
  return seen;
}

function listen<T>(name: string): T[] {
  const got: T[] = [];
  const fn = (m: unknown) => got.push(m as T);
  subscribe(name, fn);
  cleanups.push(() => unsubscribe(name, fn));
  return got;
}

async function connectTo(onRequest: (req: FakeRequest) => void, requestTimeoutMs = 2000) {
  broker = await new FakeBroker({ onRequest }).start();
  conn = new Connection({ host: '127.0.0.1', port: broker.port, requestTimeoutMs, nodeId: 7 });
  await conn.connect();
  return conn;
}

describe('diagnostics channels', () => {
  it('traces each request with its API, version, sizes and latency', async () => {
    const seen = traceRequests();
    const c = await connectTo((req) =>
      setTimeout(() => req.reply(int32(42), { flexibleHeader: req.apiVersion >= 9 }), 30),
    );
    expect(await c.send(Echo, { value: 1 })).toEqual({ value: 42 });

    // Start-up's ApiVersions is traced too, so a subscriber sees every byte the client sends.
    expect(seen.start.map((m) => m.api)).toEqual(['ApiVersions', 'Echo']);
    const echo = seen.asyncEnd.find((m) => m.api === 'Echo');
    expect(echo).toMatchObject({
      connectionId: c.id,
      broker: `127.0.0.1:${broker?.port}`,
      nodeId: 7,
      apiKey: 3,
      apiVersion: 12,
      expectResponse: true,
      result: { value: 42 },
    });
    // Size prefix 4, header 2+2+4+client id (2+n)+tags 1, body 4.
    expect(echo?.requestBytes).toBeGreaterThan(4 + 11 + 4);
    // Size prefix 4, correlation id 4, flexible header tags 1, body 4.
    expect(echo?.responseBytes).toBe(13);
    expect(echo?.durationMs).toBeGreaterThanOrEqual(25);
    expect(echo?.durationMs).toBeLessThan(2000);
    expect(seen.error).toEqual([]);
  });

  it('reports a request that fails on the error event, with the error and its latency', async () => {
    const seen = traceRequests();
    const c = await connectTo(() => {}, 150);
    const err = await c.send(Echo, { value: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    const failed = seen.error.find((m) => m.api === 'Echo');
    expect(failed?.error).toBe(err);
    expect(failed?.responseBytes).toBeUndefined();
    expect(failed?.durationMs).toBeGreaterThanOrEqual(140);
  });

  it('marks a request the broker does not answer and settles it once written', async () => {
    const seen = traceRequests();
    const c = await connectTo(() => {});
    await c.send(Echo, { value: 1 }, { expectResponse: false });
    const oneWay = seen.asyncEnd.find((m) => m.api === 'Echo');
    expect(oneWay).toMatchObject({ expectResponse: false });
    expect(oneWay?.responseBytes).toBeUndefined();
  });

  it('publishes connect and close, with the error that closed a connection', async () => {
    const connects = listen<ConnectMessage>(DIAGNOSTICS_CHANNELS.connect);
    const closes = listen<CloseMessage>(DIAGNOSTICS_CHANNELS.close);
    let echoes = 0;
    const c = await connectTo((req) => {
      if (++echoes === 2) req.socket.destroy();
    });
    expect(connects).toEqual([
      expect.objectContaining({ connectionId: c.id, nodeId: 7, tls: false, durationMs: expect.any(Number) }),
    ]);
    const first = c.send(Echo, { value: 1 }).catch((e: unknown) => e);
    const second = c.send(Echo, { value: 2 }).catch((e: unknown) => e);
    await Promise.all([first, second]);
    expect(closes).toHaveLength(1);
    expect(closes[0]).toMatchObject({ connectionId: c.id, nodeId: 7, inFlight: 2 });
    expect(closes[0].error).toBeInstanceOf(Error);

    const other = new Connection({ host: '127.0.0.1', port: broker?.port ?? 0, nodeId: 8 });
    await other.connect();
    other.destroy();
    expect(closes[1]).toMatchObject({ connectionId: other.id, nodeId: 8, inFlight: 0 });
    expect(closes[1].error).toBeUndefined();
  });

  it('builds nothing while nobody subscribes', async () => {
    const c = await connectTo((req) => req.reply(int32(5), { flexibleHeader: req.apiVersion >= 9 }));
    const channel = tracingChannel(DIAGNOSTICS_CHANNELS.request);
    expect(channel.hasSubscribers).toBe(false);
    expect(await c.send(Echo, { value: 1 })).toEqual({ value: 5 });
  });
});
