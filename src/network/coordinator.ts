/**
 * Finding coordinators (FindCoordinator v0–v6): the broker that owns a group's offsets and
 * membership, or a transactional id's transaction state. Shared by the consumer's group
 * membership, the transactional producer and the admin client.
 */
import { CoordinatorType, FindCoordinator } from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { kafkaError } from '../protocol/errors.js';
import type { Cluster } from './cluster.js';
import { type BackoffOptions, backoffMs } from './retry.js';

/** The node id of `groupId`'s coordinator, retrying while it is not available yet. */
export function findGroupCoordinator(
  cluster: Cluster,
  groupId: string,
  backoff: BackoffOptions,
  maxAttempts = 20,
): Promise<number> {
  return findCoordinator(cluster, CoordinatorType.group, groupId, backoff, maxAttempts);
}

/**
 * The node id of the coordinator of `key` (a group id, or a transactional id with
 * `CoordinatorType.transaction`), retrying while it is not available yet: the first lookup of a
 * transactional id on a new cluster creates `__transaction_state` and answers
 * COORDINATOR_NOT_AVAILABLE until it exists.
 */
export async function findCoordinator(
  cluster: Cluster,
  keyType: number,
  key: string,
  backoff: BackoffOptions,
  maxAttempts = 20,
): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const conn = await cluster.anyConnection();
    const v = conn.versionFor(FindCoordinator);
    const res = await conn.send(
      FindCoordinator,
      v >= 4 ? { keyType, coordinatorKeys: [key] } : { key, keyType },
    );
    const c = v >= 4 ? res.coordinators[0] : { errorCode: res.errorCode, nodeId: res.nodeId };
    if (c && c.errorCode === ErrorCode.NONE) {
      // The coordinator is a broker of the metadata; refresh if we do not know it yet.
      if (!cluster.metadata.brokers.has(c.nodeId)) await cluster.refresh();
      return c.nodeId;
    }
    const err = kafkaError(
      c?.errorCode ?? ErrorCode.COORDINATOR_NOT_AVAILABLE,
      keyType === CoordinatorType.transaction ? { transactionalId: key } : { group: key },
    );
    if (!err.retriable || attempt >= maxAttempts) throw err;
    await new Promise((r) => setTimeout(r, backoffMs(attempt, backoff)));
  }
}
