/**
 * Bootstrap: the consumer's first connection to its cluster (bootstrap address, first
 * metadata), one attempt at a time however many callers wait, and what a poll does meanwhile.
 *
 * Invariants: at most one attempt is under way; the cluster's reconnect backoff spaces the
 * attempts to an address that keeps failing; each failed attempt is reported once, to the poll
 * or connect() that sees it first; a poll waits for the attempt only until its deadline.
 */
import type { Cluster } from '../network/cluster.js';
import { settledBy } from './delivery.js';

export class Bootstrap {
  /** Set once the first metadata came back: fetching may start. */
  connected = false;
  private attempt: Promise<void> | null = null;
  /** How the last attempt failed, until someone reports it. */
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly onConnected: () => void,
  ) {}

  /** The shared attempt, started if none is under way; it resolves either way. */
  private start(): Promise<void> {
    if (this.connected) return Promise.resolve();
    this.attempt ??= this.cluster.connect().then(
      () => {
        this.attempt = null;
        this.connected = true;
        this.onConnected();
      },
      (error: unknown) => {
        this.attempt = null;
        this.failure = { error };
      },
    );
    return this.attempt;
  }

  private reportFailure(): void {
    const failure = this.failure;
    if (failure) {
      this.failure = null;
      throw failure.error;
    }
  }

  /** Waits for an attempt; rejects with its error. */
  async connect(): Promise<void> {
    await this.start();
    this.reportFailure();
  }

  /**
   * A poll's wait: true once connected; false when `deadline` (or the signal) came first, the
   * attempt going on in the background; throws a failed attempt's error, once. Polls used to
   * await a fresh attempt each and throw at once: against a closed port, a reset or a non-Kafka
   * server a `for(;;) { try { await poll() } catch {} }` loop made ~17,000 polls/s at 89 % CPU
   * (40,924 connections to an HTTP server in 5 s), and once the network's reconnect backoff
   * spaced the attempts, a poll still outlasted its timeoutMs by the backoff, or by
   * connectTimeoutMs against a peer that never answers. Regression tests:
   * consumer-unreachable.test.ts.
   */
  async connectedBy(deadline: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (this.connected) return true;
    if (!this.failure) await settledBy(this.start(), deadline, signal);
    this.reportFailure();
    return this.connected;
  }
}
