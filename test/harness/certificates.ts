/**
 * Test certificates made with openssl (EC P-256, valid 3 days) into a folder: a CA, a broker
 * certificate for IP 127.0.0.1 and DNS localhost, a client certificate (CN=mtls-client) whose
 * key is encrypted with CLIENT_KEY_PASSPHRASE, and an unrelated CA. Used by the secured test
 * broker (secure-broker.ts) and by the benchmark's TLS listener (bench/lib/broker.ts).
 *
 * Files: ca.pem, other-ca.pem, broker.pem + broker.key, broker-keystore.pem (Kafka's PEM
 * keystore: key then chain), client.pem, client.key, client-encrypted.key.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CLIENT_KEY_PASSPHRASE = 'client-key-Pa55phrase';

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/** The CA, the broker's and the client's certificates, and an unrelated CA, in `dir`. */
export async function makeCertificates(dir: string): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = [
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ];
  await Promise.all([
    openssl(
      dir,
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3',
      '-subj',
      '/CN=kafkawire test CA',
      ...ca,
    ),
    openssl(
      dir,
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'other-ca.key',
      '-out',
      'other-ca.pem',
      '-days',
      '3',
      '-subj',
      '/CN=some other CA',
      ...ca,
    ),
  ]);
  const leaf = (name: string, subject: string, ext: string[]) =>
    openssl(
      dir,
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '3',
      '-subj',
      subject,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-addext',
      'basicConstraints=CA:FALSE',
      ...ext,
    );
  await Promise.all([
    leaf('broker', '/O=kafkawire/CN=localhost', [
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext',
      'extendedKeyUsage=serverAuth,clientAuth',
    ]),
    leaf('client', '/O=kafkawire/CN=mtls-client', ['-addext', 'extendedKeyUsage=clientAuth']),
  ]);
  // The broker's PEM keystore: its key (PKCS#8, unencrypted) then its certificate chain.
  const [brokerKey, brokerCert] = await Promise.all([
    readFile(join(dir, 'broker.key'), 'utf8'),
    readFile(join(dir, 'broker.pem'), 'utf8'),
  ]);
  await writeFile(join(dir, 'broker-keystore.pem'), `${brokerKey}${brokerCert}`);
  // The client's key encrypted with a passphrase (PKCS#8, AES-256), as mTLS setups often ship it.
  await openssl(
    dir,
    'pkcs8',
    '-topk8',
    '-in',
    'client.key',
    '-out',
    'client-encrypted.key',
    '-v2',
    'aes-256-cbc',
    '-passout',
    `pass:${CLIENT_KEY_PASSPHRASE}`,
  );
}
