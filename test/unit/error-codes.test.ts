import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES_KAFKA_VERSION,
  ErrorCode,
  type ErrorCodeName,
  errorCodeInfo,
} from '../../src/protocol/error-codes.js';
import { KafkaError } from '../../src/protocol/errors.js';

describe('error code table', () => {
  it('is generated from Kafka 4.3.1', () => {
    expect(ERROR_CODES_KAFKA_VERSION).toBe('4.3.1');
  });

  it('marks NOT_LEADER_OR_FOLLOWER (6) retriable after a metadata refresh', () => {
    expect(errorCodeInfo(6)).toMatchObject({
      code: 6,
      name: 'NOT_LEADER_OR_FOLLOWER',
      retriable: true,
      refreshMetadata: true,
    });
    expect(ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6);
  });

  it('marks UNKNOWN_TOPIC_OR_PARTITION (3) retriable after a metadata refresh', () => {
    expect(errorCodeInfo(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)).toEqual({
      code: 3,
      name: 'UNKNOWN_TOPIC_OR_PARTITION',
      message: 'This server does not host this topic-partition.',
      retriable: true,
      refreshMetadata: true,
    });
  });

  it('marks REQUEST_TIMED_OUT (7) retriable without a metadata refresh', () => {
    expect(errorCodeInfo(7)).toMatchObject({
      name: 'REQUEST_TIMED_OUT',
      retriable: true,
      refreshMetadata: false,
    });
  });

  it('does not retry MESSAGE_TOO_LARGE (10), UNSUPPORTED_VERSION (35) or OUT_OF_ORDER_SEQUENCE_NUMBER (45)', () => {
    expect(errorCodeInfo(10)).toMatchObject({
      name: 'MESSAGE_TOO_LARGE',
      retriable: false,
      refreshMetadata: false,
    });
    expect(errorCodeInfo(35)).toMatchObject({ name: 'UNSUPPORTED_VERSION', retriable: false });
    expect(errorCodeInfo(45)).toMatchObject({ name: 'OUT_OF_ORDER_SEQUENCE_NUMBER', retriable: false });
  });

  it('knows UNKNOWN_SERVER_ERROR (-1) and NONE (0)', () => {
    expect(errorCodeInfo(-1)).toMatchObject({ name: 'UNKNOWN_SERVER_ERROR', retriable: false });
    expect(errorCodeInfo(-1).message).toMatch(/unexpected error/);
    expect(errorCodeInfo(0)).toMatchObject({ name: 'NONE', retriable: false, refreshMetadata: false });
    expect(ErrorCode.NONE).toBe(0);
  });

  it('gives a code newer than the table a non-retriable placeholder', () => {
    expect(errorCodeInfo(9999)).toEqual({
      code: 9999,
      name: 'UNKNOWN_ERROR_CODE_9999',
      message: 'Unknown error code 9999 (newer broker?)',
      retriable: false,
      refreshMetadata: false,
    });
    expect(errorCodeInfo(-2).name).toBe('UNKNOWN_ERROR_CODE_-2');
    expect(errorCodeInfo(1.5).name).toBe('UNKNOWN_ERROR_CODE_1.5');
  });

  it('has unique codes running from -1 without gaps, each named as in ErrorCode', () => {
    const entries = Object.entries(ErrorCode) as [ErrorCodeName, number][];
    const codes = entries.map(([, code]) => code).sort((a, b) => a - b);
    expect(new Set(codes).size).toBe(codes.length);
    // Kafka 4.3.1 numbers its errors -1..133 with no holes.
    expect(codes).toEqual(Array.from({ length: codes.length }, (_, i) => i - 1));
    expect(codes.at(-1)).toBe(133);
    for (const [name, code] of entries) {
      const info = errorCodeInfo(code);
      expect(info.code).toBe(code);
      expect(info.name).toBe(name);
      expect(info.message.length).toBeGreaterThan(0);
      // Every code that asks for a metadata refresh is retriable (InvalidMetadataException extends
      // RetriableException).
      if (info.refreshMetadata) expect(info.retriable).toBe(true);
    }
    expect(errorCodeInfo(codes.at(-1)! + 1).name).toMatch(/^UNKNOWN_ERROR_CODE_/);
  });
});

describe('KafkaError', () => {
  it('takes code, type and flags from the table and names topic and partition', () => {
    const err = new KafkaError(6, { topic: 't', partition: 1 });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('KafkaError');
    expect(err.code).toBe(6);
    expect(err.type).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(err.retriable).toBe(true);
    expect(err.refreshMetadata).toBe(true);
    expect(err.topic).toBe('t');
    expect(err.partition).toBe(1);
    expect(err.message).toMatch(/^NOT_LEADER_OR_FOLLOWER \(6\): /);
    expect(err.message).toContain('[topic t, partition 1]');
  });

  it('prefers the broker-sent detail over the default message', () => {
    const err = new KafkaError(10, {}, 'batch of 2 MiB');
    expect(err.message).toBe('MESSAGE_TOO_LARGE (10): batch of 2 MiB');
    expect(err.retriable).toBe(false);
  });

  it('keeps an unknown code and marks it non-retriable', () => {
    const err = new KafkaError(9999);
    expect(err.type).toBe('UNKNOWN_ERROR_CODE_9999');
    expect(err.retriable).toBe(false);
  });
});
