/**
 * Topics for the runs, through kafkawire's own Cluster: CreateTopics from src/, and a
 * DeleteTopics (key 20) described here, since src/ has no admin client yet. Every produce run
 * gets a fresh topic that is deleted after it, so a default run does not leave tens of GB of
 * logs on the broker's disk.
 */
import { Cluster } from '../../src/network/cluster.js';
import type { ApiDescriptor } from '../../src/protocol/api.js';
import { CreateTopics } from '../../src/protocol/apis/index.js';
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

  /** Creates `name` and waits until every partition has a leader. */
  async create(name: string, partitions: number): Promise<void> {
    const conn = await this.cluster.anyConnection();
    const res = await conn.send(CreateTopics, {
      topics: [{ name, numPartitions: partitions, replicationFactor: this.replicationFactor }],
      timeoutMs: 30_000,
    });
    const result = res.topics[0]!;
    if (result.errorCode !== 0) throw new KafkaError(result.errorCode, { topic: name }, result.errorMessage);
    const until = Date.now() + 30_000;
    for (;;) {
      const t = (await this.cluster.refresh([name])).topics.get(name);
      if (
        t &&
        t.errorCode === 0 &&
        t.partitions.length === partitions &&
        t.partitions.every((p) => p.leader >= 0)
      )
        return;
      if (Date.now() > until) throw new Error(`topic ${name}: no leader for every partition after 30 s`);
      await new Promise((r) => setTimeout(r, 100));
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
