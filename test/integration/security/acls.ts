/** Granting ACLs as the super user and waiting until the authorizer shows them. */

import type { AclBinding } from '../../../src/admin/acls.js';
import { Admin } from '../../../src/index.js';
import type { SecureBroker } from '../../harness/secure-broker.js';
import { saslClient } from './clients.js';

type Grant = Omit<AclBinding, 'principal'>;

async function asAdmin<T>(b: SecureBroker, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(saslClient(b, 'SCRAM-SHA-512'));
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

/** Allows `principal` these operations; resolves once describeAcls lists every one. */
export async function grant(b: SecureBroker, principal: string, grants: Grant[]): Promise<void> {
  await asAdmin(b, async (admin) => {
    const results = await admin.createAcls(grants.map((g) => ({ ...g, principal })));
    for (const r of results) if (r.error) throw r.error;
    await waitForAcls(admin, principal, (n) => n >= grants.length);
  });
}

/** Removes every ACL of `principal`; resolves once none is listed. */
export async function revokeAll(b: SecureBroker, principal: string): Promise<void> {
  await asAdmin(b, async (admin) => {
    const [r] = await admin.deleteAcls([{ principal }]);
    if (r.error) throw r.error;
    await waitForAcls(admin, principal, (n) => n === 0);
  });
}

async function waitForAcls(admin: Admin, principal: string, done: (count: number) => boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (done((await admin.describeAcls({ principal })).length)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ACLs of ${principal} did not settle`);
}
