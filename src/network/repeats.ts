/**
 * RepeatFilter: a failure that repeats on every attempt (a cluster down for minutes) is
 * reported once, then at most once per `intervalMs` with how many times it happened since, and
 * once more with the last count when it stops (another error, or `clear()` on success) —
 * instead of once per attempt.
 *
 * Two errors are the same failure when their class, code, message and cause's message match.
 * The count travels on the reported error as `repeated` (1 for a first report).
 */

/** An error as reported to `'error'` listeners: `repeated` says how many failures it stands for. */
export type RepeatedError = Error & { repeated?: number };

export class RepeatFilter {
  private key: string | null = null;
  private last: Error | null = null;
  /** Occurrences since the last report. */
  private unreported = 0;
  private reportedAt = 0;

  constructor(
    private readonly report: (err: RepeatedError) => void,
    private readonly intervalMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** One occurrence of `err`. */
  add(err: Error): void {
    const key = keyOf(err);
    const now = this.now();
    if (key === this.key) {
      this.unreported++;
      this.last = err;
      if (now - this.reportedAt >= this.intervalMs) this.flush(now);
      return;
    }
    this.flush(now);
    this.key = key;
    this.last = err;
    this.unreported = 1;
    this.flush(now);
  }

  /** The failure stopped: report the occurrences not reported yet, and forget it. */
  clear(): void {
    this.flush(this.now());
    this.key = null;
    this.last = null;
  }

  private flush(now: number): void {
    if (this.unreported === 0 || !this.last) return;
    const err = this.last as RepeatedError;
    err.repeated = this.unreported;
    this.unreported = 0;
    this.reportedAt = now;
    this.report(err);
  }
}

function keyOf(err: Error): string {
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? err.cause.message : '';
  return `${err.name}\0${String(code)}\0${err.message}\0${cause}`;
}
