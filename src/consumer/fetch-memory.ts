/**
 * FetchMemory: how much memory the consumer's fetched-ahead records pin, and how much a new
 * fetch may ask for.
 *
 * Batches are kept as views into the fetch response they came in (no copy), so a batch keeps
 * that whole response's memory alive — the other partitions' batches, and the bytes of a batch
 * cut off at the end, included — until it is done with. Counting the batches' own bytes, as the
 * consumer used to, missed that: with 4 partitions draining round-robin each one's current
 * batch pinned a different 2 MiB response, 7.7 MiB alive under a 2 MiB fetchMaxBytes. Here each
 * piece of memory (ArrayBuffer) a kept batch points into is counted once, whole, from the first
 * batch kept in it until the last one is released.
 *
 * Invariants: `held` is the byteLength sum of the ArrayBuffers that kept batches (pending, or the
 * one being handed out) point into, each once; `reserved` is the maxBytes of the fetches in
 * flight; a fetch asks for at most `room` = limit − held − reserved, so what is alive stays
 * within the limit plus what a broker sends beyond a request's maxBytes (the first batch of a
 * response comes whole, KIP-74). Records the application still holds are its own memory.
 */

/** One piece of memory kept batches point into, and how many of them do. */
export class Lease {
  refs = 0;
  constructor(
    readonly memory: ArrayBufferLike,
    readonly bytes: number,
  ) {}
}

export class FetchMemory {
  /** Bytes of memory pinned by kept batches. */
  held = 0;
  /** maxBytes of the fetches in flight. */
  reserved = 0;
  private readonly leases = new Map<ArrayBufferLike, Lease>();

  constructor(private readonly limit: number) {}

  /** What one more fetch may ask for (0: none now). */
  get room(): number {
    return Math.max(0, this.limit - this.held - this.reserved);
  }

  /** Counts the memory `view` points into as held, by one more batch. */
  retain(view: Uint8Array): Lease {
    const memory = view.buffer;
    let lease = this.leases.get(memory);
    if (!lease) {
      lease = new Lease(memory, memory.byteLength);
      this.leases.set(memory, lease);
      this.held += lease.bytes;
    }
    lease.refs++;
    return lease;
  }

  /** One batch less in that memory; no longer held once none is left. */
  release(lease: Lease): void {
    if (--lease.refs > 0) return;
    this.held -= lease.bytes;
    this.leases.delete(lease.memory);
  }
}
