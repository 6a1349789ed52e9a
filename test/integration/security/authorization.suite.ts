/**
 * Authorization against the StandardAuthorizer: what a principal may not do fails with a typed,
 * non-retriable AuthorizationError naming the resource, and only the calls about that resource
 * fail; ACLs created and deleted through the admin API change what another client may do.
 */
import { describe, expect, it } from 'vitest';
import { Admin, Consumer, Producer } from '../../../src/index.js';
import { AuthorizationError, KafkaError, TransactionFatalError } from '../../../src/protocol/errors.js';
import { uniqueTopic } from '../../harness/kafka.js';
import type { SecureBroker } from '../../harness/secure-broker.js';
import { grant, revokeAll } from './acls.js';
import { createSecureTopic, saslClient } from './clients.js';

export function authorizationSuite(broker: () => SecureBroker): void {
  describe('authorization', () => {
    it('fails sends to a topic without WRITE with TOPIC_AUTHORIZATION_FAILED while the same producer keeps writing another', async () => {
      const b = broker();
      const [allowed, describeOnly, hidden] = await Promise.all([
        createSecureTopic(b, 'authz-ok'),
        createSecureTopic(b, 'authz-describe'),
        createSecureTopic(b, 'authz-hidden'),
      ]);
      await grant(b, 'User:alice', [
        { resourceType: 'topic', resourceName: allowed, operation: 'write' },
        { resourceType: 'topic', resourceName: allowed, operation: 'describe' },
        { resourceType: 'topic', resourceName: describeOnly, operation: 'describe' },
      ]);
      const producer = new Producer({
        ...saslClient(b, 'SCRAM-SHA-256', 'alice'),
        deliveryTimeoutMs: 60_000,
      });
      try {
        const started = Date.now();
        const sends = Array.from({ length: 60 }, (_, i) =>
          producer.send({ topic: [allowed, describeOnly, hidden][i % 3], value: `m${i}` }).then(
            (md) => ({ ok: true as const, md }),
            (err: unknown) => ({ ok: false as const, err }),
          ),
        );
        const results = await Promise.all(sends);
        // Refused at once, not after deliveryTimeoutMs: the error is not retriable.
        expect(Date.now() - started).toBeLessThan(15_000);
        for (const [i, r] of results.entries()) {
          const topic = [allowed, describeOnly, hidden][i % 3];
          if (topic === allowed) {
            expect(r.ok, `send ${i} to ${topic}`).toBe(true);
            continue;
          }
          expect(r.ok, `send ${i} to ${topic}`).toBe(false);
          const err = (r as { err: unknown }).err as AuthorizationError;
          expect(err).toBeInstanceOf(AuthorizationError);
          expect(err.type).toBe('TOPIC_AUTHORIZATION_FAILED');
          expect(err.retriable).toBe(false);
          expect(err.resourceType).toBe('topic');
          expect(err.resourceName).toBe(topic);
          expect(err.message).toContain(`topic ${topic}`);
        }
        // And it goes on working for the allowed topic afterwards.
        await expect(producer.send({ topic: allowed, value: 'after' })).resolves.toMatchObject({
          topic: allowed,
        });
      } finally {
        await producer.close();
      }
    });

    it('fails a group consumer without READ on its group with GROUP_AUTHORIZATION_FAILED naming the group', async () => {
      const b = broker();
      const topic = await createSecureTopic(b, 'authz-group');
      const groupId = uniqueTopic('no-read-group');
      await grant(b, 'User:bob', [
        { resourceType: 'topic', resourceName: topic, operation: 'read' },
        { resourceType: 'topic', resourceName: topic, operation: 'describe' },
      ]);
      const consumer = new Consumer({
        ...saslClient(b, 'PLAIN', 'bob'),
        groupId,
        autoOffsetReset: 'earliest',
      });
      try {
        consumer.subscribe([topic]);
        const started = Date.now();
        const err = (await consumer
          .poll({ timeoutMs: 5_000 })
          .catch((e: unknown) => e)) as AuthorizationError;
        expect(err).toBeInstanceOf(AuthorizationError);
        expect(err.type).toBe('GROUP_AUTHORIZATION_FAILED');
        expect(err.resourceType).toBe('group');
        expect(err.resourceName).toBe(groupId);
        expect(err.message).toContain(`group ${groupId}`);
        expect(Date.now() - started).toBeLessThan(10_000);
      } finally {
        await consumer.close();
        await revokeAll(b, 'User:bob');
      }
    });

    it('fails initTransactions without WRITE on the transactional id with TRANSACTIONAL_ID_AUTHORIZATION_FAILED naming it, and works once granted', async () => {
      const b = broker();
      const topic = await createSecureTopic(b, 'authz-txn');
      const transactionalId = uniqueTopic('authz-txn-id');
      const principal = 'User:bob';
      await grant(b, principal, [
        { resourceType: 'topic', resourceName: topic, operation: 'write' },
        { resourceType: 'topic', resourceName: topic, operation: 'describe' },
      ]);
      const refused = new Producer({ ...saslClient(b, 'PLAIN', 'bob'), transactionalId });
      try {
        const started = Date.now();
        // Fatal for this producer (Java: TransactionalIdAuthorizationException), the
        // AuthorizationError naming the id as its cause.
        const fatal = (await refused.initTransactions().catch((e: unknown) => e)) as TransactionFatalError;
        expect(fatal).toBeInstanceOf(TransactionFatalError);
        const err = fatal.cause as AuthorizationError;
        expect(err).toBeInstanceOf(AuthorizationError);
        expect(err.type).toBe('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
        expect(err.retriable).toBe(false);
        expect(err.resourceType).toBe('transactionalId');
        expect(err.resourceName).toBe(transactionalId);
        expect(err.message).toContain(transactionalId);
        expect(fatal.message).toContain(transactionalId);
        // Refused at once, not retried until maxBlockMs.
        expect(Date.now() - started).toBeLessThan(10_000);
        await refused.close();

        await grant(b, principal, [
          { resourceType: 'topic', resourceName: topic, operation: 'write' },
          { resourceType: 'topic', resourceName: topic, operation: 'describe' },
          { resourceType: 'transactionalId', resourceName: transactionalId, operation: 'write' },
          { resourceType: 'transactionalId', resourceName: transactionalId, operation: 'describe' },
        ]);
        const allowed = new Producer({ ...saslClient(b, 'PLAIN', 'bob'), transactionalId });
        try {
          await allowed.initTransactions();
          allowed.beginTransaction();
          const sent = allowed.send({ topic, value: 'in a transaction' });
          await allowed.commitTransaction();
          await expect(sent).resolves.toMatchObject({ topic });
        } finally {
          await allowed.close();
        }
      } finally {
        await refused.close().catch(() => {});
        await revokeAll(b, principal);
      }
    });

    it('lets ACLs created and deleted through the admin API change what another client may do', async () => {
      const b = broker();
      const topic = await createSecureTopic(b, 'acl-flow');
      const carol = 'User:bob';
      const bob = new Producer({ ...saslClient(b, 'SCRAM-SHA-512', 'bob'), maxBlockMs: 5_000 });
      const admin = new Admin(saslClient(b, 'SCRAM-SHA-512'));
      try {
        const before = await bob.send({ topic, value: 'denied' }).catch((e: unknown) => e);
        expect(before).toBeInstanceOf(AuthorizationError);

        const created = await admin.createAcls([
          { resourceType: 'topic', resourceName: topic, principal: carol, operation: 'write' },
          { resourceType: 'topic', resourceName: topic, principal: carol, operation: 'describe' },
        ]);
        expect(created.map((c) => c.error)).toEqual([null, null]);
        const listed = await admin.describeAcls({ resourceType: 'topic', resourceName: topic });
        expect(listed).toEqual(
          expect.arrayContaining([
            {
              resourceType: 'topic',
              resourceName: topic,
              patternType: 'literal',
              principal: carol,
              host: '*',
              operation: 'write',
              permissionType: 'allow',
            },
            {
              resourceType: 'topic',
              resourceName: topic,
              patternType: 'literal',
              principal: carol,
              host: '*',
              operation: 'describe',
              permissionType: 'allow',
            },
          ]),
        );
        expect(listed).toHaveLength(2);
        expect(
          await admin.describeAcls({ resourceType: 'topic', resourceName: topic, operation: 'write' }),
        ).toHaveLength(1);
        expect(await admin.describeAcls({ resourceType: 'group', resourceName: topic })).toEqual([]);

        // The authorizer applies ACLs shortly after they are created: retry until it does.
        let allowed: unknown;
        for (let i = 0; i < 50; i++) {
          allowed = await bob.send({ topic, value: `allowed-${i}` }).catch((e: unknown) => e);
          if (!(allowed instanceof AuthorizationError)) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(allowed).toMatchObject({ topic, partition: 0 });

        const [deleted] = await admin.deleteAcls([
          { resourceType: 'topic', resourceName: topic, principal: carol, operation: 'write' },
        ]);
        expect(deleted.error).toBeNull();
        expect(deleted.deleted).toEqual([
          expect.objectContaining({ resourceName: topic, principal: carol, operation: 'write', error: null }),
        ]);
        let denied: unknown;
        for (let i = 0; i < 50; i++) {
          denied = await bob.send({ topic, value: `again-${i}` }).catch((e: unknown) => e);
          if (denied instanceof AuthorizationError) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(denied).toBeInstanceOf(AuthorizationError);
        expect((denied as AuthorizationError).resourceName).toBe(topic);
      } finally {
        await bob.close();
        await admin.close();
        await revokeAll(b, carol);
      }
    });

    it('refuses ACL changes by a principal without ALTER on the cluster, per ACL', async () => {
      const b = broker();
      const admin = new Admin(saslClient(b, 'PLAIN', 'alice'));
      try {
        const [r] = await admin.createAcls([
          { resourceType: 'topic', resourceName: 'x', principal: 'User:alice', operation: 'all' },
        ]);
        expect(r.error).toBeInstanceOf(AuthorizationError);
        expect(r.error?.type).toBe('CLUSTER_AUTHORIZATION_FAILED');
        const err = await admin.describeAcls({}).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(KafkaError);
        expect((err as KafkaError).type).toBe('CLUSTER_AUTHORIZATION_FAILED');
      } finally {
        await admin.close();
      }
    });
  });
}
