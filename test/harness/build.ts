/**
 * Builds dist/ (`tsc -p tsconfig.build.json`, as `npm run build`) for tests that run the built
 * CLI binary. Only test/integration/cli.test.ts needs it, so it is called from that file's
 * beforeAll rather than from every run's globalSetup.
 *
 * Fast when nothing changed: a stamp of every input's path, size and mtime is kept beside the
 * tsc incremental state in node_modules/.cache/kafkawire-build/; the same stamp and an existing
 * dist/cli/main.js skip tsc entirely, and a changed input rebuilds incrementally. A lock
 * directory keeps two test processes from writing dist/ at once.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cache = join(root, 'node_modules/.cache/kafkawire-build');
const stampFile = join(cache, 'stamp.json');
const buildInfo = join(cache, 'tsconfig.build.tsbuildinfo');
const lockDir = join(cache, 'lock');

/** The built CLI entry point. */
export const CLI_ENTRY = join(root, 'dist/cli/main.js');

/** Builds dist/ unless it is up to date; throws with tsc's diagnostics when the build fails. */
export async function buildDist(): Promise<void> {
  mkdirSync(cache, { recursive: true });
  await withLock(async () => {
    const stamp = inputsStamp();
    if (existsSync(CLI_ENTRY) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
    // tsc trusts its incremental state even when dist/ was deleted: without outputs, start over.
    if (!existsSync(CLI_ENTRY)) rmSync(buildInfo, { force: true });
    const tsc = join(root, 'node_modules/.bin/tsc');
    try {
      await promisify(execFile)(
        tsc,
        ['-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', buildInfo],
        { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (err) {
      rmSync(stampFile, { force: true });
      const e = err as { stdout?: string; stderr?: string; message: string };
      const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
      throw new Error(`tsc -p tsconfig.build.json failed:\n${output || e.message}`);
    }
    writeFileSync(stampFile, stamp);
  });
}

/** Path, size and mtime of every build input, as one string. */
function inputsStamp(): string {
  const files = ['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => join(root, f));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) files.push(p);
    }
  };
  walk(join(root, 'src'));
  return files
    .sort()
    .map((f) => {
      const s = statSync(f);
      return `${f} ${s.size} ${s.mtimeMs}`;
    })
    .join('\n');
}

/** Runs `fn` holding the build lock; a lock older than 5 minutes is taken to be left by a dead process. */
async function withLock(fn: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 300_000) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`build lock ${lockDir} held for over 3 minutes`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
