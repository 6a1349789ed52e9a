/** Every API module kafkawire implements, for version checks, conformance tests and the demo. */
import type { ApiDescriptor } from '../api.js';
import { Produce } from './00-produce.js';
import { Fetch } from './01-fetch.js';
import { ListOffsets } from './02-list-offsets.js';
import { Metadata } from './03-metadata.js';
import { OffsetCommit } from './08-offset-commit.js';
import { OffsetFetch } from './09-offset-fetch.js';
import { FindCoordinator } from './10-find-coordinator.js';
import { JoinGroup } from './11-join-group.js';
import { Heartbeat } from './12-heartbeat.js';
import { LeaveGroup } from './13-leave-group.js';
import { SyncGroup } from './14-sync-group.js';
import { DescribeGroups } from './15-describe-groups.js';
import { ListGroups } from './16-list-groups.js';
import { SaslHandshake } from './17-sasl-handshake.js';
import { ApiVersions } from './18-api-versions.js';
import { CreateTopics } from './19-create-topics.js';
import { DeleteTopics } from './20-delete-topics.js';
import { DeleteRecords } from './21-delete-records.js';
import { InitProducerId } from './22-init-producer-id.js';
import { OffsetForLeaderEpoch } from './23-offset-for-leader-epoch.js';
import { AddPartitionsToTxn } from './24-add-partitions-to-txn.js';
import { AddOffsetsToTxn } from './25-add-offsets-to-txn.js';
import { EndTxn } from './26-end-txn.js';
import { TxnOffsetCommit } from './28-txn-offset-commit.js';
import { DescribeAcls } from './29-describe-acls.js';
import { CreateAcls } from './30-create-acls.js';
import { DeleteAcls } from './31-delete-acls.js';
import { DescribeConfigs } from './32-describe-configs.js';
import { SaslAuthenticate } from './36-sasl-authenticate.js';
import { CreatePartitions } from './37-create-partitions.js';
import { DeleteGroups } from './42-delete-groups.js';
import { IncrementalAlterConfigs } from './44-incremental-alter-configs.js';
import { OffsetDelete } from './47-offset-delete.js';
import { DescribeCluster } from './60-describe-cluster.js';
import { DescribeTransactions } from './65-describe-transactions.js';
import { ListTransactions } from './66-list-transactions.js';
import { ConsumerGroupHeartbeat } from './68-consumer-group-heartbeat.js';
import { ConsumerGroupDescribe } from './69-consumer-group-describe.js';
import { DescribeTopicPartitions } from './75-describe-topic-partitions.js';
import { ShareGroupHeartbeat } from './76-share-group-heartbeat.js';
import { ShareGroupDescribe } from './77-share-group-describe.js';
import { ShareFetch } from './78-share-fetch.js';
import { ShareAcknowledge } from './79-share-acknowledge.js';
import { DescribeShareGroupOffsets } from './90-describe-share-group-offsets.js';

export type * from './00-produce.js';
export { Produce } from './00-produce.js';
export type * from './01-fetch.js';
export { Fetch, IsolationLevel } from './01-fetch.js';
export type * from './02-list-offsets.js';
export { ListOffsets, ListOffsetsTimestamp } from './02-list-offsets.js';
export type * from './03-metadata.js';
export { Metadata } from './03-metadata.js';
export type * from './08-offset-commit.js';
export { OffsetCommit } from './08-offset-commit.js';
export type * from './09-offset-fetch.js';
export { OffsetFetch } from './09-offset-fetch.js';
export type * from './10-find-coordinator.js';
export { CoordinatorType, FindCoordinator } from './10-find-coordinator.js';
export type * from './11-join-group.js';
export { JoinGroup } from './11-join-group.js';
export type * from './12-heartbeat.js';
export { Heartbeat } from './12-heartbeat.js';
export type * from './13-leave-group.js';
export { LeaveGroup } from './13-leave-group.js';
export type * from './14-sync-group.js';
export { SyncGroup } from './14-sync-group.js';
export type * from './15-describe-groups.js';
export { DescribeGroups } from './15-describe-groups.js';
export type * from './16-list-groups.js';
export { ListGroups } from './16-list-groups.js';
export type * from './17-sasl-handshake.js';
export { SaslHandshake } from './17-sasl-handshake.js';
export type * from './18-api-versions.js';
export { ApiVersions } from './18-api-versions.js';
export type * from './19-create-topics.js';
export { CreateTopics } from './19-create-topics.js';
export type * from './20-delete-topics.js';
export { DeleteTopics } from './20-delete-topics.js';
export type * from './21-delete-records.js';
export { DeleteRecords } from './21-delete-records.js';
export type * from './22-init-producer-id.js';
export { InitProducerId } from './22-init-producer-id.js';
export type * from './23-offset-for-leader-epoch.js';
export { OffsetForLeaderEpoch } from './23-offset-for-leader-epoch.js';
export type * from './24-add-partitions-to-txn.js';
export { AddPartitionsToTxn } from './24-add-partitions-to-txn.js';
export type * from './25-add-offsets-to-txn.js';
export { AddOffsetsToTxn } from './25-add-offsets-to-txn.js';
export type * from './26-end-txn.js';
export { EndTxn } from './26-end-txn.js';
export type * from './28-txn-offset-commit.js';
export { TxnOffsetCommit } from './28-txn-offset-commit.js';
export type * from './29-describe-acls.js';
export {
  AclOperation,
  AclPatternType,
  AclPermissionType,
  AclResourceType,
  DescribeAcls,
} from './29-describe-acls.js';
export type * from './30-create-acls.js';
export { CreateAcls } from './30-create-acls.js';
export type * from './31-delete-acls.js';
export { DeleteAcls } from './31-delete-acls.js';
export type * from './32-describe-configs.js';
export { ConfigResourceType, ConfigSource, ConfigType, DescribeConfigs } from './32-describe-configs.js';
export type * from './36-sasl-authenticate.js';
export { SaslAuthenticate } from './36-sasl-authenticate.js';
export type * from './37-create-partitions.js';
export { CreatePartitions } from './37-create-partitions.js';
export type * from './42-delete-groups.js';
export { DeleteGroups } from './42-delete-groups.js';
export type * from './44-incremental-alter-configs.js';
export { AlterConfigOp, IncrementalAlterConfigs } from './44-incremental-alter-configs.js';
export type * from './47-offset-delete.js';
export { OffsetDelete } from './47-offset-delete.js';
export type * from './60-describe-cluster.js';
export { DescribeCluster, EndpointType } from './60-describe-cluster.js';
export type * from './65-describe-transactions.js';
export { DescribeTransactions } from './65-describe-transactions.js';
export type * from './66-list-transactions.js';
export { ListTransactions } from './66-list-transactions.js';
export type * from './68-consumer-group-heartbeat.js';
export { ConsumerGroupHeartbeat } from './68-consumer-group-heartbeat.js';
export type * from './69-consumer-group-describe.js';
export { ConsumerGroupDescribe } from './69-consumer-group-describe.js';
export type * from './75-describe-topic-partitions.js';
export { DescribeTopicPartitions } from './75-describe-topic-partitions.js';
export type * from './76-share-group-heartbeat.js';
export { ShareGroupHeartbeat } from './76-share-group-heartbeat.js';
export type * from './77-share-group-describe.js';
export { ShareGroupDescribe } from './77-share-group-describe.js';
export type * from './78-share-fetch.js';
export { AcknowledgeType, ShareFetch } from './78-share-fetch.js';
export type * from './79-share-acknowledge.js';
export { ShareAcknowledge } from './79-share-acknowledge.js';
export type * from './90-describe-share-group-offsets.js';
export { DescribeShareGroupOffsets } from './90-describe-share-group-offsets.js';

export const IMPLEMENTED_APIS: readonly ApiDescriptor<never, unknown>[] = [
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  SaslHandshake,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  DeleteRecords,
  InitProducerId,
  OffsetForLeaderEpoch,
  AddPartitionsToTxn,
  AddOffsetsToTxn,
  EndTxn,
  TxnOffsetCommit,
  DescribeAcls,
  CreateAcls,
  DeleteAcls,
  DescribeConfigs,
  SaslAuthenticate,
  CreatePartitions,
  DeleteGroups,
  IncrementalAlterConfigs,
  OffsetDelete,
  DescribeCluster,
  DescribeTransactions,
  ListTransactions,
  ConsumerGroupHeartbeat,
  ConsumerGroupDescribe,
  DescribeTopicPartitions,
  ShareGroupHeartbeat,
  ShareGroupDescribe,
  ShareFetch,
  ShareAcknowledge,
  DescribeShareGroupOffsets,
];
