/**
 * bench/results/latest.{json,md,svg}: the raw runs, the tables (median of the rounds with min and
 * max, and kafkawire/peer ratios), and a bar chart drawn by hand as SVG; latest-scaling.svg for
 * the partition-scaling cases (scaling.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scalingMarkdown, scalingSvg } from './scaling.js';
import { COLORS, cell, esc, fmt, KW, missing, ratio, stat, svgDocument, table } from './tables.js';
import type { BenchCase, Latency, RunStatus } from './types.js';

/** One run of one client on one case, as latest.json keeps it. */
export interface Run {
  case: string;
  client: string;
  round: number;
  status: RunStatus;
  reason?: string;
  records?: number;
  elapsedMs?: number;
  recordsPerSec?: number;
  /** Value bytes per second / 1e6. */
  mbPerSec?: number;
  /** Client process user+system CPU seconds per million records. */
  cpuSecPerMillion?: number;
  /** Broker JVM CPU seconds per million records during the run (local broker only). */
  brokerCpuSecPerMillion?: number;
  maxRssMiB?: number;
  /** RSS when the measured section started (after connecting and the first record). */
  rssAtStartMiB?: number;
  latency?: Latency;
  /** Consume: subscribing to the first record, ms (the group join included). */
  firstRecordMs?: number;
  /** Consume: client CPU from subscribing to the first record, ms (join, offsets, first fetch). */
  cpuToFirstMs?: number;
  /** Consume: client CPU seconds after the first record, per million records (the set-up left out). */
  steadyCpuSecPerMillion?: number;
  notes?: string[];
  /** Wall time of the whole run including process start and topic set-up. */
  wallMs: number;
}

export interface ClientInfo {
  name: string;
  /** The package name, for the header lines. */
  label: string;
  /** A column header. */
  short: string;
  version?: string;
  available: boolean;
  reason?: string;
}

export interface Meta {
  date: string;
  command: string;
  profile: string;
  rounds: number;
  machine: { cores: number; cpu: string; memoryGiB: number; os: string; node: string };
  broker: string;
  kafkawire: string;
  clients: ClientInfo[];
  totalSeconds?: number;
  /** The replicated cases' cluster, when the run had them. */
  replicatedBroker?: string;
}

export interface Report {
  meta: Meta;
  cases: BenchCase[];
  runs: Run[];
}

export function markdown(report: Report): string {
  const { meta, cases, runs } = report;
  const clients = meta.clients;
  const peers = clients.filter((c) => c.name !== KW);
  const throughputCases = cases.filter(
    (c) => (c.kind === 'produce' || c.kind === 'consume' || c.kind === 'many') && !c.scaling,
  );
  const latencyCases = cases.filter((c) => c.kind === 'e2e' || c.kind === 'latency');
  const m = meta.machine;
  const out: string[] = [];
  out.push(`# kafkawire benchmark: ${meta.date.slice(0, 10)}`);
  out.push('');
  out.push(
    `- Command: \`${meta.command}\` (profile ${meta.profile}, ${meta.rounds} round${meta.rounds > 1 ? 's' : ''}, clients alternating run by run)`,
  );
  out.push(`- Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}`);
  out.push(`- Broker: ${meta.broker}; it shares the cores with the client under test`);
  if (meta.replicatedBroker) out.push(`- Replicated cases (RF 3): ${meta.replicatedBroker}`);
  out.push(`- kafkawire ${meta.kafkawire}`);
  out.push(
    `- Peers: ${peers.map((c) => `${c.label} ${c.available ? (c.version ?? '') : `(unavailable: ${c.reason ?? '?'})`}`).join('; ')}`,
  );
  if (meta.totalSeconds !== undefined) out.push(`- Whole run: ${(meta.totalSeconds / 60).toFixed(1)} min`);
  out.push('');
  out.push(
    'Cells: median of the rounds, [min–max]. A run counts only if every record was acknowledged ' +
      '(produce) or received (consume). Ratios (kw / peer) are kafkawire / peer: above 1× kafkawire is faster.',
  );

  const header = (first: string, withRatios: boolean) => [
    first,
    ...clients.map((c) => c.short),
    ...(withRatios ? peers.map((p) => `kw / ${p.short}`) : []),
  ];

  out.push('', '## Throughput, records/s', '');
  out.push(
    table(
      header('case', true),
      throughputCases.map((c) => {
        const s = clients.map((cl) => stat(runs, c.id, cl.name, (r) => r.recordsPerSec));
        const kw = s[clients.findIndex((cl) => cl.name === KW)];
        return [
          `${c.title} (${fmt(c.records)})`,
          ...s.map((v, i) => cell(v, (x) => fmt(x), meta.rounds) ?? missing(runs, c.id, clients[i]!.name)),
          ...peers.map((p) => ratio(kw, s[clients.indexOf(p)])),
        ];
      }),
    ),
  );

  /** One row per throughput case, one cell per client: the median of `pick` [min–max]. */
  const perClientTable = (pick: (r: Run) => number | undefined, digits: number, rounds: number) =>
    table(
      header('case', false),
      throughputCases.map((c) => [
        c.title,
        ...clients.map(
          (cl) =>
            cell(stat(runs, c.id, cl.name, pick), (x) => x.toFixed(digits), rounds) ??
            missing(runs, c.id, cl.name),
        ),
      ]),
    );

  out.push('', '## Throughput, MB/s of values', '');
  out.push(perClientTable((r) => r.mbPerSec, 1, meta.rounds));

  // Each TLS case beside the same case in plaintext (its id without "-tls"), per client.
  const tlsCases = throughputCases.filter((c) => c.tls);
  if (tlsCases.length > 0) {
    out.push('', '## Cost of TLS: records/s over SSL as a share of the same case in plaintext', '');
    out.push(
      table(
        header('case', false),
        tlsCases.map((c) => [
          c.title,
          ...clients.map((cl) => {
            const secured = stat(runs, c.id, cl.name, (r) => r.recordsPerSec);
            const plain = stat(runs, c.id.replace(/-tls$/, ''), cl.name, (r) => r.recordsPerSec);
            return secured && plain && plain.median > 0
              ? `${Math.round((100 * secured.median) / plain.median)} %`
              : '—';
          }),
        ]),
      ),
    );
  }

  out.push('', '## CPU seconds per million records: client process (broker)', '');
  out.push(
    "The client's user+system CPU over the measured section (`process.cpuUsage()`; for Java the " +
      "whole JVM under /usr/bin/time), and in parentheses the broker JVM's over the same run. " +
      'Lower is better.',
    '',
  );
  /** One row per case, one cell per client: the median of `main`, then of `aside` in parentheses. */
  const pairTable = (
    cs: BenchCase[],
    main: (r: Run) => number | undefined,
    aside: (r: Run) => number | undefined,
    f: (x: number) => string,
    g: (x: number) => string,
  ) =>
    table(
      header('case', false),
      cs.map((c) => [
        c.title,
        ...clients.map((cl) => {
          const m = stat(runs, c.id, cl.name, main);
          if (!m) return missing(runs, c.id, cl.name);
          const a = stat(runs, c.id, cl.name, aside);
          return `${f(m.median)}${a ? ` (${g(a.median)})` : ''}`;
        }),
      ]),
    );

  const twoDigits = (x: number) => x.toFixed(2);
  out.push(
    pairTable(
      throughputCases,
      (r) => r.cpuSecPerMillion,
      (r) => r.brokerCpuSecPerMillion,
      twoDigits,
      twoDigits,
    ),
  );

  out.push('', '## Peak RSS of the client process, MiB', '');
  out.push(perClientTable((r) => r.maxRssMiB, 0, 1));

  const throttled = throughputCases.filter((c) => c.kind === 'produce' && c.throttleBytesPerSec);
  if (throttled.length > 0) {
    out.push('', '## A producer far faster than the broker: peak RSS, MiB', '');
    out.push(
      "The broker held to the case's rate by a default producer quota; the clients that keep a " +
        'window of unacknowledged records keep 64 MiB of values in it (twice the 32 MiB ' +
        '`bufferMemory` default). Cells: peak RSS (its growth over the RSS at the start of the ' +
        "measured section), medians of the rounds. kafkawire's target: growth ≤ bufferMemory + 64 MiB = 96 MiB.",
      '',
    );
    out.push(
      pairTable(
        throttled,
        (r) => r.maxRssMiB,
        (r) =>
          r.maxRssMiB !== undefined && r.rssAtStartMiB !== undefined
            ? r.maxRssMiB - r.rssAtStartMiB
            : undefined,
        (x) => x.toFixed(0),
        (x) => `+${x.toFixed(0)}`,
      ),
    );
  }

  if (latencyCases.length > 0) {
    out.push('', '## Latency, ms: p50 / p99 / p99.9', '');
    out.push(
      'Median over the rounds of each percentile. Ratios compare p99: below 1× kafkawire is faster.',
      '',
    );
    out.push(
      table(
        header('case', true),
        latencyCases.map((c) => {
          const p = (cl: string, k: 'p50' | 'p99' | 'p999') => stat(runs, c.id, cl, (r) => r.latency?.[k]);
          const kw = p(KW, 'p99');
          return [
            `${c.title} (${fmt(c.records)})`,
            ...clients.map((cl) => {
              const [a, b, d] = [p(cl.name, 'p50'), p(cl.name, 'p99'), p(cl.name, 'p999')];
              if (!a || !b || !d) return missing(runs, c.id, cl.name);
              return `${a.median.toFixed(2)} / ${b.median.toFixed(2)} / ${d.median.toFixed(2)}`;
            }),
            ...peers.map((pe) => ratio(kw, p(pe.name, 'p99'))),
          ];
        }),
      ),
    );
  }

  out.push(...scalingMarkdown(report));

  const notes = new Map<string, Set<string>>();
  for (const r of runs) {
    for (const n of r.notes ?? []) {
      const key = clients.find((c) => c.name === r.client)?.short ?? r.client;
      if (!notes.has(key)) notes.set(key, new Set());
      notes.get(key)!.add(n);
    }
  }
  const failures = runs.filter((r) => r.status === 'failed' || r.status === 'invalid');
  if (notes.size > 0 || failures.length > 0) out.push('', '## Notes', '');
  for (const [client, set] of notes) out.push(`- ${client}: ${[...set].join('; ')}`);
  for (const f of failures)
    out.push(`- ${f.client}, ${f.case}, round ${f.round}: ${f.status}: ${(f.reason ?? '').split('\n')[0]}`);
  out.push('');
  return out.join('\n');
}

interface Bar {
  client: string;
  value: number | undefined;
  label: string;
}

/**
 * Horizontal grouped bars, one group per case, each bar scaled to the largest in its group
 * (cases differ by orders of magnitude, so one scale would flatten most of them).
 */
export function svg(report: Report): string {
  const { meta, cases, runs } = report;
  const clients = meta.clients;
  const W = 960;
  const LEFT = 290;
  const BAR = 13;
  const GAP = 3;
  const plotW = W - LEFT - 130;
  const sections: { title: string; groups: { title: string; bars: Bar[] }[] }[] = [];
  const throughput = cases.filter(
    (c) => (c.kind === 'produce' || c.kind === 'consume' || c.kind === 'many') && !c.scaling,
  );
  sections.push({
    title: 'Throughput, records/s (median; longer is better; each case on its own scale)',
    groups: throughput.map((c) => ({
      title: `${c.title} (${fmt(c.records)})`,
      bars: clients.map((cl) => {
        const s = stat(runs, c.id, cl.name, (r) => r.recordsPerSec);
        return { client: cl.name, value: s?.median, label: s ? fmt(s.median) : missing(runs, c.id, cl.name) };
      }),
    })),
  });
  const lat = cases.filter((c) => c.kind === 'e2e' || c.kind === 'latency');
  if (lat.length > 0) {
    sections.push({
      title: 'Latency p99, ms (median; shorter is better)',
      groups: lat.map((c) => ({
        title: c.title,
        bars: clients.map((cl) => {
          const s = stat(runs, c.id, cl.name, (r) => r.latency?.p99);
          return {
            client: cl.name,
            value: s?.median,
            label: s ? `${s.median.toFixed(2)} ms` : missing(runs, c.id, cl.name),
          };
        }),
      })),
    });
  }
  const parts: string[] = [];
  let y = 20;
  parts.push(
    `<text x="16" y="${y}" font-size="16" font-weight="bold">kafkawire and peers on one broker: ${esc(meta.date.slice(0, 10))}</text>`,
  );
  y += 18;
  const m = meta.machine;
  parts.push(
    `<text x="16" y="${y}" font-size="11" fill="#495057">${esc(`${m.cores} cores (${m.cpu}), Node ${m.node}; ${meta.broker}`)}</text>`,
  );
  y += 15;
  parts.push(
    `<text x="16" y="${y}" font-size="11" fill="#495057">${esc(`${meta.command}; ${meta.rounds} round(s); kafkawire ${meta.kafkawire}`)}</text>`,
  );
  y += 22;
  let lx = 16;
  for (const cl of clients) {
    parts.push(`<rect x="${lx}" y="${y - 10}" width="12" height="12" fill="${COLORS[cl.name] ?? '#000'}"/>`);
    const text = `${cl.label}${cl.available ? '' : ' (unavailable)'}`;
    parts.push(`<text x="${lx + 16}" y="${y}" font-size="12">${esc(text)}</text>`);
    lx += 24 + text.length * 6.6;
  }
  y += 14;
  for (const section of sections) {
    y += 22;
    parts.push(`<text x="16" y="${y}" font-size="13" font-weight="bold">${esc(section.title)}</text>`);
    y += 8;
    for (const g of section.groups) {
      const max = Math.max(0, ...g.bars.map((b) => b.value ?? 0));
      const h = g.bars.length * (BAR + GAP);
      parts.push(
        `<text x="${LEFT - 8}" y="${y + h / 2 + 4}" font-size="12" text-anchor="end">${esc(g.title)}</text>`,
      );
      g.bars.forEach((b, i) => {
        const by = y + i * (BAR + GAP);
        const w = b.value && max > 0 ? Math.max(1, (b.value / max) * plotW) : 0;
        if (w > 0)
          parts.push(
            `<rect x="${LEFT}" y="${by}" width="${w.toFixed(1)}" height="${BAR}" fill="${COLORS[b.client] ?? '#000'}"/>`,
          );
        parts.push(
          `<text x="${LEFT + w + 4}" y="${by + BAR - 3}" font-size="10" fill="${w > 0 ? '#212529' : '#adb5bd'}">${esc(b.label)}</text>`,
        );
      });
      y += h + 10;
      parts.push(`<line x1="${LEFT}" x2="${W - 16}" y1="${y - 5}" y2="${y - 5}" stroke="#e9ecef"/>`);
    }
  }
  y += 10;
  return svgDocument(W, y, parts);
}

export function writeReport(dir: string, report: Report): string[] {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, 'latest.json'), join(dir, 'latest.md'), join(dir, 'latest.svg')];
  writeFileSync(files[0]!, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files[1]!, markdown(report));
  writeFileSync(files[2]!, svg(report));
  const scaling = scalingSvg(report);
  if (scaling) {
    files.push(join(dir, 'latest-scaling.svg'));
    writeFileSync(files[3]!, scaling);
  }
  return files;
}
