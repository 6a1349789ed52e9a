/**
 * DescribeCluster (key 60), v0–v1 (KIP-700: the cluster view Metadata v11 stopped carrying).
 * v0: flexible from the start · v1: +endpointType, to describe the controllers instead of the
 * brokers (KIP-919); MISMATCHED_ENDPOINT_TYPE and UNSUPPORTED_ENDPOINT_TYPE become possible.
 *
 * Java: `Admin.describeCluster`.
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

/** Which nodes DescribeCluster describes (v1+). */
export const EndpointType = { brokers: 1, controllers: 2 } as const;

export interface DescribeClusterRequest {
  includeClusterAuthorizedOperations: boolean;
  /** See `EndpointType`. */
  endpointType?: number; // v1+, default 1 (brokers)
}

export interface DescribeClusterBroker {
  brokerId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface DescribeClusterResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  endpointType: number; // v1+, 1 before
  clusterId: string;
  controllerId: number;
  brokers: DescribeClusterBroker[];
  /** KIP-430 bit field (bit n: operation code n); INT32_MIN when not requested. */
  clusterAuthorizedOperations: number;
}

export const DescribeCluster: ApiDescriptor<DescribeClusterRequest, DescribeClusterResponse> = {
  key: 60,
  name: 'DescribeCluster',
  min: 0,
  max: 1,
  flexibleFrom: 0,
  encodeRequest(w: Writer, v: number, m: DescribeClusterRequest): void {
    w.boolean(m.includeClusterAuthorizedOperations);
    const endpointType = m.endpointType ?? EndpointType.brokers;
    if (v >= 1) w.int8(endpointType);
    else if (endpointType !== EndpointType.brokers)
      throw new UnsupportedVersionError(`DescribeCluster v${v} describes brokers only`);
    w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): DescribeClusterResponse {
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    const errorMessage = r.nullableString(true);
    const endpointType = v >= 1 ? r.int8() : EndpointType.brokers;
    const clusterId = r.string(true);
    const controllerId = r.int32();
    // Smallest broker: id, empty host, port, null rack, no tagged fields.
    const brokers = r.array(true, readBroker, 11);
    const clusterAuthorizedOperations = r.int32();
    r.taggedFields();
    return {
      throttleTimeMs,
      errorCode,
      errorMessage,
      endpointType,
      clusterId,
      controllerId,
      brokers,
      clusterAuthorizedOperations,
    };
  },
};

function readBroker(r: Reader): DescribeClusterBroker {
  const brokerId = r.int32();
  const host = r.string(true);
  const port = r.int32();
  const rack = r.nullableString(true);
  r.taggedFields();
  return { brokerId, host, port, rack };
}
