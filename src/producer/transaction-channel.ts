/**
 * The transactional producer's line to its coordinators: the transaction coordinator of its
 * `transactionalId` and the group coordinators of the groups whose offsets it commits.
 *
 * Owns: the coordinators' node ids, looked up once (FindCoordinator key type 1 for the
 * transaction coordinator, 0 for groups) and forgotten when one moves; which transaction version
 * the cluster runs. Requests go on the coordinator lane of the connection (cluster.ts), so an
 * EndTxn never waits behind produce requests.
 */
import type { Cluster } from '../network/cluster.js';
import { findCoordinator } from '../network/coordinator.js';
import type { BackoffOptions } from '../network/retry.js';
import type { ApiDescriptor } from '../protocol/api.js';
import { CoordinatorType, EndTxn, Produce, TxnOffsetCommit } from '../protocol/apis/index.js';

/** Where a transactional request goes. */
export type CoordinatorTarget = 'transaction' | { groupId: string };

/** What the transaction manager needs from the network (a fake in the unit tests). */
export interface TransactionChannel {
  /** Sends to the coordinator of `target` (looked up when unknown), at most at `maxVersion`. */
  send<Req, Res>(
    target: CoordinatorTarget,
    api: ApiDescriptor<Req, Res>,
    request: Req,
    maxVersion?: number,
  ): Promise<Res>;
  /** Forgets a coordinator after NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a dead connection. */
  coordinatorMoved(target: CoordinatorTarget): void;
  /**
   * True when the cluster runs transaction version 2 (KIP-890 part 2): the `transaction.version`
   * feature finalized at 2 or more, and the coordinator speaks EndTxn v5, Produce v12 and
   * TxnOffsetCommit v5, as the Java client requires before it uses the implicit flow.
   */
  transactionV2(): Promise<boolean>;
}

/** The TransactionChannel of a producer's Cluster. */
export class ClusterTransactionChannel implements TransactionChannel {
  private transactionCoordinator: number | null = null;
  private readonly groupCoordinators = new Map<string, number>();

  constructor(
    private readonly cluster: Cluster,
    private readonly transactionalId: string,
    private readonly backoff: BackoffOptions,
  ) {}

  private async node(target: CoordinatorTarget): Promise<number> {
    if (target === 'transaction') {
      this.transactionCoordinator ??= await findCoordinator(
        this.cluster,
        CoordinatorType.transaction,
        this.transactionalId,
        this.backoff,
      );
      return this.transactionCoordinator;
    }
    let node = this.groupCoordinators.get(target.groupId);
    if (node === undefined) {
      node = await findCoordinator(this.cluster, CoordinatorType.group, target.groupId, this.backoff);
      this.groupCoordinators.set(target.groupId, node);
    }
    return node;
  }

  async send<Req, Res>(
    target: CoordinatorTarget,
    api: ApiDescriptor<Req, Res>,
    request: Req,
    maxVersion?: number,
  ): Promise<Res> {
    const node = await this.node(target);
    return this.cluster.sendTo(node, api, request, { maxVersion });
  }

  coordinatorMoved(target: CoordinatorTarget): void {
    if (target === 'transaction') this.transactionCoordinator = null;
    else this.groupCoordinators.delete(target.groupId);
  }

  async transactionV2(): Promise<boolean> {
    const conn = await this.cluster.connectionTo(await this.node('transaction'), 'coordinator');
    if ((conn.finalizedFeatures.get('transaction.version') ?? 0) < 2) return false;
    try {
      return (
        conn.versionFor(EndTxn) >= 5 &&
        conn.versionFor(Produce) >= 12 &&
        conn.versionFor(TxnOffsetCommit) >= 5
      );
    } catch {
      return false; // an API the broker does not offer at all
    }
  }
}
