/**
 * ACLs through the admin client (Java: `Admin.createAcls`, `describeAcls`, `deleteAcls`):
 * the names users write (`'topic'`, `'read'`, `'allow'`) ⇄ the codes of the ACL APIs.
 *
 * The calls go to any broker (KRaft brokers forward them to the controller). The broker's
 * authorizer applies new ACLs asynchronously: a create or delete that returned is not yet
 * guaranteed to be enforced by every broker (describe until it shows, as tests do).
 */
import type { Cluster } from '../network/cluster.js';
import {
  AclOperation,
  AclPatternType,
  AclPermissionType,
  AclResourceType,
  CreateAcls,
  DeleteAcls,
  DescribeAcls,
} from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { ConfigError, type KafkaError, kafkaError } from '../protocol/errors.js';

export type AclResourceTypeName = Exclude<keyof typeof AclResourceType, 'unknown'>;
export type AclPatternTypeName = Exclude<keyof typeof AclPatternType, 'unknown'>;
export type AclOperationName = Exclude<keyof typeof AclOperation, 'unknown'>;
export type AclPermissionName = Exclude<keyof typeof AclPermissionType, 'unknown'>;

/** One ACL (Java: `AclBinding`): who may (or may not) do what on which resources. */
export interface AclBinding {
  resourceType: Exclude<AclResourceTypeName, 'any'>;
  /** The topic, group, ... name; `kafka-cluster` for the cluster; `*` for every one. */
  resourceName: string;
  /** `literal` (default): the name itself; `prefixed`: every name starting with it. */
  patternType?: 'literal' | 'prefixed';
  /** e.g. `User:alice`; `User:*` for every user. */
  principal: string;
  /** The client host it applies to. Default `*`. */
  host?: string;
  operation: Exclude<AclOperationName, 'any'>;
  /** Default `allow`. */
  permissionType?: 'allow' | 'deny';
}

/** Which ACLs to describe or delete (Java: `AclBindingFilter`); a field left out matches anything. */
export interface AclBindingFilter {
  /** Default `any`. */
  resourceType?: AclResourceTypeName;
  resourceName?: string | null;
  /** Default `any`; `match` also finds prefixed and `*` ACLs that apply to `resourceName`. */
  patternType?: AclPatternTypeName;
  principal?: string | null;
  host?: string | null;
  /** Default `any`. */
  operation?: AclOperationName;
  /** Default `any`. */
  permissionType?: AclPermissionName;
}

/** Each result of createAcls, in the order given. */
export interface AclCreateResult {
  binding: AclBinding;
  error: KafkaError | null;
}

/** Each result of deleteAcls, in the order given: the ACLs the filter matched and deleted. */
export interface AclDeleteResult {
  filter: AclBindingFilter;
  error: KafkaError | null;
  deleted: (AclBinding & { error: KafkaError | null })[];
}

function code<T extends Record<string, number>>(
  table: T,
  option: string,
  value: unknown,
  def: keyof T,
): number {
  const name = value === undefined ? def : value;
  if (typeof name !== 'string' || !(name in table) || name === 'unknown') {
    const allowed = Object.keys(table).filter((k) => k !== 'unknown');
    throw new ConfigError(option, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return table[name];
}

function nameOf<T extends Record<string, number>>(table: T, c: number): keyof T {
  for (const [k, v] of Object.entries(table)) if (v === c) return k;
  return 'unknown';
}

function toBinding(a: {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}): AclBinding {
  return {
    resourceType: nameOf(AclResourceType, a.resourceType) as AclBinding['resourceType'],
    resourceName: a.resourceName,
    patternType: nameOf(AclPatternType, a.patternType) as AclBinding['patternType'],
    principal: a.principal,
    host: a.host,
    operation: nameOf(AclOperation, a.operation) as AclBinding['operation'],
    permissionType: nameOf(AclPermissionType, a.permissionType) as AclBinding['permissionType'],
  };
}

function filterCodes(f: AclBindingFilter) {
  return {
    resourceTypeFilter: code(AclResourceType, 'resourceType', f.resourceType, 'any'),
    resourceNameFilter: f.resourceName ?? null,
    patternTypeFilter: code(AclPatternType, 'patternType', f.patternType, 'any'),
    principalFilter: f.principal ?? null,
    hostFilter: f.host ?? null,
    operation: code(AclOperation, 'operation', f.operation, 'any'),
    permissionType: code(AclPermissionType, 'permissionType', f.permissionType, 'any'),
  };
}

type Retry = <T>(fn: () => Promise<T>) => Promise<T>;

export async function createAcls(
  cluster: Cluster,
  retry: Retry,
  bindings: AclBinding[],
): Promise<AclCreateResult[]> {
  const creations = bindings.map((b) => {
    if (typeof b?.resourceName !== 'string' || typeof b.principal !== 'string') {
      throw new ConfigError('acl', 'each ACL needs resourceName and principal strings');
    }
    const resourceType = code(AclResourceType, 'resourceType', b.resourceType, 'unknown');
    const operation = code(AclOperation, 'operation', b.operation, 'unknown');
    if (resourceType === AclResourceType.any || operation === AclOperation.any) {
      throw new ConfigError(
        resourceType === AclResourceType.any ? 'resourceType' : 'operation',
        "'any' is for filters only",
      );
    }
    return {
      resourceType,
      resourceName: b.resourceName,
      resourcePatternType: code(AclPatternType, 'patternType', b.patternType, 'literal'),
      principal: b.principal,
      host: b.host ?? '*',
      operation,
      permissionType: code(AclPermissionType, 'permissionType', b.permissionType, 'allow'),
    };
  });
  if (creations.length === 0) return [];
  const res = await retry(async () => (await cluster.anyConnection()).send(CreateAcls, { creations }));
  return bindings.map((binding, i) => {
    const r = res.results[i];
    const c = r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    return {
      binding,
      error:
        c === ErrorCode.NONE
          ? null
          : kafkaError(c, {}, r ? r.errorMessage : 'the broker sent no result for this ACL'),
    };
  });
}

export async function describeAcls(
  cluster: Cluster,
  retry: Retry,
  filter: AclBindingFilter,
): Promise<AclBinding[]> {
  const request = filterCodes(filter);
  const res = await retry(async () => (await cluster.anyConnection()).send(DescribeAcls, request));
  if (res.errorCode !== ErrorCode.NONE) throw kafkaError(res.errorCode, {}, res.errorMessage);
  const out: AclBinding[] = [];
  for (const r of res.resources) {
    for (const a of r.acls) out.push(toBinding({ ...r, ...a }));
  }
  return out;
}

export async function deleteAcls(
  cluster: Cluster,
  retry: Retry,
  filters: AclBindingFilter[],
): Promise<AclDeleteResult[]> {
  const request = { filters: filters.map(filterCodes) };
  if (filters.length === 0) return [];
  const res = await retry(async () => (await cluster.anyConnection()).send(DeleteAcls, request));
  return filters.map((filter, i) => {
    const r = res.filterResults[i];
    if (!r) {
      return {
        filter,
        error: kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, {}, 'the broker sent no result for this filter'),
        deleted: [],
      };
    }
    return {
      filter,
      error: r.errorCode === ErrorCode.NONE ? null : kafkaError(r.errorCode, {}, r.errorMessage),
      deleted: r.matchingAcls.map((a) => ({
        ...toBinding(a),
        error: a.errorCode === ErrorCode.NONE ? null : kafkaError(a.errorCode, {}, a.errorMessage),
      })),
    };
  });
}
