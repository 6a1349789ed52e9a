/**
 * A consumer-group member for integration tests: polls in the background, hands each poll's
 * batches to `handle` (and waits for it, so a member can stall in its processing), then commits
 * (at-least-once), until `stop()`.
 */
import type { Consumer, ConsumerBatch } from '../../src/index.js';

export abstract class PollingMember {
  readonly consumer: Consumer;
  protected running = true;
  protected loop: Promise<void> = Promise.resolve();

  constructor(consumer: Consumer) {
    this.consumer = consumer;
  }

  /** Starts polling; call it last in the subclass constructor, once its fields exist. */
  protected start(): void {
    this.loop = this.run();
  }

  /** What the member does with the records of one poll (called right after it returns). */
  protected abstract handle(batches: ConsumerBatch[]): Promise<void> | void;

  /** A commit after processing was refused; the default ignores it (the next commit covers it). */
  protected commitFailed(_err: unknown): void {}

  private async run(): Promise<void> {
    while (this.running) {
      const batches = await this.consumer.poll({ timeoutMs: 200 });
      await this.handle(batches);
      // A commit refused during a rebalance is covered by the next one.
      if (batches.length > 0 && this.running)
        await this.consumer.commit().catch((err) => this.commitFailed(err));
    }
  }

  /** The partition numbers assigned now, sorted. */
  partitions(): number[] {
    return this.consumer
      .assignment()
      .map((p) => p.partition)
      .sort((a, b) => a - b);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop.catch(() => {});
    await this.consumer.close();
  }
}
