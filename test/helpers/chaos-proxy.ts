/**
 * A TCP proxy in the test process between clients and a broker listener, cutting connections at
 * random (issue 15, scenario 2; the idea of franz-go's chaos dialer): every `minMs`–`maxMs` it
 * destroys one proxied connection, both sides at once, as a network fault would. Used with a
 * broker listener whose advertised address is the proxy's port, so every connection a client
 * opens from the metadata goes through it. Counts the connections it proxied and those it cut.
 */
import * as net from 'node:net';

export class ChaosProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private timer: NodeJS.Timeout | null = null;
  proxied = 0;
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

  /** Cuts one live connection every minMs–maxMs, at random, until `calm()`. */
  chaos(minMs: number, maxMs: number): void {
    const next = () => {
      this.timer = setTimeout(
        () => {
          const live = [...this.pairs];
          const victim = live[Math.floor(Math.random() * live.length)];
          if (victim) {
            this.cut++;
            victim.client.destroy();
            victim.upstream.destroy();
          }
          next();
        },
        minMs + Math.random() * (maxMs - minMs),
      );
    };
    next();
  }

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

  private onClient(client: net.Socket): void {
    this.proxied++;
    const upstream = net.connect(this.target.port, this.target.host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
