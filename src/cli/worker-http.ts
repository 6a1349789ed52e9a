/**
 * The HTTP endpoints of `kafkawire worker --http-port`: `/healthz` (liveness: a member of its
 * group and brokers reachable), `/readyz` (setup done, first assignment received, not stopping)
 * and `/metrics` (Prometheus text). GET and HEAD only; anything else is 404 or 405.
 *
 * Invariants: a probe never waits on Kafka (the state is what the worker last saw), so it answers
 * at once even in an outage; the answer is a small JSON body saying why; `close()` ends the
 * server without waiting for kept-alive sockets.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the probes read; the worker keeps it current. */
export interface WorkerState {
  /** Between an assignment and a loss of the partitions (or the end). */
  member: boolean;
  /** False from a metadata request that reached no broker until one answers again. */
  brokersReachable: boolean;
  /** setup() done and the first assignment received. */
  started: boolean;
  /** A signal (or a failure) is ending the worker. */
  stopping: boolean;
}

export class WorkerHttp {
  private readonly server: http.Server;

  constructor(
    private readonly state: WorkerState,
    private readonly metrics: () => string,
  ) {
    this.server = http.createServer((req, res) => this.serve(req, res));
    // A probe's socket kept alive must not hold the process up at exit.
    this.server.keepAliveTimeout = 5_000;
  }

  /** Listens; resolves with the port (useful with port 0). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const s = this.state;
    if (path === '/healthz') {
      const ok = s.member && s.brokersReachable && !s.stopping;
      this.json(res, ok ? 200 : 503, {
        status: ok ? 'ok' : 'unhealthy',
        member: s.member,
        brokersReachable: s.brokersReachable,
        stopping: s.stopping,
      });
    } else if (path === '/readyz') {
      const ok = s.started && !s.stopping;
      this.json(res, ok ? 200 : 503, {
        status: ok ? 'ready' : 'not ready',
        started: s.started,
        stopping: s.stopping,
      });
    } else if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : this.metrics());
    } else {
      this.json(res, 404, { status: 'not found', endpoints: ['/healthz', '/readyz', '/metrics'] });
    }
  }

  private json(res: http.ServerResponse, code: number, body: object): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}
