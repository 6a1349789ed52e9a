/**
 * Runs the micro-benchmarks (records, varint, codecs), each case one benny suite with kafkawire's
 * and KafkaJS's code paths side by side, and writes bench/results/micro.md (tables with
 * kafkawire/KafkaJS ratios) and micro.json (every entry, every round).
 *
 *   npm run bench:micro                       # everything, 3 rounds, about 3 minutes
 *   npm run bench:micro -- --only crc,varint  # the cases whose group or name contains one of these
 *   npm run bench:micro -- --rounds 1 --time 2
 *
 * Every case runs once per round, the rounds one after the other, so that each code path is
 * measured at three moments rather than one: on a shared machine a slow patch then shows as
 * spread instead of a wrong median. `--time` is benny's maxTime per code path and round.
 *
 * With `--only` the results are printed, and written only if `--out DIR` is given, so a partial
 * run never overwrites the full tables.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cases as codecCases } from './codecs.bench.js';
import {
  type BennyOptions,
  type Case,
  caseRows,
  formatRate,
  formatRatio,
  kafkaJsVersion,
  type Measured,
  type Row,
  runCase,
  si,
} from './lib.js';
import { cases as recordCases } from './records.bench.js';
import { cases as varintCases } from './varint.bench.js';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    time: { type: 'string', default: '0.5' },
    samples: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});

const options: BennyOptions = { maxTime: Number(args.time), minSamples: Number(args.samples) };
const rounds = Math.max(1, Number(args.rounds));
const only = args.only
  ?.split(',')
  .map((s) => s.trim().toLowerCase())
  .filter((s) => s !== '');
const outDir = args.out ?? (only ? undefined : new URL('../results/', import.meta.url).pathname);

const started = Date.now();
const all: Case[] = [...(await recordCases()), ...(await varintCases()), ...(await codecCases())];
console.log(`fixtures checked: kafkawire and KafkaJS agree on every case (${all.length} cases)`);
const selected = only
  ? all.filter((c) => only.some((o) => `${c.group} ${c.name}`.toLowerCase().includes(o)))
  : all;
if (selected.length === 0) throw new Error(`--only ${args.only}: no case matches`);

const measured: Measured[][][] = selected.map(() => []);
for (let r = 0; r < rounds; r++) {
  console.log(`\nround ${r + 1} of ${rounds}`);
  for (let k = 0; k < selected.length; k++) measured[k].push(await runCase(selected[k], options));
}
const rows: Row[] = selected.flatMap((c, k) => caseRows(c, measured[k]));
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`\n${selected.length} cases × ${rounds} rounds in ${seconds} s; kw / KafkaJS, medians:`);
for (const r of rows) {
  if (r.vsKafkaJs !== undefined && r.main)
    console.log(`  ${r.group}, ${r.case}: ${formatRatio(r.vsKafkaJs)}`);
}

if (outDir) {
  const meta = {
    date: new Date().toISOString(),
    command: `npm run bench:micro${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()}`,
      node: process.version,
    },
    kafkawire: gitRevision(),
    kafkajs: kafkaJsVersion(),
    benny: options,
    rounds,
    totalSeconds: seconds,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'micro.json'), `${JSON.stringify({ meta, rows }, null, 2)}\n`);
  writeFileSync(join(outDir, 'micro.md'), markdown(meta, rows));
  console.log(`wrote ${join(outDir, 'micro.md')} and micro.json`);
}

function gitRevision(): string {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim();
    return dirty ? `${rev} (src modified)` : rev;
  } catch {
    return 'unknown';
  }
}

function throughput(r: Row): string {
  const items = r.itemsPerSec === undefined ? '' : `${si(r.itemsPerSec)}${r.itemUnit}/s · `;
  return `${items}${formatRate(r)}`;
}

function markdown(meta: Record<string, unknown> & { machine: Record<string, unknown> }, rows: Row[]): string {
  const m = meta.machine;
  const lines = [
    `# kafkawire micro-benchmarks: ${String(meta.date).slice(0, 10)}`,
    '',
    `- Command: \`${meta.command}\`: ${rounds} rounds, in each every case once as a benny suite, each code path sampled for up to ${options.maxTime} s (at least ${options.minSamples} samples)`,
    `- Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}`,
    `- kafkawire ${meta.kafkawire}; KafkaJS ${meta.kafkajs} (its internal modules, from bench/node_modules)`,
    `- Whole run: ${meta.totalSeconds} s`,
    '',
    'Each case is one benny suite running every code path on the same input; before any case runs,',
    "both sides were checked to produce the same output (byte-identical batches and varints, each side's",
    "batch decoded by the other back to the input records, equal CRCs, each side's gzip read by the other).",
    'Figures are medians of the rounds; kw / KafkaJS is the median of the per-round ratios of kafkawire ops/s',
    'over KafkaJS ops/s in the same case: above 1× kafkawire is faster. "rounds" is the min–max of ops/s over',
    "the rounds, ± benny's margin of error (median over the rounds).",
    'MB/s are of uncompressed batch (or varint) bytes, 10⁶ bytes; GB/s 10⁹.',
    '',
    '## Summary: the path kafkawire runs by default against KafkaJS',
    '',
    '| group | case | kafkawire | KafkaJS | kw / KafkaJS |',
    '| :-- | :-- | --: | --: | --: |',
  ];
  const cases = [...new Set(rows.map((r) => `${r.group}\u0000${r.case}`))].map((k) => {
    const [group, name] = k.split('\u0000');
    return { group, name, rows: rows.filter((r) => r.group === group && r.case === name) };
  });
  for (const c of cases) {
    const kw = c.rows.find((r) => r.main) ?? c.rows[0];
    const kjs = c.rows.find((r) => r.side === 'KafkaJS');
    if (!kjs) continue;
    lines.push(
      `| ${c.group} | ${c.name} | ${throughput(kw)} | ${throughput(kjs)} | ${formatRatio(kw.vsKafkaJs)} |`,
    );
  }
  if (cases.some((c) => !c.rows.some((r) => r.side === 'KafkaJS'))) {
    lines.push(
      '',
      'Cases KafkaJS has no code path for (snappy, lz4, zstd: plugins it does not ship) are only below.',
    );
  }
  for (const group of [...new Set(rows.map((r) => r.group))]) {
    const groupRows = rows.filter((r) => r.group === group);
    const notes = [...new Set(groupRows.map((r) => r.note).filter((n) => n !== undefined))];
    lines.push('', `## ${group}`, '');
    for (const n of notes) lines.push(`${n}.`, '');
    lines.push(
      '| case | code path | ops/s | rounds | ± | throughput | kw / KafkaJS |',
      '| :-- | :-- | --: | --: | --: | --: | --: |',
    );
    for (const r of groupRows) {
      const path = `${r.side} ${r.path}${r.main ? ' ★' : ''}`;
      const spread = `${si(Math.min(...r.rounds))}–${si(Math.max(...r.rounds))}`;
      lines.push(
        `| ${r.case} | ${path} | ${si(r.opsPerSec)} | ${spread} | ${r.rme.toFixed(1)}% | ${throughput(r)} | ${formatRatio(r.vsKafkaJs)} |`,
      );
    }
  }
  lines.push('', "★ the path kafkawire's producer or consumer runs by default.", '');
  return lines.join('\n');
}
