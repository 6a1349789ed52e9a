/**
 * A bound on records sent but not yet settled, for commands that stream into the producer:
 * `sent()` before each send, `settled()` when its promise settles, and `below(limit)` waits
 * until at most `limit` are outstanding.
 */
export class InFlightWindow {
  sent = 0;
  settledCount = 0;
  private waiter: { limit: number; resolve: () => void } | null = null;

  get outstanding(): number {
    return this.sent - this.settledCount;
  }

  settled(): void {
    this.settledCount++;
    if (this.waiter && this.outstanding <= this.waiter.limit) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve();
    }
  }

  below(limit: number): Promise<void> {
    if (this.outstanding <= limit) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiter = { limit, resolve };
    });
  }
}
