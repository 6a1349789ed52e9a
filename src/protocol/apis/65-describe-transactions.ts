/**
 * DescribeTransactions (key 65), v0 (KIP-664): the state of transactional ids at their
 * transaction coordinator — state, timeout, start time, producer id and epoch, partitions.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface DescribeTransactionsRequest {
  transactionalIds: string[];
}

export interface DescribeTransactionsTopicData {
  topic: string;
  partitions: number[];
}

export interface DescribeTransactionsState {
  errorCode: number;
  transactionalId: string;
  /** The coordinator's state name: Empty, Ongoing, PrepareCommit, CompleteAbort, ... */
  transactionState: string;
  transactionTimeoutMs: number;
  /** -1n when no transaction is open. */
  transactionStartTimeMs: bigint;
  producerId: bigint;
  producerEpoch: number;
  topics: DescribeTransactionsTopicData[];
}

export interface DescribeTransactionsResponse {
  throttleTimeMs: number;
  transactionStates: DescribeTransactionsState[];
}

export const DescribeTransactions: ApiDescriptor<DescribeTransactionsRequest, DescribeTransactionsResponse> =
  {
    key: 65,
    name: 'DescribeTransactions',
    min: 0,
    max: 0,
    flexibleFrom: 0,
    encodeRequest(w: Writer, _v: number, m: DescribeTransactionsRequest): void {
      w.arrayLength(m.transactionalIds.length, true);
      for (const id of m.transactionalIds) w.string(id, true);
      w.emptyTaggedFields();
    },
    decodeResponse(r: Reader): DescribeTransactionsResponse {
      const throttleTimeMs = r.int32();
      const transactionStates = r.array(true, readState, 27);
      r.taggedFields();
      return { throttleTimeMs, transactionStates };
    },
  };

function readState(r: Reader): DescribeTransactionsState {
  const errorCode = r.int16();
  const transactionalId = r.string(true);
  const transactionState = r.string(true);
  const transactionTimeoutMs = r.int32();
  const transactionStartTimeMs = r.int64();
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const topics = r.array(
    true,
    (t) => {
      const topic = t.string(true);
      const partitions = t.array(true, (p) => p.int32(), 4);
      t.taggedFields();
      return { topic, partitions };
    },
    3,
  );
  r.taggedFields();
  return {
    errorCode,
    transactionalId,
    transactionState,
    transactionTimeoutMs,
    transactionStartTimeMs,
    producerId,
    producerEpoch,
    topics,
  };
}
