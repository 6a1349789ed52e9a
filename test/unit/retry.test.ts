import { describe, expect, it } from 'vitest';
import { backoffMs, shouldRetry } from '../../src/network/retry.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import {
  ConfigError,
  ConnectionError,
  KafkaError,
  ProtocolError,
  TimeoutError,
} from '../../src/protocol/errors.js';

describe('retry policy', () => {
  it('retries a dead connection after a metadata refresh', () => {
    expect(shouldRetry(new ConnectionError('closed'))).toEqual({ retry: true, refreshMetadata: true });
  });

  it('retries NOT_LEADER_OR_FOLLOWER after a metadata refresh', () => {
    expect(shouldRetry(new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER))).toEqual({
      retry: true,
      refreshMetadata: true,
    });
  });

  it('retries a request timeout without a refresh', () => {
    expect(shouldRetry(new KafkaError(ErrorCode.REQUEST_TIMED_OUT))).toEqual({
      retry: true,
      refreshMetadata: false,
    });
    expect(shouldRetry(new TimeoutError('slow'))).toEqual({ retry: true, refreshMetadata: false });
  });

  it('never retries non-retriable broker errors, bad bytes, bad config or foreign errors', () => {
    for (const e of [
      new KafkaError(ErrorCode.MESSAGE_TOO_LARGE),
      new ProtocolError('bad'),
      new ConfigError('acks', 'bad'),
      new TypeError('bug'),
    ]) {
      expect(shouldRetry(e).retry).toBe(false);
    }
  });

  it('backs off exponentially with jitter, capped at the maximum', () => {
    const o = { retryBackoffMs: 100, retryBackoffMaxMs: 1000 };
    expect(backoffMs(0, o, () => 0.5)).toBe(100);
    expect(backoffMs(1, o, () => 0.5)).toBe(200);
    expect(backoffMs(3, o, () => 0.5)).toBe(800);
    expect(backoffMs(10, o, () => 0.5)).toBe(1000);
    expect(backoffMs(0, o, () => 0)).toBe(80);
    expect(backoffMs(50, o, () => 0.999)).toBeLessThanOrEqual(1000);
  });
});
