/**
 * A TCP proxy in the test process between clients and a broker listener, misbehaving as a network
 * does (issue 15, scenario 2; the idea of franz-go's chaos dialer). Every `minMs`–`maxMs` it picks
 * one live connection at random and, by mode:
 * - `cut`: destroys it, both sides at once;
 * - `delay`: for the next 3 s holds each chunk 50–1,000 ms (order kept) before passing it on;
 * - `blackhole`: from then on swallows every byte both ways while keeping both sockets open, as a
 *   peer gone silent behind a dead route (the client must time the request out and reconnect);
 * - `trickle`: for the next 3 s passes bytes on a few at a time (1–64), one piece per millisecond
 *   or two, so frames arrive split at every possible point.
 * Used with a broker listener whose advertised address is the proxy's port, so every connection a
 * client opens from the metadata goes through it. Counts the connections it proxied and those it
 * disturbed. Invariants: bytes a lane passes on keep their order; a lane holds at most 4 MiB
 * before pausing its source (backpressure, as a pipe).
 */
import * as net from 'node:net';

export type ChaosMode = 'cut' | 'delay' | 'blackhole' | 'trickle';

const WINDOW_MS = 3000;
const HIGH_WATER = 4 * 1024 * 1024;

/** One direction of a proxied connection. */
class Lane {
  private readonly queue: { at: number; chunk: Buffer }[] = [];
  private queued = 0;
  private pumping = false;
  /** Until when this lane delays or trickles (ms since the epoch), and which. */
  disturbed: { kind: 'delay' | 'trickle'; until: number } | null = null;
  blackhole = false;

  constructor(
    private readonly from: net.Socket,
    private readonly to: net.Socket,
  ) {
    from.on('data', (chunk: Buffer) => this.push(chunk));
  }

  private push(chunk: Buffer): void {
    if (this.blackhole) return;
    const d = this.disturbed && Date.now() < this.disturbed.until ? this.disturbed : null;
    if (!d && this.queue.length === 0) {
      if (!this.to.write(chunk)) {
        this.from.pause();
        this.to.once('drain', () => this.from.resume());
      }
      return;
    }
    const hold = d?.kind === 'delay' ? 50 + Math.random() * 950 : 0;
    this.queue.push({ at: Date.now() + hold, chunk });
    this.queued += chunk.length;
    if (this.queued > HIGH_WATER) this.from.pause();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.to.destroyed) {
        if (this.blackhole) {
          this.queue.length = 0;
          break;
        }
        const head = this.queue[0];
        const wait = head.at - Date.now();
        if (wait > 0) await sleep(wait);
        const trickling = this.disturbed?.kind === 'trickle' && Date.now() < this.disturbed.until;
        if (trickling && head.chunk.length > 1) {
          const n = 1 + Math.floor(Math.random() * Math.min(64, head.chunk.length - 1));
          this.to.write(head.chunk.subarray(0, n));
          head.chunk = head.chunk.subarray(n);
          this.queued -= n;
          await sleep(1 + Math.random());
          continue;
        }
        this.queue.shift();
        this.queued -= head.chunk.length;
        if (!this.to.write(head.chunk)) await new Promise((r) => this.to.once('drain', r));
      }
    } finally {
      this.pumping = false;
      if (this.queued <= HIGH_WATER) this.from.resume();
    }
  }
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  lanes: [Lane, Lane];
}

export class ChaosProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<Pair>();
  private timer: NodeJS.Timeout | null = null;
  proxied = 0;
  /** Connections disturbed (cut, delayed, blackholed or trickled). */
  cut = 0;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly listen: { host: string; port: number },
  ) {
    this.server = net.createServer((client) => this.onClient(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(this.listen.port, this.listen.host, resolve));
    return this;
  }

  /** Disturbs one live connection every minMs–maxMs, at random, by `mode`, until `calm()`. */
  chaos(minMs: number, maxMs: number, mode: ChaosMode = 'cut'): void {
    const next = () => {
      this.timer = setTimeout(
        () => {
          const live = [...this.pairs].filter((p) => !p.lanes[0].blackhole);
          const victim = live[Math.floor(Math.random() * live.length)];
          if (victim) {
            this.cut++;
            this.disturb(victim, mode);
          }
          next();
        },
        minMs + Math.random() * (maxMs - minMs),
      );
    };
    next();
  }

  /** Stops disturbing; blackholed connections stay so until their client closes them. */
  calm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  async stop(): Promise<void> {
    this.calm();
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private disturb(p: Pair, mode: ChaosMode): void {
    if (mode === 'cut') {
      p.client.destroy();
      p.upstream.destroy();
    } else if (mode === 'blackhole') {
      for (const lane of p.lanes) lane.blackhole = true;
    } else {
      for (const lane of p.lanes) lane.disturbed = { kind: mode, until: Date.now() + WINDOW_MS };
    }
  }

  private onClient(client: net.Socket): void {
    this.proxied++;
    const upstream = net.connect(this.target.port, this.target.host);
    const pair: Pair = { client, upstream, lanes: [new Lane(client, upstream), new Lane(upstream, client)] };
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
