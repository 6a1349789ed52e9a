/**
 * Topics for the runs, through kafkawire's own Cluster: CreateTopics from src/, and a
 * DeleteTopics (key 20) described here, since src/ has no admin client yet. Every produce run
 * gets a fresh topic that is deleted after it, so a default run does not leave tens of GB of
 * logs on the broker's disk.
 */
import { Consumer } from '../../src/consumer/consumer.js';
import { Cluster } from '../../src/network/cluster.js';
import { Producer } from '../../src/producer/producer.js';
import type { ApiDescriptor } from '../../src/protocol/api.js';
import { CreatePartitions, CreateTopics, ListOffsets } from '../../src/protocol/apis/index.js';
import { KafkaError } from '../../src/protocol/errors.js';
import type { Reader } from '../../src/protocol/reader.js';
import type { Writer } from '../../src/protocol/writer.js';

interface DeleteTopicsRequest {
  topicNames: string[];
  timeoutMs: number;
}
interface DeleteTopicsResponse {
  throttleTimeMs: number;
  responses: { name: string; errorCode: number }[];
}

/** DeleteTopics (key 20) at v4 only (flexible; every broker since 2.4 and 4.x speak it). */
const DeleteTopics: ApiDescriptor<DeleteTopicsRequest, DeleteTopicsResponse> = {
  key: 20,
  name: 'DeleteTopics',
  min: 4,
  max: 4,
  flexibleFrom: 4,
  encodeRequest(w: Writer, _v: number, m: DeleteTopicsRequest): void {
    w.arrayLength(m.topicNames.length, true);
    for (const name of m.topicNames) w.string(name, true);
    w.int32(m.timeoutMs);
    w.emptyTaggedFields();
  },
  decodeResponse(r: Reader): DeleteTopicsResponse {
    const throttleTimeMs = r.int32();
    const responses = r.array(true, (t) => {
      const name = t.string(true);
      const errorCode = t.int16();
      t.taggedFields();
      return { name, errorCode };
    });
    r.taggedFields();
    return { throttleTimeMs, responses };
  },
};

const UNKNOWN_TOPIC_OR_PARTITION = 3;

/**
 * Partitions one CreateTopics or CreatePartitions call adds: a KRaft controller refuses an
 * operation of more than 10,000 records (POLICY_VIOLATION), one per partition, so a topic of
 * 10,000 partitions is created with 5,000 and grown in steps.
 */
const PARTITIONS_PER_CALL = 5000;

export class Topics {
  private readonly cluster: Cluster;

  /** `replicationFactor` -1: the cluster's default (CreateTopics v4+, KIP-464), for a remote cluster. */
  constructor(
    bootstrap: string,
    private readonly replicationFactor: number,
  ) {
    this.cluster = new Cluster({ bootstrapServers: bootstrap, clientId: 'kafkawire-bench' });
  }

  /** The broker count, after connecting. */
  async connect(): Promise<number> {
    const md = await this.cluster.connect();
    return md.brokers.size;
  }

  /** Creates `name` and waits until every partition has a leader (and a log: `ready`). */
  async create(name: string, partitions: number): Promise<void> {
    const conn = await this.cluster.anyConnection();
    const first = Math.min(partitions, PARTITIONS_PER_CALL);
    const res = await conn.send(CreateTopics, {
      topics: [{ name, numPartitions: first, replicationFactor: this.replicationFactor }],
      timeoutMs: 30_000,
    });
    const result = res.topics[0]!;
    if (result.errorCode !== 0) throw new KafkaError(result.errorCode, { topic: name }, result.errorMessage);
    for (let count = first; count < partitions; ) {
      count = Math.min(partitions, count + PARTITIONS_PER_CALL);
      const grown = (await conn.send(CreatePartitions, { topics: [{ name, count }], timeoutMs: 60_000 }))
        .results[0]!;
      if (grown.errorCode !== 0) throw new KafkaError(grown.errorCode, { topic: name }, grown.errorMessage);
    }
    await this.ready([name], partitions);
  }

  /**
   * Creates many topics of `partitions` partitions each (100 per CreateTopics request) and waits
   * as `create` does.
   */
  async createMany(names: readonly string[], partitions: number): Promise<void> {
    const conn = await this.cluster.anyConnection();
    for (let i = 0; i < names.length; i += 100) {
      const res = await conn.send(CreateTopics, {
        topics: names
          .slice(i, i + 100)
          .map((name) => ({ name, numPartitions: partitions, replicationFactor: this.replicationFactor })),
        timeoutMs: 30_000,
      });
      for (const t of res.topics)
        if (t.errorCode !== 0) throw new KafkaError(t.errorCode, { topic: t.name }, t.errorMessage);
    }
    await this.ready(names, partitions);
  }

  /**
   * Waits until every partition of `names` has a leader and, on a single broker with 1,000
   * partitions or more in all (one broker leads them all, so one ListOffsets asks them all), a log.
   */
  private async ready(names: readonly string[], partitions: number): Promise<void> {
    const what = names.length === 1 ? `topic ${names[0]}` : `${names.length} topics`;
    const until = Date.now() + 30_000 + names.length * partitions * 10;
    for (;;) {
      const md = await this.cluster.refresh([...names]);
      const ready = names.every((name) => {
        const t = md.topics.get(name);
        return (
          t?.errorCode === 0 && t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0)
        );
      });
      if (ready) break;
      if (Date.now() > until) throw new Error(`${what}: no leader for every partition in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
    if (names.length * partitions >= 1000 && this.cluster.metadata.brokers.size === 1)
      await this.logsReady(names, partitions, until);
  }

  /**
   * Waits until the leader answers ListOffsets for every partition: metadata names a new
   * partition's leader before that broker has made its log, and for a topic of thousands of
   * partitions that took the broker here minutes, in which every client's writes were refused
   * (a prefill of 20k records timed out with three clients in turn).
   */
  private async logsReady(list: readonly string[], partitions: number, until: number): Promise<void> {
    const conn = await this.cluster.anyConnection();
    const deadline = Math.max(until, Date.now() + 300_000);
    for (;;) {
      const res = await conn.send(ListOffsets, {
        replicaId: -1,
        topics: list.map((name) => ({
          name,
          partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
            partitionIndex,
            timestamp: -1n,
          })),
        })),
      });
      let pending = list.length * partitions;
      for (const t of res.topics) pending -= t.partitions.filter((p) => p.errorCode === 0).length;
      if (pending === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `topic ${list[0]}${list.length > 1 ? ` and ${list.length - 1} more` : ''}: ${pending} partitions without a log after 300 s`,
        );
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /**
   * Writes one record to every partition of `names` (with kafkawire's producer, retrying until
   * each is taken). A broker that lists a new partition's leader may not have made its log yet
   * and refuses produces for a while; without this the first client to write to a fresh
   * 10,000-partition topic spent seconds in those refusals and the metadata refreshes they
   * cause, and the clients after it did not. For topics only produced to: a consume case's
   * record count would be off by one per partition.
   */
  async touch(names: readonly string[], partitions: number, bootstrap: string): Promise<void> {
    const producer = new Producer({
      bootstrapServers: bootstrap,
      clientId: 'kafkawire-bench',
      acks: 1,
      enableIdempotence: false,
      deliveryTimeoutMs: 120_000,
    });
    try {
      await producer.connect();
      const value = Buffer.from('.');
      await Promise.all(
        names.flatMap((topic) =>
          Array.from({ length: partitions }, (_, partition) => producer.send({ topic, partition, value })),
        ),
      );
    } finally {
      await producer.close();
    }
  }

  /**
   * Reads `records` records of `names` once, untimed (kafkawire's consumer, assigned every
   * partition): the first reader of a freshly written topic of thousands of partitions pays the
   * broker's first touch of every partition's files. Measured on 10,000 partitions: the first
   * client to consume ran at 84k records/s, the same client at 190–198k in the next rounds.
   */
  async warmRead(
    names: readonly string[],
    partitions: number,
    records: number,
    bootstrap: string,
  ): Promise<void> {
    const consumer = new Consumer({
      bootstrapServers: bootstrap,
      clientId: 'kafkawire-bench',
      autoOffsetReset: 'earliest',
    });
    try {
      consumer.assign(
        names.flatMap((topic) =>
          Array.from({ length: partitions }, (_, partition) => ({ topic, partition })),
        ),
      );
      const deadline = Date.now() + 300_000;
      for (let read = 0; read < records; ) {
        if (Date.now() > deadline) throw new Error(`warm read: ${read} of ${records} records in 300 s`);
        for (const b of await consumer.poll({ timeoutMs: 1000 })) read += b.records.length;
      }
    } finally {
      await consumer.close();
    }
  }

  /** Deletes topics; a topic already gone is fine. Goes to the controller's choice of broker: any. */
  async delete(names: string[]): Promise<void> {
    if (names.length === 0) return;
    const conn = await this.cluster.anyConnection();
    const res = await conn.send(DeleteTopics, { topicNames: names, timeoutMs: 30_000 });
    for (const r of res.responses) {
      if (r.errorCode !== 0 && r.errorCode !== UNKNOWN_TOPIC_OR_PARTITION)
        throw new KafkaError(r.errorCode, { topic: r.name });
    }
  }

  close(): Promise<void> {
    return this.cluster.close();
  }
}
