/**
 * kafkaError(): the *_AUTHORIZATION_FAILED codes become AuthorizationErrors naming the resource;
 * every other code stays a plain KafkaError.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { AuthorizationError, KafkaError, kafkaError } from '../../src/protocol/errors.js';

describe('kafkaError', () => {
  it.each([
    [
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      { topic: 'orders', partition: 3 },
      'topic',
      'orders',
      'topic orders, partition 3',
    ],
    [ErrorCode.GROUP_AUTHORIZATION_FAILED, { group: 'billing' }, 'group', 'billing', 'group billing'],
    [
      ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      { transactionalId: 'tx-1' },
      'transactionalId',
      'tx-1',
      'transactional id tx-1',
    ],
    [ErrorCode.CLUSTER_AUTHORIZATION_FAILED, { broker: 'b:9092' }, 'cluster', undefined, 'broker b:9092'],
  ] as const)(
    'makes code %i a non-retriable AuthorizationError naming the resource',
    (code, context, type, name, where) => {
      const err = kafkaError(code, context);
      expect(err).toBeInstanceOf(AuthorizationError);
      expect(err).toBeInstanceOf(KafkaError);
      expect(err.retriable).toBe(false);
      expect(err.code).toBe(code);
      expect((err as AuthorizationError).resourceType).toBe(type);
      expect((err as AuthorizationError).resourceName).toBe(name);
      expect(err.message).toContain(`[${where}]`);
      expect(err.name).toBe('AuthorizationError');
    },
  );

  it('leaves other codes plain KafkaErrors', () => {
    const err = kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, { topic: 't' });
    expect(err).not.toBeInstanceOf(AuthorizationError);
    expect(err.retriable).toBe(true);
  });
});
