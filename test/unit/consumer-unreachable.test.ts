/**
 * A consumer that starts while its bootstrap cannot be reached — a closed port, a peer that
 * resets every connection, an HTTP server, a peer that accepts and never answers — polled the
 * way an application retries: `for (;;) { try { await poll() } catch {} }`. Each poll waits out
 * its timeoutMs or reports one failed attempt; attempts follow the reconnect backoff. Counted:
 * polls, errors, connections opened, CPU of this process.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumer } from '../../src/consumer/consumer.js';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          (s as { closeAllConnections?: () => void }).closeAllConnections?.();
          s.close(() => resolve());
        }),
    ),
  );
});

interface Peer {
  address: string;
  /** TCP connections the peer accepted. */
  connections(): number;
}

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function closedPort(): Promise<Peer> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return { address: `127.0.0.1:${port}`, connections: () => 0 };
}

async function countingPeer(server: net.Server): Promise<Peer> {
  let n = 0;
  server.on('connection', () => n++);
  const port = await listen(server);
  return { address: `127.0.0.1:${port}`, connections: () => n };
}

const resettingPeer = () => countingPeer(net.createServer((socket) => socket.resetAndDestroy()));
const httpServer = () =>
  countingPeer(
    http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('not kafka\n');
    }),
  );
/** Reads what it is sent (so it sees the client close), answers nothing. */
const silentPeer = () => countingPeer(net.createServer((socket) => socket.on('error', () => {}).resume()));

/** Polls in a retry loop for `ms`; how many polls, errors, and the CPU share of this process. */
async function pollLoop(
  consumer: Consumer,
  ms: number,
  timeoutMs: number,
): Promise<{ polls: number; errors: number; cpu: number; longest: number }> {
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  let polls = 0;
  let errors = 0;
  let longest = 0;
  while (Date.now() - started < ms) {
    const t = Date.now();
    try {
      await consumer.poll({ timeoutMs });
    } catch {
      errors++;
    }
    polls++;
    longest = Math.max(longest, Date.now() - t);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { polls, errors, longest, cpu: (cpu.user + cpu.system) / 1000 / (Date.now() - started) };
}

function newConsumer(address: string): Consumer {
  return new Consumer({ bootstrapServers: address, groupId: 'g', connectTimeoutMs: 5000 });
}

describe('poll while the bootstrap cannot be reached', () => {
  it.each([
    ['a closed port', closedPort],
    ['a peer that resets every connection', resettingPeer],
    ['an HTTP server', httpServer],
  ])('%s: a retry loop makes a few polls per second, no busy loop', async (_name, makePeer) => {
    const peer = await makePeer();
    const c = newConsumer(peer.address);
    c.subscribe(['events']);
    try {
      const r = await pollLoop(c, 3000, 500);
      // Before: 86,000 polls in 5 s at 89 % CPU, 40,924 connections to the HTTP server. Now each
      // poll waits for one attempt (50, 100, 200 ... 1000 ms apart) or its 500 ms.
      expect(r.polls).toBeLessThanOrEqual(20);
      expect(r.errors).toBeLessThanOrEqual(12);
      expect(r.errors).toBeGreaterThan(0); // reported, not swallowed
      expect(peer.connections()).toBeLessThanOrEqual(12);
      expect(r.cpu).toBeLessThan(0.25);
      expect(r.longest).toBeLessThan(1500);
    } finally {
      await c.close();
    }
  });

  it('a poll shorter than the reconnect backoff returns by its timeoutMs, the attempt goes on in the background', async () => {
    const peer = await closedPort();
    const c = newConsumer(peer.address);
    c.subscribe(['events']);
    try {
      await pollLoop(c, 2500, 500); // the backoff is at its maximum (1000 ms) by now
      const r = await pollLoop(c, 2000, 100);
      // A poll used to wait for the next attempt, a whole backoff, whatever its timeoutMs.
      expect(r.longest).toBeLessThan(400);
      expect(r.errors).toBeLessThanOrEqual(4); // one per attempt, not one per poll
      expect(r.polls).toBeGreaterThan(r.errors * 2);
    } finally {
      await c.close();
    }
  });

  it('a peer that accepts and never answers: each poll returns by its timeoutMs, not after connectTimeoutMs', async () => {
    const peer = await silentPeer();
    const c = newConsumer(peer.address);
    c.subscribe(['events']);
    try {
      const r = await pollLoop(c, 3000, 500);
      expect(r.longest).toBeLessThan(1200); // used to wait connectTimeoutMs (5 s here)
      expect(r.polls).toBeGreaterThanOrEqual(4);
      expect(peer.connections()).toBe(1); // one attempt, shared by every poll
      expect(r.cpu).toBeLessThan(0.25);
    } finally {
      await c.close();
    }
  });
});
