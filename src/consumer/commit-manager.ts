/**
 * CommitManager: the consumer's offset commits (Java: the commit half of `ConsumerCoordinator`) —
 * the positions the application finished, offsets given by hand, commits started by
 * commitAsync, and when auto-commit is due.
 *
 * Invariants:
 * - A commit of positions sends each partition's `consumed` offset, never `position`: nothing
 *   the application did not finish is committed (cursor.ts). Detached cursors are left out.
 * - Commits started by commitAsync are tracked until they settle, so close can let them finish
 *   (bounded) before its final commit.
 */
import type { GroupMembership } from '../group/membership.js';
import { ConfigError } from '../protocol/errors.js';
import type { ResolvedConsumerConfig } from './config.js';
import type { Cursor } from './cursor.js';
import { type CommitOffset, checkTopicPartition } from './types.js';

export class CommitManager {
  /** When positions were last committed (or a join applied): auto-commit counts from here. */
  lastCommitAt = Date.now();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly config: ResolvedConsumerConfig,
    /** The group to commit to (created on first use; throws without a groupId). */
    private readonly group: (what: string) => GroupMembership,
  ) {}

  /** Commits what the application finished of these cursors. */
  async commitPositions(cursors: readonly Cursor[]): Promise<void> {
    const m = this.group('commit()');
    const offsets = [];
    for (const c of cursors)
      if (c.consumed !== null && !c.detached)
        offsets.push({ topic: c.topic, partition: c.partition, offset: c.consumed });
    await m.commit(offsets);
  }

  /** Commits every assigned partition's finished position; auto-commit counts again from now. */
  async commitAll(cursors: readonly Cursor[]): Promise<void> {
    await this.commitPositions(cursors);
    this.lastCommitAt = Date.now();
  }

  /** Commits offsets given by hand, checked first (each the offset of the next record to read). */
  async commitOffsets(offsets: readonly CommitOffset[]): Promise<void> {
    if (!Array.isArray(offsets))
      throw new ConfigError('offsets', 'expected an array of { topic, partition, offset }');
    const checked = offsets.map((o) => {
      checkTopicPartition(o, 'offsets');
      const offset =
        typeof o.offset === 'bigint' ? o.offset : Number.isSafeInteger(o.offset) ? BigInt(o.offset) : -1n;
      if (offset < 0n)
        throw new ConfigError('offsets', `offset must be a non-negative integer, got ${String(o.offset)}`);
      return { topic: o.topic, partition: o.partition, offset };
    });
    await this.group('commit()').commit(checked);
  }

  /** Runs `commit` without waiting; `onComplete` hears how it went. */
  commitAsync(commit: Promise<void>, onComplete?: (err?: Error) => void): void {
    const settled = () => this.pending.delete(commit);
    this.pending.add(commit);
    commit.then(settled, settled);
    commit.then(
      () => onComplete?.(),
      (err: unknown) => onComplete?.(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** True when auto-commit is on and its interval has passed. */
  get autoCommitDue(): boolean {
    return this.config.enableAutoCommit && Date.now() - this.lastCommitAt >= this.config.autoCommitIntervalMs;
  }

  /**
   * Lets the commits started by commitAsync finish, for at most `ms` (Java's close does the
   * same: sent after the leave they would be refused).
   */
  async drain(ms: number): Promise<void> {
    if (this.pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(this.pending),
      new Promise((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
    clearTimeout(timer);
  }
}
