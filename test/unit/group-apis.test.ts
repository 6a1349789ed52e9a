/**
 * What the consumer-group and offset encoders do beyond the golden vectors: the request forms
 * that changed shape across versions (one group or key or member before, a list after) encode
 * the same from either form, and a field a version cannot carry is refused rather than dropped
 * when dropping it would change the request's meaning.
 */
import { describe, expect, it } from 'vitest';
import type { ApiDescriptor } from '../../src/protocol/api.js';
import {
  ConsumerGroupHeartbeat,
  CoordinatorType,
  FindCoordinator,
  Heartbeat,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  OffsetCommit,
  OffsetFetch,
  SyncGroup,
} from '../../src/protocol/apis/index.js';
import { UnsupportedVersionError } from '../../src/protocol/errors.js';
import { Writer } from '../../src/protocol/writer.js';

function hex<Req>(api: ApiDescriptor<Req, unknown>, v: number, request: Req): string {
  const w = new Writer(64);
  api.encodeRequest(w, v, request);
  return w.view().toString('hex');
}

const topics = [{ name: 'orders', partitionIndexes: [0, 1] }];

describe('request forms that changed shape', () => {
  it('OffsetFetch: one entry in groups is groupId/topics before v8, and groupId/topics one group from v8', () => {
    for (let v = OffsetFetch.min; v <= OffsetFetch.max; v++) {
      expect(hex(OffsetFetch, v, { groups: [{ groupId: 'g', topics }] }), `v${v}`).toBe(
        hex(OffsetFetch, v, { groupId: 'g', topics }),
      );
    }
  });

  it('FindCoordinator: one coordinator key is the key before v4, and the key one coordinator key from v4', () => {
    for (let v = FindCoordinator.min; v <= FindCoordinator.max; v++) {
      expect(hex(FindCoordinator, v, { coordinatorKeys: ['g'] }), `v${v}`).toBe(
        hex(FindCoordinator, v, { key: 'g' }),
      );
    }
  });

  it('LeaveGroup: one member is the memberId before v3, and a memberId one member from v3', () => {
    for (let v = LeaveGroup.min; v <= LeaveGroup.max; v++) {
      expect(hex(LeaveGroup, v, { groupId: 'g', members: [{ memberId: 'm' }] }), `v${v}`).toBe(
        hex(LeaveGroup, v, { groupId: 'g', memberId: 'm' }),
      );
    }
  });
});

describe('fields a version cannot carry', () => {
  const refused: [string, () => void][] = [
    [
      'OffsetFetch v7 with two groups',
      () =>
        hex(OffsetFetch, 7, {
          groups: [
            { groupId: 'a', topics },
            { groupId: 'b', topics },
          ],
        }),
    ],
    ['OffsetFetch v1 for all topics', () => hex(OffsetFetch, 1, { groupId: 'g', topics: null })],
    [
      'OffsetFetch v6 requiring stable offsets',
      () => hex(OffsetFetch, 6, { groupId: 'g', topics, requireStable: true }),
    ],
    ['FindCoordinator v3 with two keys', () => hex(FindCoordinator, 3, { coordinatorKeys: ['a', 'b'] })],
    [
      'FindCoordinator v0 for a transaction',
      () => hex(FindCoordinator, 0, { key: 't', keyType: CoordinatorType.transaction }),
    ],
    [
      'FindCoordinator v5 for a share group',
      () => hex(FindCoordinator, 5, { coordinatorKeys: ['s'], keyType: CoordinatorType.share }),
    ],
    [
      'LeaveGroup v2 with two members',
      () => hex(LeaveGroup, 2, { groupId: 'g', members: [{ memberId: 'a' }, { memberId: 'b' }] }),
    ],
    [
      'LeaveGroup v2 by instance id',
      () => hex(LeaveGroup, 2, { groupId: 'g', members: [{ memberId: '', groupInstanceId: 'i' }] }),
    ],
    [
      'OffsetCommit v6 from a static member',
      () => hex(OffsetCommit, 6, { groupId: 'g', groupInstanceId: 'i', topics: [] }),
    ],
    [
      'JoinGroup v4 as a static member',
      () =>
        hex(JoinGroup, 4, {
          groupId: 'g',
          sessionTimeoutMs: 1,
          rebalanceTimeoutMs: 1,
          memberId: '',
          groupInstanceId: 'i',
          protocolType: 'consumer',
          protocols: [],
        }),
    ],
    [
      'Heartbeat v2 as a static member',
      () => hex(Heartbeat, 2, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: 'i' }),
    ],
    [
      'SyncGroup v2 as a static member',
      () =>
        hex(SyncGroup, 2, {
          groupId: 'g',
          generationId: 1,
          memberId: 'm',
          groupInstanceId: 'i',
          assignments: [],
        }),
    ],
    ['ListGroups v3 filtered by state', () => hex(ListGroups, 3, { statesFilter: ['Stable'] })],
    ['ListGroups v4 filtered by type', () => hex(ListGroups, 4, { typesFilter: ['consumer'] })],
    [
      'ConsumerGroupHeartbeat v0 with a regex',
      () =>
        hex(ConsumerGroupHeartbeat, 0, {
          groupId: 'g',
          memberId: 'm',
          memberEpoch: 0,
          subscribedTopicRegex: '.*',
        }),
    ],
  ];

  it.each(refused)('refuses %s', (_, encode) => {
    expect(encode).toThrow(UnsupportedVersionError);
  });

  it('accepts the same fields at their default on older versions', () => {
    expect(() => hex(OffsetFetch, 6, { groupId: 'g', topics, requireStable: false })).not.toThrow();
    expect(() =>
      hex(Heartbeat, 0, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }),
    ).not.toThrow();
    expect(() => hex(ListGroups, 0, { statesFilter: [], typesFilter: [] })).not.toThrow();
  });
});
