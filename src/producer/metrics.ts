/**
 * The producer's metrics under the Java client's names (`producer-metrics` group): record-send,
 * record-error and record-retry totals and rates, batch-size-avg/max, compression-rate-avg,
 * records-per-request-avg, produce-throttle-time-avg/max, buffer-total-bytes,
 * buffer-available-bytes, requests-in-flight, and the network metrics every client has
 * (request-rate, request-latency-avg/max, outgoing/incoming-byte-rate, connection-count, ...).
 *
 * Invariants: counted per batch or per request, never per record (a batch's record count is
 * added at once), so the send path pays nothing per record; a record sent again after a retriable
 * error counts in record-send again (as Java's), and in record-retry.
 */
import { MetricsRegistry, NetworkMetrics, type Windowed } from '../network/metrics.js';

const GROUP = 'producer-metrics';

export class ProducerMetrics {
  readonly registry: MetricsRegistry;
  readonly network: NetworkMetrics;
  private readonly sends: Windowed;
  private readonly errors: Windowed;
  private readonly retries: Windowed;
  private readonly batchSize: Windowed;
  private readonly compression: Windowed;
  private readonly recordsPerRequest: Windowed;
  private readonly throttle: Windowed;

  constructor(
    clientId: string,
    gauges: { bufferTotal: number; bufferAvailable: () => number; inFlight: () => number },
  ) {
    const r = new MetricsRegistry(clientId);
    this.registry = r;
    this.network = new NetworkMetrics(r, GROUP);
    this.sends = r.sensor('record-send', GROUP, 'records sent', { total: true, rate: 'sum' });
    this.errors = r.sensor('record-error', GROUP, 'records that failed for good', {
      total: true,
      rate: 'sum',
    });
    this.retries = r.sensor('record-retry', GROUP, 'records sent again after a retriable error', {
      total: true,
      rate: 'sum',
    });
    this.batchSize = r.sensor('batch-size', GROUP, 'bytes per batch sent', { avg: true, max: true });
    this.compression = r.sensor('compression-rate', GROUP, 'compressed / uncompressed size of a batch', {
      avg: true,
    });
    this.recordsPerRequest = r.sensor('records-per-request', GROUP, 'records per produce request', {
      avg: true,
    });
    this.throttle = r.sensor('produce-throttle-time', GROUP, 'ms of throttling a broker asked for', {
      avg: true,
      max: true,
    });
    r.add(
      'buffer-total-bytes',
      GROUP,
      'bufferMemory: bytes the producer may hold.',
      () => gauges.bufferTotal,
    );
    r.add('buffer-available-bytes', GROUP, 'Bytes of bufferMemory not held by batches.', () =>
      gauges.bufferAvailable(),
    );
    r.add('requests-in-flight', GROUP, 'Produce requests awaiting an answer.', () => gauges.inFlight());
  }

  /** A batch was encoded: its wire size and what it was before compression. */
  batchFinished(bytes: number, uncompressed: number): void {
    if (uncompressed > 0) this.compression.record(bytes / uncompressed);
  }

  /** A produce request goes out with these batches. */
  requestSent(batches: readonly { recordCount: number; buffer: Buffer | null }[]): void {
    const now = Date.now();
    let records = 0;
    for (const b of batches) {
      records += b.recordCount;
      this.batchSize.record(b.buffer?.length ?? 0, now);
    }
    this.sends.record(records, now);
    this.recordsPerRequest.record(records, now);
  }

  failed(records: number): void {
    this.errors.record(records);
  }

  retried(records: number): void {
    this.retries.record(records);
  }

  throttled(ms: number): void {
    this.throttle.record(ms);
  }
}
