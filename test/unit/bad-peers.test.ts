/**
 * Reliability scenario 5 (issue 15), bad peers: every client — Producer, Consumer with assign()
 * and with subscribe(), Admin — pointed at a server that is not a working Kafka broker: one that
 * accepts and never answers, one that answers random bytes, one that announces a frame of
 * 2^31−1 bytes, an HTTP server, a closed port, a peer that resets every connection. For each:
 * the call fails with a typed KafkawireError (or a poll returns empty) within the configured
 * timeouts, no promise is left rejected unhandled, connections are opened at the reconnect
 * backoff's pace (no busy loop), close() is prompt, and no socket is left open afterwards.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, Consumer, KafkawireError, Producer } from '../../src/index.js';

interface Peer {
  address: string;
  connections(): number;
  close(): Promise<void>;
}

async function serve(server: net.Server): Promise<Peer> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    n++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    address: `127.0.0.1:${port}`,
    connections: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const PEERS: Record<string, () => Promise<Peer>> = {
  'accepts and never answers': () => serve(net.createServer((s) => s.resume())),
  'answers random bytes': () => serve(net.createServer((s) => s.on('data', () => s.write(randomBytes(64))))),
  'announces a frame of 2^31-1 bytes': () =>
    serve(
      net.createServer((s) =>
        s.on('data', () => {
          const b = Buffer.alloc(12);
          b.writeInt32BE(2 ** 31 - 1, 0);
          s.write(b);
        }),
      ),
    ),
  'is an HTTP server': () =>
    serve(
      http.createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('not kafka\n');
      }),
    ),
  'is a closed port': async () => {
    const s = net.createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    return { address: `127.0.0.1:${port}`, connections: () => 0, close: async () => {} };
  },
  'resets every connection': () => serve(net.createServer((s) => s.resetAndDestroy())),
};

/** Small timeouts, so every failure is due within about 2 s. */
const COMMON = {
  requestTimeoutMs: 1000,
  connectTimeoutMs: 1000,
  reconnectBackoffMs: 50,
  reconnectBackoffMaxMs: 500,
};

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let socketsBefore = 0;
const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
  socketsBefore = openSockets();
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
});

/** Runs `fn`, returning how long it took and what it threw (null when it resolved). */
async function timed(fn: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const t = Date.now();
  try {
    await fn();
    return { ms: Date.now() - t, error: null };
  } catch (error) {
    return { ms: Date.now() - t, error };
  }
}

/** A consumer polled in an application's retry loop for `ms`: every poll returns in time. */
async function pollFor(
  c: Consumer,
  ms: number,
): Promise<{ polls: number; longest: number; errors: unknown[] }> {
  const until = Date.now() + ms;
  let polls = 0;
  let longest = 0;
  const errors: unknown[] = [];
  while (Date.now() < until) {
    const r = await timed(() => c.poll({ timeoutMs: 300 }));
    if (r.error) errors.push(r.error);
    longest = Math.max(longest, r.ms);
    polls++;
  }
  return { polls, longest, errors };
}

describe.each(Object.entries(PEERS))('a bootstrap server that %s', (_name, start) => {
  it('fails every client with a typed error in time, without a busy loop, and closes them promptly', async () => {
    const peer = await start();
    try {
      const producer = new Producer({
        bootstrapServers: peer.address,
        ...COMMON,
        maxBlockMs: 1000,
        deliveryTimeoutMs: 1500,
        lingerMs: 0,
      });
      const admin = new Admin({ bootstrapServers: peer.address, ...COMMON, defaultApiTimeoutMs: 1500 });
      const assigned = new Consumer({ bootstrapServers: peer.address, ...COMMON });
      assigned.assign([{ topic: 't', partition: 0 }]);
      const grouped = new Consumer({ bootstrapServers: peer.address, ...COMMON, groupId: 'bad-peer-g' });
      grouped.subscribe(['t']);

      const [send, list, polledA, polledG] = await Promise.all([
        timed(() => producer.send({ topic: 't', value: 'x' })),
        timed(() => admin.listTopics()),
        pollFor(assigned, 2000),
        pollFor(grouped, 2000),
      ]);
      // Producer and Admin: a typed error, by maxBlockMs / defaultApiTimeoutMs (plus a margin).
      expect(send.error).toBeInstanceOf(KafkawireError);
      expect(send.ms).toBeLessThan(3000);
      expect(list.error).toBeInstanceOf(KafkawireError);
      expect(list.ms).toBeLessThan(3000);
      // Consumers: each poll returns by its timeout (plus a margin), typed when it throws.
      for (const p of [polledA, polledG]) {
        expect(p.polls).toBeGreaterThanOrEqual(4);
        expect(p.longest).toBeLessThan(1500);
        for (const e of p.errors) expect(e).toBeInstanceOf(KafkawireError);
      }
      // Four clients for about 2 s with a reconnect backoff from 50 to 500 ms: a handful of
      // connections each, never one per event-loop turn.
      expect(peer.connections()).toBeLessThan(80);

      const closing = await Promise.all(
        [producer, admin, assigned, grouped].map((c) =>
          timed(() => (c as { close(): Promise<void> }).close()),
        ),
      );
      for (const c of closing) {
        expect(c.error).toBeNull();
        expect(c.ms).toBeLessThan(2000);
      }
      // Nothing reconnects after close.
      const after = peer.connections();
      await new Promise((r) => setTimeout(r, 600));
      expect(peer.connections()).toBe(after);
    } finally {
      await peer.close();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(openSockets()).toBeLessThanOrEqual(socketsBefore);
    expect(unhandled).toEqual([]);
  }, 20_000);
});
