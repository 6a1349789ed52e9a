/**
 * Finding a group's coordinator (FindCoordinator v0–v6): the broker that owns the group's
 * offsets and membership. Shared by the consumer's group membership and the admin client.
 */
import { CoordinatorType, FindCoordinator } from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { kafkaError } from '../protocol/errors.js';
import type { Cluster } from './cluster.js';
import { type BackoffOptions, backoffMs } from './retry.js';

/** The node id of `groupId`'s coordinator, retrying while it is not available yet. */
export async function findGroupCoordinator(
  cluster: Cluster,
  groupId: string,
  backoff: BackoffOptions,
  maxAttempts = 20,
): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const conn = await cluster.anyConnection();
    const v = conn.versionFor(FindCoordinator);
    const res = await conn.send(
      FindCoordinator,
      v >= 4
        ? { keyType: CoordinatorType.group, coordinatorKeys: [groupId] }
        : { key: groupId, keyType: CoordinatorType.group },
    );
    const c = v >= 4 ? res.coordinators[0] : { errorCode: res.errorCode, nodeId: res.nodeId };
    if (c && c.errorCode === ErrorCode.NONE) {
      // The coordinator is a broker of the metadata; refresh if we do not know it yet.
      if (!cluster.metadata.brokers.has(c.nodeId)) await cluster.refresh();
      return c.nodeId;
    }
    const err = kafkaError(c?.errorCode ?? ErrorCode.COORDINATOR_NOT_AVAILABLE, { group: groupId });
    if (!err.retriable || attempt >= maxAttempts) throw err;
    await new Promise((r) => setTimeout(r, backoffMs(attempt, backoff)));
  }
}
