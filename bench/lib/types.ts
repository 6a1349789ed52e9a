/**
 * What the runner (bench/run.ts) and the client processes (bench/clients/*.ts) say to each other.
 *
 * The runner spawns one process per run with a `RunArgs` as JSON in argv[2]; the process prints
 * one line `@@bench-result <RunResult as JSON>` on stdout and exits. Anything else it prints
 * (a library's own logging) is ignored, except that stderr's tail is kept for failures.
 */

/** `acks` as every client understands it: 1 (leader) or 'all' (every in-sync replica). */
export type Acks = 1 | 'all';
/** The codecs the cases use; each client maps the name to its own knob. */
export type Codec = 'none' | 'lz4' | 'zstd';

interface CaseBase {
  /** Stable id, used in file names, tables and `--only`: e.g. `produce-100B-acks1-lz4`. */
  id: string;
  /** One line for the tables. */
  title: string;
  /** Records per run. */
  records: number;
  /** Bytes per value; keys are null everywhere (a sticky partitioner spreads them). */
  valueSize: number;
  /** Partitions of the topic the case creates. */
  partitions: number;
  /** Over the broker's SSL listener (server-verified TLS, no client certificate). */
  tls?: boolean;
  /**
   * A partition-scaling case: one topic for the case, shared by all its runs (a 10,000-partition
   * topic takes seconds to create), reported in the scaling tables and chart.
   */
  scaling?: boolean;
  /** On the three-node cluster (replication factor 3, min.insync.replicas 2), not the single broker. */
  replicated?: boolean;
  /**
   * Many topics: the case uses this many topics of `partitions` partitions each, named
   * `<topic>-0`, `<topic>-1`, … (`caseTopics`); produce sends each run of a batch's worth of
   * records (`recordsPerCall`) to the next topic in turn (`topicOfRecord`), consume subscribes
   * to them all.
   */
  topics?: number;
}

/** Throughput of a producer: send `records` as fast as the client takes them, count the acks. */
export interface ProduceCase extends CaseBase {
  kind: 'produce';
  acks: Acks;
  compression: Codec;
  /** Java `linger.ms` or the client's closest knob. */
  lingerMs: number;
  /** Java `batch.size` or the client's closest knob. */
  batchSize: number;
  /** Java `enable.idempotence`: on with acks=all (Java's default), off with acks=1. */
  idempotence: boolean;
  /**
   * Transactional case: records per transaction (begin, send them, commit); only records of
   * committed transactions count. Needs acks=all and idempotence.
   */
  transactionRecords?: number;
  /**
   * A producer far faster than the broker: the broker's default client quota is set to this
   * many bytes per second for the case (`producer_byte_rate`), so every client's buffer fills and
   * its memory is bounded by its own limits (kafkawire's and Java's `bufferMemory`). The clients
   * that keep a window of unacknowledged records keep `throttledWindowBytes` of values in it.
   */
  throttleBytesPerSec?: number;
}

/** Throughput of a group consumer reading a prefilled topic from the start. */
export interface ConsumeCase extends CaseBase {
  kind: 'consume';
  /** Codec the topic is prefilled with (the consumer decompresses). */
  compression: Codec;
  /**
   * Every value read as a string, the way each client's docs show it (kafkawire's
   * stringDeserializer, @platformatic/kafka's stringDeserializers, `value.toString()` for KafkaJS
   * and librdkafka), and its length summed, so no client skips the work.
   */
  strings?: boolean;
}

/** Produce at a fixed rate and consume in the same process; latency from send() to receipt. */
export interface E2eCase extends CaseBase {
  kind: 'e2e';
  /** Records per second. */
  rate: number;
  acks: Acks;
  lingerMs: number;
}

/** One record at a time: `await send()`, then the next at a fixed rate; latency of each send. */
export interface LatencyCase extends CaseBase {
  kind: 'latency';
  rate: number;
  acks: Acks;
  lingerMs: number;
  idempotence: boolean;
}

/**
 * Many clients in one process: `producers` producers and `consumers` consumers (each in a group of
 * its own) of one client library, at once, on one topic. Each producer sends its share of the
 * records with the client's own produce driver, and each consumer reads all of them with its
 * consume driver; `records` counts every record moved (produced once, consumed `consumers` times).
 */
export interface ManyCase extends CaseBase {
  kind: 'many';
  producers: number;
  consumers: number;
}

export type BenchCase = ProduceCase | ConsumeCase | E2eCase | LatencyCase | ManyCase;

/** argv[2] of a client process. `probe` only loads the client and reports its version. */
export interface RunArgs {
  mode: 'probe' | 'run';
  bootstrap: string;
  case?: BenchCase;
  topic?: string;
  /** A fresh group id for consume and e2e runs. */
  groupId?: string;
  /** TLS cases: the CA that signed the broker's certificate (PEM file), for `bootstrap`. */
  tls?: { caPath: string };
}

/** Latency percentiles in milliseconds. */
export interface Latency {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** What a client's case function measured. */
export interface Measured {
  /** Records acknowledged (produce, latency) or received (consume, e2e). */
  count: number;
  /** Wall time of the measured section. */
  elapsedMs: number;
  /** process.cpuUsage() over the measured section. */
  cpuUserMs: number;
  cpuSystemMs: number;
  latency?: Latency;
  /** Consume: from subscribing to the first record received (includes the group join). */
  firstRecordMs?: number;
  /** Consume: process CPU (user + system) from the section's start to the first record, ms. */
  cpuToFirstMs?: number;
  /** process.memoryUsage().rss when the measured section started, in KiB (after connecting). */
  rssAtStartKb?: number;
  /** Failed sends, if the client reports them separately. */
  errors?: number;
  /** Anything a reader of the table should know about this run (e.g. "batched 163 per send()"). */
  notes?: string[];
}

export type RunStatus = 'ok' | 'invalid' | 'failed' | 'unavailable' | 'not-implemented';

export interface RunResult {
  status: RunStatus;
  /** Set for 'ok' and 'invalid' (a run that finished but lost or duplicated records). */
  measured?: Measured;
  /** process.resourceUsage().maxRSS at the end, in KiB: the whole process's peak. */
  maxRssKb?: number;
  /** Why it is not 'ok'. */
  reason?: string;
  /** From a probe: the client's version string. */
  version?: string;
}

export const RESULT_PREFIX = '@@bench-result ';
