/**
 * MissingTopics: subscribed or assigned topics the cluster's metadata says do not exist (never
 * created, or deleted), for the consumer's `topicNotFound` event.
 *
 * Both states used to be silent: a subscription to a topic that does not exist polled empty
 * forever, and the partitions of a deleted topic had metadata asked for again every
 * retryBackoffMs, for good. Regression tests: consumer-delivery.test.ts, "topics the cluster
 * does not have".
 *
 * Invariants: a topic is reported once each time it goes missing; while any is missing, metadata
 * is asked again after a backoff growing from retryBackoffMs to metadataMaxAgeMs (reset once none
 * is); the consumer neither fetches nor resets the partitions of a missing topic.
 */
import type { MetadataSnapshot } from '../network/cluster.js';
import { backoffMs } from '../network/retry.js';
import { ErrorCode } from '../protocol/error-codes.js';

export class MissingTopics {
  private readonly topics = new Set<string>();
  private checks = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly backoff: { retryBackoffMs: number; metadataMaxAgeMs: number },
    /** Asks for metadata again (the next snapshot comes back through `update`). */
    private readonly refresh: () => void,
  ) {}

  has(topic: string): boolean {
    return this.topics.has(topic);
  }

  /**
   * Takes a new snapshot in for the `wanted` topics: returns the topics that just went missing,
   * and those that came back.
   */
  update(md: MetadataSnapshot, wanted: ReadonlySet<string>): { missing: string[]; back: string[] } {
    const missing: string[] = [];
    const back: string[] = [];
    for (const topic of wanted) {
      const info = md.topics.get(topic);
      if (!info) continue; // not asked for by this request
      const gone =
        info.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
        info.errorCode === ErrorCode.UNKNOWN_TOPIC_ID;
      if (gone && !this.topics.has(topic)) {
        this.topics.add(topic);
        missing.push(topic);
      } else if (!gone && this.topics.delete(topic)) back.push(topic);
    }
    for (const t of this.topics) if (!wanted.has(t)) this.topics.delete(t);
    if (this.topics.size === 0) this.checks = 0;
    else if (!this.timer) {
      const { retryBackoffMs, metadataMaxAgeMs } = this.backoff;
      const wait = backoffMs(this.checks++, {
        retryBackoffMs,
        retryBackoffMaxMs: Math.max(retryBackoffMs, metadataMaxAgeMs),
      });
      this.timer = setTimeout(() => {
        this.timer = null;
        this.refresh();
      }, wait);
      this.timer.unref();
    }
    return { missing, back };
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
