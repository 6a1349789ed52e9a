/**
 * The Java client's ConsumerProtocol: the bytes a classic consumer group carries inside
 * JoinGroup (each protocol's metadata: a Subscription) and SyncGroup (each member's assignment:
 * an Assignment), for protocolType "consumer". Every other Kafka client speaks the same bytes,
 * so members of different clients can share a group.
 *
 * Both are versioned data messages, never flexible: an int16 version, then the fields of that
 * version (ConsumerProtocolSubscription.json, ConsumerProtocolAssignment.json).
 * Subscription v1: +ownedPartitions (KIP-429) · v2: +generationId · v3: +rackId (KIP-881).
 * Assignment v1–v3: same fields as v0 (bumped alongside the subscription).
 *
 * Invariant, as in Java's ConsumerProtocol.deserializeSubscription: a reader accepts a version
 * higher than it knows by reading the fields it knows and ignoring the rest, because new versions
 * may only append fields. A version below 0 is a ProtocolError.
 */
import { ProtocolError } from './errors.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

/** The protocolType of consumer groups in JoinGroup/SyncGroup (Java `ConsumerProtocol.PROTOCOL_TYPE`). */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** The versions this module reads and writes. */
export const ConsumerProtocol = {
  subscription: { min: 0, max: 3 },
  assignment: { min: 0, max: 3 },
} as const;

export interface ConsumerProtocolTopicPartition {
  topic: string;
  partitions: number[];
}

export interface ConsumerProtocolSubscription {
  /** The version it was read at (as on the wire, which may be above what we know). */
  version?: number;
  topics: string[];
  /** Assignor-specific bytes (e.g. the sticky assignor's previous assignment before v1). */
  userData: Uint8Array | null;
  ownedPartitions?: ConsumerProtocolTopicPartition[]; // v1+
  generationId?: number; // v2+, default -1
  rackId?: string | null; // v3+, default null (KIP-881)
}

export interface ConsumerProtocolAssignment {
  /** The version it was read at (as on the wire, which may be above what we know). */
  version?: number;
  assignedPartitions: ConsumerProtocolTopicPartition[];
  userData: Uint8Array | null;
}

/** A decoded subscription: every field present, at its default where the version lacks it. */
export interface DecodedSubscription extends ConsumerProtocolSubscription {
  version: number;
  userData: Buffer | null;
  ownedPartitions: ConsumerProtocolTopicPartition[];
  generationId: number;
  rackId: string | null;
}

export interface DecodedAssignment extends ConsumerProtocolAssignment {
  version: number;
  userData: Buffer | null;
}

/** Writes a subscription at `version` (default the highest), version prefix included. */
export function writeSubscription(
  w: Writer,
  s: ConsumerProtocolSubscription,
  version: number = ConsumerProtocol.subscription.max,
): void {
  checkVersion('subscription', version, ConsumerProtocol.subscription.max);
  w.int16(version);
  w.arrayLength(s.topics.length, false);
  for (const t of s.topics) w.string(t, false);
  w.nullableBytes(s.userData, false);
  if (version >= 1) writeTopicPartitions(w, s.ownedPartitions ?? []);
  if (version >= 2) w.int32(s.generationId ?? -1);
  if (version >= 3) w.nullableString(s.rackId, false);
}

/** Writes an assignment at `version` (default the highest), version prefix included. */
export function writeAssignment(
  w: Writer,
  a: ConsumerProtocolAssignment,
  version: number = ConsumerProtocol.assignment.max,
): void {
  checkVersion('assignment', version, ConsumerProtocol.assignment.max);
  w.int16(version);
  writeTopicPartitions(w, a.assignedPartitions);
  w.nullableBytes(a.userData, false);
}

/** A subscription as JoinGroup protocol metadata. */
export function encodeSubscription(s: ConsumerProtocolSubscription, version?: number): Buffer {
  const w = new Writer(64);
  writeSubscription(w, s, version);
  return w.toBuffer();
}

/** An assignment as SyncGroup assignment bytes. */
export function encodeAssignment(a: ConsumerProtocolAssignment, version?: number): Buffer {
  const w = new Writer(64);
  writeAssignment(w, a, version);
  return w.toBuffer();
}

/**
 * Reads a subscription (version prefix first). A newer version is read as the newest we know;
 * the bytes after the fields we know are left unread.
 */
export function readSubscription(r: Reader): DecodedSubscription {
  const version = readVersion(r, 'subscription');
  const v = Math.min(version, ConsumerProtocol.subscription.max);
  const topics = r.array(false, readString, 2);
  const userData = r.nullableBytes(false);
  const ownedPartitions = v >= 1 ? r.array(false, readTopicPartition, 6) : [];
  const generationId = v >= 2 ? r.int32() : -1;
  const rackId = v >= 3 ? r.nullableString(false) : null;
  return { version, topics, userData, ownedPartitions, generationId, rackId };
}

/** Reads an assignment (version prefix first); a newer version is read as the newest we know. */
export function readAssignment(r: Reader): DecodedAssignment {
  const version = readVersion(r, 'assignment');
  const assignedPartitions = r.array(false, readTopicPartition, 6);
  const userData = r.nullableBytes(false);
  return { version, assignedPartitions, userData };
}

/** JoinGroup protocol metadata (or a DescribeGroups member's) as a subscription. */
export function decodeSubscription(bytes: Uint8Array): DecodedSubscription {
  return readSubscription(new Reader(asBuffer(bytes)));
}

/** SyncGroup assignment bytes (or a DescribeGroups member's) as an assignment. */
export function decodeAssignment(bytes: Uint8Array): DecodedAssignment {
  return readAssignment(new Reader(asBuffer(bytes)));
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function checkVersion(what: string, version: number, max: number): void {
  if (!Number.isInteger(version) || version < 0 || version > max)
    throw new RangeError(`ConsumerProtocol ${what} version ${version} is not one of 0–${max}`);
}

function readVersion(r: Reader, what: string): number {
  const at = r.pos;
  const version = r.int16();
  if (version < 0)
    throw new ProtocolError(`Unsupported ConsumerProtocol ${what} version ${version} at offset ${at}`);
  return version;
}

function writeTopicPartitions(w: Writer, tps: ConsumerProtocolTopicPartition[]): void {
  w.arrayLength(tps.length, false);
  for (const tp of tps) {
    w.string(tp.topic, false);
    w.arrayLength(tp.partitions.length, false);
    for (const p of tp.partitions) w.int32(p);
  }
}

function readTopicPartition(r: Reader): ConsumerProtocolTopicPartition {
  const topic = r.string(false);
  const partitions = r.array(false, readInt32, 4);
  return { topic, partitions };
}

function readString(r: Reader): string {
  return r.string(false);
}

function readInt32(r: Reader): number {
  return r.int32();
}
