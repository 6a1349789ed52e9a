/**
 * The `kafkawire` command-line tool as users run it: the built binary (dist/cli/main.js, built
 * once in beforeAll) spawned with KAFKA_BROKERS pointing at the test broker, fed on stdin, and
 * judged by its stdout, stderr and exit code.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { Consumer } from '../../src/index.js';
import { buildDist, CLI_ENTRY } from '../harness/build.js';
import { brokers, kafkaMajor, uniqueTopic } from '../harness/kafka.js';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface RunOptions {
  input?: string;
  /** Overrides of the child's environment; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

function start(args: string[], options: RunOptions = {}): { child: ChildProcess; done: Promise<Result> } {
  const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_BROKERS: brokers() };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const started = Date.now();
  const child = spawn(process.execPath, [CLI_ENTRY, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin?.end(options.input ?? '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const done = new Promise<Result>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kafkawire ${args.join(' ')} still running after ${timeoutMs} ms\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
  return { child, done };
}

/** Runs the CLI to completion. */
function kw(args: string[], options: RunOptions = {}): Promise<Result> {
  return start(args, options).done;
}

/** Runs the CLI and expects exit 0, showing stderr when it is not. */
async function ok(args: string[], options: RunOptions = {}): Promise<Result> {
  const r = await kw(args, options);
  expect(r.code, `kafkawire ${args.join(' ')}\nstderr: ${r.stderr}`).toBe(0);
  return r;
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

/** The one error line: exactly one line on stderr, starting with `kafkawire: error: `. */
function errorLine(r: Result): string {
  const all = lines(r.stderr);
  expect(all, r.stderr).toHaveLength(1);
  expect(all[0]).toMatch(/^kafkawire: error: /);
  return all[0];
}

async function createTopic(partitions = 1): Promise<string> {
  const topic = uniqueTopic('cli');
  await ok(['topics', 'create', topic, '--partitions', String(partitions)]);
  return topic;
}

beforeAll(async () => {
  await buildDist();
}, 240_000);

describe('kafkawire CLI', () => {
  it('prints its version and every help without needing brokers', async () => {
    const env = { KAFKA_BROKERS: undefined };
    expect((await ok(['--version'], { env })).stdout).toMatch(/^kafkawire \d+\.\d+\.\d+\n$/);
    expect((await ok(['--help'], { env })).stdout).toContain('Usage: kafkawire');
    for (const cmd of ['produce', 'consume', 'topics', 'configs', 'groups', 'cluster', 'bench']) {
      const r = await ok([cmd, '--help'], { env });
      expect(r.stdout).toContain(`kafkawire ${cmd}`);
      expect(r.stderr).toBe('');
    }
    expect((await ok(['help', 'consume'], { env })).stdout).toContain('--exit-at-end');
    expect((await ok(['topics', 'create', '--help'], { env })).stdout).toContain('--replication-factor');
  });

  it('produces stdin lines with keys and headers, and consumes them back as kv and json', async () => {
    const topic = await createTopic(1);
    const input = 'k1:hello\nk2:world with spaces\nk3:{"n":3}\n';
    const p = await ok(['produce', '-t', topic, '-k', ':', '-H', 'source=cli', '-H', 'trace=a=b'], { input });
    expect(p.stdout).toBe('');
    expect(p.stderr).toMatch(
      new RegExp(
        `^kafkawire: produced 3 records \\(\\d+ bytes\\) to ${topic} in [\\d.]+ s, \\d+ records/s\\n$`,
      ),
    );

    const kv = await ok(['consume', '-t', topic, '-e', '--format', 'kv', '-k', '\\t']);
    expect(kv.stdout).toBe('k1\thello\nk2\tworld with spaces\nk3\t{"n":3}\n');
    expect((await ok(['consume', '-t', topic, '-e'])).stdout).toBe('hello\nworld with spaces\n{"n":3}\n');

    const json = await ok(['consume', '-t', topic, '-e', '--format', 'json']);
    const records = lines(json.stdout).map((l) => JSON.parse(l));
    expect(records).toHaveLength(3);
    expect(records[0]).toEqual({
      topic,
      partition: 0,
      offset: '0',
      timestamp: expect.any(Number),
      key: 'k1',
      value: 'hello',
      headers: [
        { key: 'source', value: 'cli' },
        { key: 'trace', value: 'a=b' },
      ],
    });
    expect(records.map((r) => [r.offset, r.key, r.value])).toEqual([
      ['0', 'k1', 'hello'],
      ['1', 'k2', 'world with spaces'],
      ['2', 'k3', '{"n":3}'],
    ]);
  });

  it('produces from a file to one partition with acks, compression and linger, validating JSON lines', async () => {
    const topic = await createTopic(3);
    const input = '{"a":1}\n\n[1,2]\n"s"\n';
    const r = await ok(
      ['produce', '-t', topic, '--json', '-p', '2', '--acks', '1', '--compression', 'gzip', '--linger', '0'],
      { input },
    );
    const summary = JSON.parse(r.stderr);
    expect(summary.produced).toMatchObject({ topic, records: 3, interrupted: false });
    const out = await ok(['consume', '-t', topic, '-p', '2', '-e']);
    expect(out.stdout).toBe('{"a":1}\n[1,2]\n"s"\n');
    expect((await ok(['consume', '-t', topic, '-p', '0', '-e'])).stdout).toBe('');
  });

  it('starts consuming at an offset or a timestamp, and stops after a count', async () => {
    const topic = await createTopic(1);
    await ok(['produce', '-t', topic], { input: 'a\nb\n' });
    const between = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    await ok(['produce', '-t', topic], { input: 'c\nd\n' });
    expect((await ok(['consume', '-t', topic, '--from', '1', '-e'])).stdout).toBe('b\nc\nd\n');
    expect((await ok(['consume', '-t', topic, '--from', `@${between}`, '-e'])).stdout).toBe('c\nd\n');
    expect((await ok(['consume', '-t', topic, '--from', 'latest', '-e'])).stdout).toBe('');
    expect((await ok(['consume', '-t', topic, '-c', '3'])).stdout).toBe('a\nb\nc\n');
  });

  it('creates, lists, describes, grows and deletes topics', async () => {
    const topic = uniqueTopic('cli-topics');
    const created = await ok([
      'topics',
      'create',
      topic,
      '--partitions',
      '2',
      '--replication-factor',
      '1',
      '--config',
      'retention.ms=3600000',
    ]);
    expect(created.stdout).toBe(`Created topic ${topic} with 2 partitions, replication factor 1.\n`);
    expect(lines((await ok(['topics', 'list'])).stdout)).toContain(topic);
    // --json is JSON lines: one compact object per topic.
    const listedTopics = lines((await ok(['topics', 'list', '--json'])).stdout).map((l) => JSON.parse(l));
    expect(listedTopics).toContainEqual({ topic });

    const text = (await ok(['topics', 'describe', topic])).stdout;
    expect(text).toContain(`Topic: ${topic}`);
    expect(text).toContain('Partitions: 2');
    expect(text).toContain('retention.ms=3600000');
    expect(text).toMatch(/PARTITION\s+LEADER\s+REPLICAS\s+ISR/);

    const grown = await ok(['topics', 'add-partitions', topic, '--partitions', '5']);
    expect(grown.stdout).toBe(`Topic ${topic} now has 5 partitions.\n`);
    const d = JSON.parse((await ok(['topics', 'describe', topic, '--json'])).stdout);
    expect(d.topic).toBe(topic);
    expect(d.partitions.map((p: { partition: number }) => p.partition)).toEqual([0, 1, 2, 3, 4]);
    expect(d.partitions[0]).toMatchObject({
      earliestOffset: '0',
      latestOffset: '0',
      replicas: [expect.any(Number)],
    });
    expect(d.configs).toEqual({ 'retention.ms': '3600000' });

    const shrink = await kw(['topics', 'add-partitions', topic, '--partitions', '3']);
    expect(shrink.code).toBe(1);
    expect(errorLine(shrink)).toContain('INVALID_PARTITIONS');
    const again = await kw(['topics', 'create', topic]);
    expect(again.code).toBe(1);
    expect(errorLine(again)).toContain('TOPIC_ALREADY_EXISTS');

    expect((await ok(['topics', 'delete', topic])).stdout).toBe(`Deleted topic ${topic}.\n`);
    expect(lines((await ok(['topics', 'list'])).stdout)).not.toContain(topic);
    const gone = await kw(['topics', 'delete', topic]);
    expect(gone.code).toBe(1);
    expect(errorLine(gone)).toContain(`topic '${topic}' does not exist`);
  });

  it('consumes in a KIP-848 group with -X group.protocol=consumer and describes it with the broker-side assignment', async () => {
    if (kafkaMajor() < 4) return; // 3.x: no consumer protocol (consumer-protocol.test.ts checks its error)
    const topic = await createTopic(2);
    const group = uniqueTopic('cli-848');
    await ok(['produce', '-t', topic, '-p', '0'], { input: 'a\nb\n' });
    expect(
      (await ok(['consume', '-t', topic, '-g', group, '-c', '2', '-X', 'group.protocol=consumer'])).stdout,
    ).toBe('a\nb\n');
    const member = new Consumer({ bootstrapServers: brokers(), groupId: group, groupProtocol: 'consumer' });
    try {
      member.subscribe([topic]);
      const until = Date.now() + 30_000;
      while (member.assignment().length < 2 && Date.now() < until) await member.poll({ timeoutMs: 200 });
      const described = JSON.parse((await ok(['groups', 'describe', group, '--json'])).stdout);
      expect(described).toMatchObject({
        group,
        state: 'Stable',
        protocolType: 'consumer',
        protocol: 'uniform',
      });
      expect(described.members).toHaveLength(1);
      expect([...described.members[0].assignment].sort()).toEqual([`${topic}-0`, `${topic}-1`]);
      const text = (await ok(['groups', 'describe', group])).stdout;
      expect(text).toContain('Protocol: consumer/uniform');
      expect(text).toMatch(/MEMBER\s+INSTANCE\s+CLIENT-ID\s+HOST\s+EPOCH\s+PARTITIONS\s+TARGET/);
    } finally {
      await member.close();
    }
    // What the CLI consumer committed under the consumer protocol holds.
    expect(JSON.parse((await ok(['groups', 'lag', group, '--json'])).stdout).total).toBe('0');
  });

  it('consumes with a group, commits only what it printed, and lists, describes, lags and resets the group', async () => {
    const topic = await createTopic(1);
    const group = uniqueTopic('cli-group');
    await ok(['produce', '-t', topic], {
      input: `${Array.from({ length: 10 }, (_, i) => `r${i}`).join('\n')}\n`,
    });

    expect((await ok(['consume', '-t', topic, '-g', group, '-c', '3'])).stdout).toBe('r0\nr1\nr2\n');
    const lag = JSON.parse((await ok(['groups', 'lag', group, '--json'])).stdout);
    expect(lag).toEqual({
      group,
      total: '7',
      partitions: [{ topic, partition: 0, committed: '3', logEndOffset: '10', lag: '7' }],
    });
    const lagText = (await ok(['groups', 'lag', group])).stdout;
    expect(lagText).toMatch(new RegExp(`${topic}\\s+0\\s+3\\s+10\\s+7`));
    expect(lagText).toContain('Total lag: 7');

    // The next member of the group goes on where the first one stopped.
    expect(lines((await ok(['consume', '-t', topic, '-g', group, '-e'])).stdout)).toEqual([
      'r3',
      'r4',
      'r5',
      'r6',
      'r7',
      'r8',
      'r9',
    ]);
    expect(JSON.parse((await ok(['groups', 'lag', group, '--json'])).stdout).total).toBe('0');

    const listed = lines((await ok(['groups', 'list', '--json'])).stdout).map((l) => JSON.parse(l));
    expect(listed).toContainEqual({ groupId: group, protocolType: 'consumer', state: 'Empty' });
    expect((await ok(['groups', 'list'])).stdout).toMatch(new RegExp(`${group}\\s+Empty\\s+consumer`));
    const described = JSON.parse((await ok(['groups', 'describe', group, '--json'])).stdout);
    expect(described).toMatchObject({ group, state: 'Empty', protocolType: 'consumer', members: [] });

    const reset = await ok(['groups', 'reset', group, '-t', topic, '--to', '4']);
    expect(reset.stdout).toMatch(new RegExp(`${topic}\\s+0\\s+10\\s+4`));
    expect((await ok(['consume', '-t', topic, '-g', group, '-e'])).stdout).toBe('r4\nr5\nr6\nr7\nr8\nr9\n');
    await ok(['groups', 'reset', group, '-t', topic, '--to', 'earliest']);
    expect(JSON.parse((await ok(['groups', 'lag', group, '--json'])).stdout).total).toBe('10');
    const past = JSON.parse(
      (await ok(['groups', 'reset', group, '-t', topic, '--to', '99', '--json'])).stdout,
    );
    expect(past.partitions[0]).toMatchObject({ offset: '10', previous: '0' });

    const missing = await kw(['groups', 'describe', uniqueTopic('no-such-group')]);
    expect(missing.code).toBe(1);
    expect(errorLine(missing)).toContain('GROUP_ID_NOT_FOUND');
  });

  it('stops a group consumer on SIGINT, commits and exits 0; the group shows the member while it runs', async () => {
    const topic = await createTopic(2);
    const group = uniqueTopic('cli-sigint');
    await ok(['produce', '-t', topic, '-k', '='], { input: 'a=1\nb=2\nc=3\nd=4\n' });
    const run = start(['consume', '-t', topic, '-g', group], { timeoutMs: 60_000 });
    let out = '';
    run.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const until = Date.now() + 30_000;
    while (lines(out).length < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(lines(out).sort()).toEqual(['1', '2', '3', '4']);

    const described = JSON.parse((await ok(['groups', 'describe', group, '--json'])).stdout);
    expect(described.state).toBe('Stable');
    expect(described.members).toHaveLength(1);
    expect(described.members[0]).toMatchObject({ clientId: 'kafkawire-cli' });
    expect([...described.members[0].assignment].sort()).toEqual([`${topic}-0`, `${topic}-1`]);
    const busy = await kw(['groups', 'reset', group, '-t', topic, '--to', 'earliest']);
    expect(busy.code).toBe(1);
    expect(errorLine(busy)).toContain('stop its consumers');

    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse((await ok(['groups', 'lag', group, '--json'])).stdout).total).toBe('0');
  });

  it('describes the cluster: id, controller, brokers and API versions per broker', async () => {
    const text = (await ok(['cluster'])).stdout;
    expect(text).toMatch(/^Cluster id: \S+\nController: \d+\n/);
    expect(text).toMatch(/API versions of broker \d+/);
    expect(text).toMatch(/Produce\(0\): \d+ to \d+ \[usable: \d+\]/);
    const json = JSON.parse((await ok(['cluster', '--json'])).stdout);
    expect(json.clusterId).toEqual(expect.any(String));
    expect(json.brokers.length).toBeGreaterThan(0);
    const fetch = json.brokers[0].apis.find((a: { name: string }) => a.name === 'Fetch');
    expect(fetch).toMatchObject({ apiKey: 1, usable: expect.any(Number) });
    const bootstrap = brokers().split(',')[0];
    expect(json.brokers.map((b: { host: string; port: number }) => `${b.host}:${b.port}`)).toContain(
      bootstrap,
    );
  });

  it('benchmarks produce (throughput and latency percentiles) and consume (throughput)', async () => {
    const topic = await createTopic(2);
    const p = await ok(['bench', 'produce', '-t', topic, '-n', '2000', '-s', '50', '--compression', 'lz4']);
    expect(p.stdout).toContain('bench produce: 2000 records of 50 bytes');
    expect(p.stdout).toMatch(/records\/s, [\d.]+ MB\/s/);
    expect(p.stdout).toMatch(/p50 [\d.]+, p99 [\d.]+, p999 [\d.]+/);
    expect(p.stderr).toBe(''); // no progress bar when stderr is not a terminal
    const pj = JSON.parse(
      (await ok(['bench', 'produce', '-t', topic, '-n', '1000', '--acks', '1', '--json'])).stdout,
    );
    expect(pj).toMatchObject({ mode: 'produce', records: 1000, recordSize: 100, acks: '1' });
    expect(pj.latencyMs.p50).toBeLessThanOrEqual(pj.latencyMs.p99);
    expect(pj.latencyMs.p99).toBeLessThanOrEqual(pj.latencyMs.p999);

    const c = await ok(['bench', 'consume', '-t', topic, '-n', '3000']);
    expect(c.stdout).toContain('bench consume: 3000 records');
    expect(c.stdout).toMatch(/records\/s, [\d.]+ MB\/s/);
    const cj = JSON.parse((await ok(['bench', 'consume', '-t', topic, '--json'])).stdout);
    expect(cj).toMatchObject({ mode: 'consume', records: 3000, bytes: 2000 * 50 + 1000 * 100 });
    const some = JSON.parse((await ok(['bench', 'consume', '-t', topic, '-n', '100', '--json'])).stdout);
    expect(some.records).toBe(100);
  });

  it('keeps bytes intact with --encoding base64|hex, and spells nulls with --null', async () => {
    const topic = await createTopic(1);
    // Key 00 01 02, value ff; key "null", value "NULL"; a null value (a tombstone).
    await ok(['produce', '-t', topic, '-k', ':', '--encoding', 'base64'], {
      input: 'AAEC:/w==\nbnVsbA==:TlVMTA==\n',
    });
    const p = await ok(['produce', '-t', topic, '-k', ':', '--null', '-'], { input: 'gone:-\n' });
    expect(p.stderr).toContain('produced 1 record (4 bytes)');
    const hex = await ok([
      'consume',
      '-t',
      topic,
      '-e',
      '--encoding',
      'hex',
      '-f',
      'kv',
      '-k',
      ' ',
      '--null',
      'NULL',
    ]);
    expect(hex.stdout).toBe('000102 ff\n6e756c6c 4e554c4c\n676f6e65 NULL\n');
    const json = lines(
      (await ok(['consume', '-t', topic, '-e', '--format', 'json', '--encoding', 'base64'])).stdout,
    );
    expect(json.map((l) => JSON.parse(l)).map((r) => [r.key, r.value])).toEqual([
      ['AAEC', '/w=='],
      ['bnVsbA==', 'TlVMTA=='],
      ['Z29uZQ==', null],
    ]);
    const bad = await kw(['produce', '-t', topic, '--encoding', 'hex'], { input: 'abc\n' });
    expect(bad.code).toBe(1);
    expect(errorLine(bad)).toContain('line 1: the value is not valid hex');
  });

  it("formats records kcat's way with -f, and reads several topics with repeated -t", async () => {
    const one = await createTopic(1);
    const two = await createTopic(2);
    await ok(['produce', '-t', one, '-k', ':', '-H', 'h=1'], { input: 'a:x\n' });
    await ok(['produce', '-t', two, '-k', ':', '-p', '1'], { input: 'b:yy\n' });
    const f = await ok(['consume', '-t', one, '-t', two, '-e', '-f', '%t|%p|%o|%k|%s|%K|%S|%h|100%%\\n']);
    expect(lines(f.stdout).sort()).toEqual(
      [`${one}|0|0|a|x|1|1|h=1|100%`, `${two}|1|0|b|yy|1|2||100%`].sort(),
    );
    // No newline unless the format has one, as in kcat.
    expect((await ok(['consume', '-t', one, '-e', '-f', '%s'])).stdout).toBe('x');
    const group = uniqueTopic('cli-multi');
    expect(
      lines((await ok(['consume', '-t', one, '-t', two, '-g', group, '-c', '2'])).stdout).sort(),
    ).toEqual(['x', 'yy']);
    const lag = JSON.parse((await ok(['groups', 'lag', group, '-t', one, '-t', two, '--json'])).stdout);
    expect(lag.total).toBe('0');
    expect(lag.partitions).toHaveLength(3);
    const usage = await kw(['consume', '-t', one, '-t', two, '-p', '0']);
    expect(usage.code).toBe(2);
    expect(errorLine(usage)).toContain('--partition needs exactly one --topic');
    const field = await kw(['consume', '-t', one, '-f', '%q']);
    expect(field.code).toBe(2);
    expect(errorLine(field)).toContain('unknown format field %q');
  });

  it('describes several topics, creates with --if-not-exists, and prints JSON lines', async () => {
    const a = await createTopic(1);
    const b = await createTopic(2);
    const text = (await ok(['topics', 'describe', a, b])).stdout;
    expect(text).toContain(`Topic: ${a}`);
    expect(text).toContain(`Topic: ${b}`);
    const json = lines((await ok(['topics', 'describe', a, b, '--json'])).stdout).map((l) => JSON.parse(l));
    expect(json.map((d) => [d.topic, d.partitions.length])).toEqual([
      [a, 1],
      [b, 2],
    ]);
    const again = await ok(['topics', 'create', a, '--if-not-exists', '--partitions', '4']);
    expect(again.stdout).toBe(`Topic ${a} exists already (1 partition, replication factor 1).\n`);
    expect(JSON.parse((await ok(['topics', 'create', a, '--if-not-exists', '--json'])).stdout)).toMatchObject(
      {
        topic: a,
        created: false,
      },
    );
    const c = uniqueTopic('cli-ine');
    expect((await ok(['topics', 'create', c, '--if-not-exists'])).stdout).toBe(
      `Created topic ${c} with 1 partition, replication factor 1.\n`,
    );
    // Every --json output is compact: one line per object, no float noise.
    const summary = JSON.parse((await ok(['produce', '-t', a, '--json'], { input: '{"n":1}\n' })).stderr);
    expect(String(summary.produced.seconds)).toMatch(/^\d+(\.\d{1,3})?$/);
    expect(Number.isInteger(summary.produced.recordsPerSecond)).toBe(true);
    for (const out of [
      (await ok(['cluster', '--json'])).stdout,
      (await ok(['topics', 'describe', a, '--json'])).stdout,
    ]) {
      expect(lines(out)).toHaveLength(1);
    }
  });

  it('describes and alters topic configs', async () => {
    const topic = await createTopic(1);
    expect((await ok(['configs', 'describe', '-t', topic])).stdout).toBe(
      `No configs set on topic ${topic} (broker defaults apply).\n`,
    );
    const altered = await ok([
      'configs',
      'alter',
      '-t',
      topic,
      '--set',
      'retention.ms=60000',
      '--set',
      'cleanup.policy=compact',
    ]);
    expect(altered.stderr).toBe(`Altered 2 configs of topic ${topic}.\n`);
    expect(altered.stdout).toMatch(/cleanup\.policy\s+compact\s+topicConfig/);
    const described = lines((await ok(['configs', 'describe', '-t', topic, '--json'])).stdout).map((l) =>
      JSON.parse(l),
    );
    expect(described.map((d) => [d.config, d.value, d.source])).toEqual([
      ['cleanup.policy', 'compact', 'topicConfig'],
      ['retention.ms', '60000', 'topicConfig'],
    ]);
    const deleted = await ok(['configs', 'alter', '-t', topic, '--delete', 'retention.ms']);
    expect(deleted.stderr).toBe(`Altered 1 config of topic ${topic}.\n`);
    expect((await ok(['configs', 'describe', '-t', topic])).stdout).not.toContain('retention.ms');
    expect((await ok(['configs', 'describe', '-t', topic, '--all'])).stdout).toMatch(
      /retention\.ms\s+\d+\s+defaultConfig/,
    );
    const dry = await ok(['configs', 'alter', '-t', topic, '--set', 'retention.ms=1', '--dry-run']);
    expect(dry.stderr).toContain('Dry run');
    expect((await ok(['configs', 'describe', '-t', topic])).stdout).not.toContain('retention.ms');
    const refused = await kw(['configs', 'alter', '-t', topic, '--set', 'no.such.config=1']);
    expect(refused.code).toBe(1);
    expect(errorLine(refused)).toContain('INVALID_CONFIG');
    const both = await kw(['configs', 'describe', '-t', topic, '--broker', '1']);
    expect(both.code).toBe(2);
  });

  it('points unknown flags and commands at the nearest ones, and at kafkawire names for other tools', async () => {
    const env = { KAFKA_BROKERS: '127.0.0.1:1' };
    const cases: [string[], string][] = [
      [['consume', '-t', 'x', '--exitAtEnd'], "unknown option '--exitAtEnd' (did you mean --exit-at-end?)"],
      [
        ['consume', '-t', 'x', '--from-beginning'],
        "unknown option '--from-beginning' (kafkawire's is --from earliest)",
      ],
      [['topics', 'list', '--bootstrap-server', 'h:1'], "kafkawire's is --brokers (or $KAFKA_BROKERS)"],
      [['produce', '-t', 'x', '--compresion', 'lz4'], 'did you mean --compression?'],
      [['topcs', 'list'], "unknown command 'topcs' (did you mean topics?)"],
    ];
    for (const [args, message] of cases) {
      const r = await kw(args, { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(errorLine(r)).toContain(message);
    }
  });

  describe('failures: one line on stderr (or one JSON object) and an exit code scripts can trust', () => {
    it('exits 2 on an unknown flag, a missing argument or a bad value', async () => {
      const unknown = await kw(['consume', '-t', 'x', '--bogus']);
      expect(unknown.code).toBe(2);
      expect(errorLine(unknown)).toBe(
        "kafkawire: error: unknown option '--bogus' (see 'kafkawire consume --help')",
      );
      expect(unknown.stdout).toBe('');
      for (const args of [
        ['nope'],
        [],
        ['produce'],
        ['topics', 'describe'],
        ['topics', 'frob'],
        ['produce', '-t', 'x', '--acks', '2'],
        ['consume', '-t', 'x', '--from', 'yesterday'],
        ['consume', '-t', 'x', '-c', '-1'],
        ['consume', '-t', 'x', '-g', 'g', '--from', '5'],
        ['groups', 'reset', 'g', '-t', 'x'],
        ['bench', 'produce', '-t', 'x', '-n', 'many'],
      ]) {
        const r = await kw(args);
        expect(r.code, `kafkawire ${args.join(' ')}: ${r.stderr}`).toBe(2);
        errorLine(r);
      }
    });

    it('exits 2 when no broker is given', async () => {
      const r = await kw(['topics', 'list'], { env: { KAFKA_BROKERS: undefined } });
      expect(r.code).toBe(2);
      expect(errorLine(r)).toContain('no brokers given: pass --brokers');
      const bad = await kw(['topics', 'list', '--brokers', 'no-port']);
      expect(bad.code).toBe(2);
      expect(errorLine(bad)).toContain('is not host:port');
    });

    it('exits 1 when the topic does not exist, at once', async () => {
      const missing = uniqueTopic('missing');
      for (const args of [
        ['consume', '-t', missing, '-e'],
        ['produce', '-t', missing],
        ['topics', 'describe', missing],
        ['bench', 'produce', '-t', missing, '-n', '10'],
      ]) {
        const r = await kw(args, { input: 'x\n' });
        expect(r.code, r.stderr).toBe(1);
        expect(errorLine(r)).toContain(`topic '${missing}' does not exist`);
        expect(r.ms).toBeLessThan(10_000);
      }
    });

    it('exits 1 on a line that is not JSON with --json: earlier lines are sent, none after', async () => {
      const topic = await createTopic(1);
      const r = await kw(['produce', '-t', topic, '--json'], { input: '{"ok":1}\nnot json\n{"never":2}\n' });
      expect(r.code).toBe(1);
      const err = JSON.parse(r.stderr);
      expect(err.error).toMatchObject({ kind: 'input', exitCode: 1, sent: 1, acknowledged: 1 });
      expect(err.error.message).toMatch(/^line 2 is not JSON/);
      expect((await ok(['consume', '-t', topic, '-e'])).stdout).toBe('{"ok":1}\n');

      const plain = await kw(['produce', '-t', topic, '-k', '|'], { input: 'k|v\nno separator\n' });
      expect(plain.code).toBe(1);
      expect(errorLine(plain)).toContain('line 2 has no key separator "|"');
    });

    it('exits 1 fast with a connection error when the broker refuses', async () => {
      for (const args of [['topics', 'list'], ['produce', '-t', 'x'], ['consume', '-t', 'x'], ['cluster']]) {
        const r = await kw([...args, '--brokers', '127.0.0.1:1'], { input: 'x\n', timeoutMs: 20_000 });
        expect(r.code, r.stderr).toBe(1);
        expect(errorLine(r)).toMatch(/No broker answered.*ECONNREFUSED 127\.0\.0\.1:1/);
        expect(r.ms).toBeLessThan(5_000);
      }
    });

    it('writes errors as one JSON object with --json', async () => {
      const refused = await kw(['topics', 'list', '--json', '--brokers', '127.0.0.1:1']);
      expect(refused.code).toBe(1);
      expect(lines(refused.stderr)).toHaveLength(1);
      expect(JSON.parse(refused.stderr)).toEqual({
        error: expect.objectContaining({
          kind: 'connection',
          name: 'ConnectionError',
          exitCode: 1,
          retriable: true,
        }),
      });
      const usage = await kw(['--json', 'topics', 'list', '--bogus']);
      expect(usage.code).toBe(2);
      expect(JSON.parse(usage.stderr).error).toMatchObject({
        kind: 'usage',
        exitCode: 2,
        help: 'kafkawire topics --help',
      });
      const missing = await kw(['topics', 'describe', uniqueTopic('missing'), '--json']);
      expect(JSON.parse(missing.stderr).error).toMatchObject({
        kind: 'broker',
        code: 3,
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
        exitCode: 1,
      });
    });
  });
});
