/**
 * The built CLI against the secured broker: produce, consume in a group and topics with a Java
 * client .properties file (--command-config), the security flags with the password from the
 * environment, acls list|create|delete, and the refusals (a secret on the command line, a JKS
 * truststore, a wrong password) — with no password in any output.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist, CLI_ENTRY } from '../../harness/build.js';
import { uniqueTopic } from '../../harness/kafka.js';
import type { SecureBroker } from '../../harness/secure-broker.js';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kw(
  args: string[],
  options: { input?: string; env?: Record<string, string | undefined> } = {},
): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.KAFKA_BROKERS;
  delete env.KAFKAWIRE_SASL_PASSWORD;
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kafkawire ${args.join(' ')} still running after 30 s\nstderr: ${stderr}`));
    }, 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function cliSuite(broker: () => SecureBroker): void {
  describe('the CLI against the secured broker', () => {
    let dir = '';
    let config = '';
    const outputs: string[] = [];
    const run = async (args: string[], options?: Parameters<typeof kw>[1]) => {
      const r = await kw(args, options);
      outputs.push(r.stdout, r.stderr);
      return r;
    };

    beforeAll(async () => {
      await buildDist();
      dir = await mkdtemp(join(tmpdir(), 'kafkawire-cli-sec-'));
      const b = broker();
      config = join(dir, 'client.properties');
      // As a Java client would have it, continuation lines and serializer settings included.
      await writeFile(
        config,
        [
          '# a managed-service style client config',
          `bootstrap.servers=${b.saslSsl}`,
          'security.protocol=SASL_SSL',
          'sasl.mechanism=SCRAM-SHA-256',
          'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\',
          `    username="${b.users.admin.username}" \\`,
          `    password="${b.users.admin.password}";`,
          'ssl.truststore.type=PEM',
          `ssl.truststore.location=${b.caPath}`,
          'key.serializer=org.apache.kafka.common.serialization.StringSerializer',
          'value.serializer=org.apache.kafka.common.serialization.StringSerializer',
          'client.dns.lookup=use_all_dns_ips',
          '',
        ].join('\n'),
      );
    }, 120_000);

    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
      const b = broker();
      const all = outputs.join('\n');
      for (const u of Object.values(b.users)) expect(all).not.toContain(u.password);
    });

    it('creates, lists and describes topics, produces and consumes in a group with --command-config', async () => {
      const topic = uniqueTopic('cli-sec');
      const group = uniqueTopic('cli-group');
      const created = await run(['topics', 'create', topic, '--partitions', '2', '--command-config', config]);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stderr).toBe(
        'kafkawire: warning: ignoring client.dns.lookup from --command-config (not a kafkawire client option)\n',
      );
      const listed = await run(['--command-config', config, 'topics', 'list']);
      expect(listed.stdout.split('\n')).toContain(topic);
      expect(listed.stderr).toMatch(/warning: ignoring client.dns.lookup/);
      const described = await run(['topics', 'describe', topic, '--command-config', config]);
      expect(described.code).toBe(0);
      const lines = Array.from({ length: 50 }, (_, i) => `line-${i}`);
      const produced = await run(['produce', '-t', topic, '--command-config', config], {
        input: `${lines.join('\n')}\n`,
      });
      expect(produced.code, produced.stderr).toBe(0);
      const consumed = await run([
        'consume',
        '-t',
        topic,
        '--group',
        group,
        '--from',
        'earliest',
        '--exit-at-end',
        '--command-config',
        config,
        '-X',
        'fetch.max.wait.ms=100',
      ]);
      expect(consumed.code, consumed.stderr).toBe(0);
      expect(consumed.stdout.trim().split('\n').sort()).toEqual([...lines].sort());
    });

    it('takes the security flags with the password from KAFKAWIRE_SASL_PASSWORD', async () => {
      const b = broker();
      const flags = [
        '-b',
        b.saslSsl,
        '--security-protocol',
        'SASL_SSL',
        '--sasl-mechanism',
        'PLAIN',
        '--sasl-username',
        'admin',
        '-X',
        `ssl.truststore.location=${b.caPath}`,
      ];
      const ok = await run(['topics', 'list', ...flags], {
        env: { KAFKAWIRE_SASL_PASSWORD: b.users.admin.password },
      });
      expect(ok.code, ok.stderr).toBe(0);
      // No password anywhere and no terminal to ask on: a usage error, nothing sent.
      const none = await run(['topics', 'list', ...flags]);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/no password for admin: set \$KAFKAWIRE_SASL_PASSWORD/);
      const wrong = await run(['cluster', ...flags], {
        env: { KAFKAWIRE_SASL_PASSWORD: 'Not-The-Password-1' },
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/PLAIN authentication failed/);
      expect(wrong.stderr).not.toContain('Not-The-Password-1');
    });

    it('refuses a secret on the command line, a JKS truststore and an unknown -X option', async () => {
      const b = broker();
      const secret = await run([
        'topics',
        'list',
        '-b',
        b.saslSsl,
        '-X',
        'sasl.jaas.config=x required password="p";',
      ]);
      expect(secret.code).toBe(2);
      expect(secret.stderr).toMatch(/secrets are not taken from the command line/);
      const jks = join(dir, 'truststore.jks');
      await writeFile(jks, Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]));
      const notPem = await run([
        'topics',
        'list',
        '--command-config',
        config,
        '-X',
        `ssl.truststore.location=${jks}`,
        '-X',
        'ssl.truststore.type=JKS',
      ]);
      expect(notPem.code).toBe(2);
      expect(notPem.stderr).toMatch(
        /not PEM \(type JKS\); kafkawire reads PEM only.*keytool -exportcert -rfc/,
      );
      const typo = await run(['topics', 'list', '--command-config', config, '-X', 'linger.mss=5']);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toMatch(
        /-X linger.mss: not a client option kafkawire knows \(did you mean lingerMs\?\)/,
      );
    });

    it('lists, creates and deletes ACLs', async () => {
      const topic = uniqueTopic('cli-acl');
      const created = await run([
        'acls',
        'create',
        '--principal',
        'User:bob',
        '--operation',
        'read',
        '--operation',
        'describe',
        '--topic',
        topic,
        '--command-config',
        config,
      ]);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/Created 2 ACLs/);
      const listed = await run(['acls', 'list', '--topic', topic, '--json', '--command-config', config]);
      expect(JSON.parse(listed.stdout)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ principal: 'User:bob', operation: 'read', resourceName: topic }),
          expect.objectContaining({ principal: 'User:bob', operation: 'describe', resourceName: topic }),
        ]),
      );
      const refused = await run(['acls', 'delete', '--command-config', config]);
      expect(refused.code).toBe(2);
      const deleted = await run(['acls', 'delete', '--topic', topic, '--command-config', config]);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(deleted.stdout).toMatch(/Deleted 2 ACLs/);
      const after = await run(['acls', 'list', '--topic', topic, '--command-config', config]);
      expect(after.stdout).toBe('No ACLs.\n');
    });
  });
}
