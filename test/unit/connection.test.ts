import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from '../../src/network/connection.js';
import {
  ConnectionError,
  ProtocolError,
  TimeoutError,
  UnsupportedVersionError,
} from '../../src/protocol/errors.js';
import { Echo, int32 } from '../helpers/echo-api.js';
import { FakeBroker, type FakeRequest } from '../helpers/fake-broker.js';

let broker: FakeBroker | undefined;
let conn: Connection | undefined;
afterEach(async () => {
  conn?.destroy();
  await broker?.stop();
  broker = undefined;
  conn = undefined;
});

async function setup(onRequest?: (req: FakeRequest) => void, apiVersionsMax = 4, requestTimeoutMs = 2000) {
  broker = await new FakeBroker({ onRequest, apiVersionsMax }).start();
  conn = new Connection({ host: '127.0.0.1', port: broker.port, requestTimeoutMs });
  await conn.connect();
  return conn;
}

function echoBody(req: FakeRequest): number {
  // The request body starts after the header: key, version, correlation, client id, tagged fields.
  return req.correlationId;
}

describe('Connection', () => {
  it('negotiates ApiVersions and uses the highest common version', async () => {
    const c = await setup((req) => req.reply(int32(echoBody(req)), { flexibleHeader: req.apiVersion >= 9 }));
    expect(broker?.requests[0]).toEqual({ apiKey: 18, apiVersion: 4 });
    expect(c.versionFor(Echo)).toBe(12);
    expect(await c.send(Echo, { value: 1 })).toEqual({ value: 1 });
  });

  it('falls back to the ApiVersions version the broker offers (KIP-511)', async () => {
    const c = await setup(undefined, 2);
    expect(broker?.requests).toEqual([
      { apiKey: 18, apiVersion: 4 },
      { apiKey: 18, apiVersion: 2 },
    ]);
    expect(c.apiVersions.get(18)).toEqual({ min: 0, max: 2 });
  });

  it('refuses clearly when the broker lacks the API', async () => {
    const c = await setup();
    const Unknown = { ...Echo, key: 99, name: 'Unknown' };
    await expect(c.send(Unknown, { value: 1 })).rejects.toThrow(UnsupportedVersionError);
    await expect(c.send(Unknown, { value: 1 })).rejects.toThrow(/Unknown \(key 99\) is not supported/);
  });

  it('pipelines requests and matches responses packed into one TCP chunk', async () => {
    const queued: FakeRequest[] = [];
    const c = await setup((req) => {
      queued.push(req);
      if (queued.length === 50) {
        // Hold all 50 answers, then write them in one chunk.
        const frames: Buffer[] = [];
        const orig = req.socket.write.bind(req.socket);
        req.socket.write = ((b: Buffer) => {
          frames.push(Buffer.from(b));
          return true;
        }) as typeof req.socket.write;
        for (const q of queued) q.reply(int32(q.correlationId * 10), { flexibleHeader: true });
        req.socket.write = orig;
        orig(Buffer.concat(frames));
      }
    });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => c.send(Echo, { value: i })));
    expect(results.map((r) => r.value)).toEqual(queued.map((q) => q.correlationId * 10));
  });

  it('reassembles a response split into one-byte chunks', async () => {
    const c = await setup(async (req) => {
      const frames: Buffer[] = [];
      const orig = req.socket.write.bind(req.socket);
      req.socket.write = ((b: Buffer) => {
        frames.push(Buffer.from(b));
        return true;
      }) as typeof req.socket.write;
      req.reply(int32(4242), { flexibleHeader: true });
      req.socket.write = orig;
      for (const byte of Buffer.concat(frames)) {
        orig(Buffer.from([byte]));
        await new Promise((r) => setImmediate(r));
      }
    });
    expect(await c.send(Echo, { value: 0 })).toEqual({ value: 4242 });
  });

  it('fails a request that gets no answer with TimeoutError and the others with ConnectionError', async () => {
    const c = await setup(() => {}, 4, 200);
    const first = c.send(Echo, { value: 1 });
    const second = c.send(Echo, { value: 2 }, { timeoutMs: 10_000 });
    await expect(first).rejects.toBeInstanceOf(TimeoutError);
    const err = await second.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).retriable).toBe(true);
    expect(c.closed).toBe(true);
  });

  it('refuses an absurd response size without allocating it', async () => {
    const c = await setup((req) => req.socket.write(Buffer.from([0x7f, 0xff, 0xff, 0xff])));
    const err = await c.send(Echo, { value: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).cause).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/maxResponseSize/);
  });

  it('fails every request in flight with a retriable ConnectionError when the broker vanishes', async () => {
    let seen = 0;
    const c = await setup((req) => {
      if (++seen === 3) req.socket.destroy();
    });
    const all = await Promise.allSettled([1, 2, 3].map((value) => c.send(Echo, { value })));
    for (const r of all) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(ConnectionError);
      expect(reason.retriable).toBe(true);
    }
    await expect(c.send(Echo, { value: 4 })).rejects.toBeInstanceOf(ConnectionError);
  });

  it('kills the connection on an unexpected correlation id', async () => {
    const c = await setup((req) => req.reply(int32(1), { flexibleHeader: true, correlationId: 999 }));
    const err = await c.send(Echo, { value: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).cause).toBeInstanceOf(ProtocolError);
  });

  it('rejects a truncated response body with ProtocolError and keeps the connection', async () => {
    let n = 0;
    const c = await setup((req) => {
      n++;
      req.reply(n === 1 ? Buffer.from([1, 2]) : int32(7), { flexibleHeader: true });
    });
    await expect(c.send(Echo, { value: 1 })).rejects.toBeInstanceOf(ProtocolError);
    expect(await c.send(Echo, { value: 2 })).toEqual({ value: 7 });
  });

  it('resolves requests that expect no response once written', async () => {
    const c = await setup(() => {});
    await expect(c.send(Echo, { value: 1 }, { expectResponse: false })).resolves.toBeUndefined();
    expect(c.pending).toBe(0);
  });

  it('fails to connect to a closed port with a retriable ConnectionError', async () => {
    const probe = await new FakeBroker().start();
    const port = probe.port;
    await probe.stop();
    const c = new Connection({ host: '127.0.0.1', port, connectTimeoutMs: 2000 });
    const err = await c.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).retriable).toBe(true);
  });

  it('runs the authenticate hook before the connection is ready', async () => {
    broker = await new FakeBroker({
      onRequest: (req) => req.reply(int32(5), { flexibleHeader: true }),
    }).start();
    const order: string[] = [];
    conn = new Connection({
      host: '127.0.0.1',
      port: broker.port,
      authenticate: async (session) => {
        order.push(`auth ready=${session.connection.ready}`);
        order.push(`echo ${(await session.send(Echo, { value: 0 })).value}`);
      },
    });
    await conn.connect();
    order.push(`ready=${conn.ready}`);
    expect(order).toEqual(['auth ready=false', 'echo 5', 'ready=true']);
  });
});
