/**
 * The partition-scaling part of the report: per client, how records/s, CPU per record, peak RSS
 * and (consume) the time to the first record move as one topic's partitions go from 10 to
 * 10,000; as markdown tables and as a line chart (latest-scaling.svg), one curve per client.
 */
import type { Report, Run } from './report.js';
import { COLORS, esc, fmt, KW, missing, stat, svgDocument, table } from './tables.js';
import type { BenchCase } from './types.js';

type Kind = 'produce' | 'consume';

/** One topic's cases by partition count (the chart's curves), without the many-topics cases. */
function series(report: Report, kind: Kind): BenchCase[] {
  return report.cases
    .filter((c) => c.scaling && c.kind === kind && !c.topics)
    .sort((a, b) => a.partitions - b.partitions);
}

/** The table rows: `series`, then the many-topics cases. */
function rows(report: Report, kind: Kind): BenchCase[] {
  return [...series(report, kind), ...report.cases.filter((c) => c.scaling && c.kind === kind && c.topics)];
}

function rowLabel(c: BenchCase): string {
  const partitions = c.partitions.toLocaleString('en-US');
  return c.topics ? `${c.topics.toLocaleString('en-US')} topics × ${partitions}` : partitions;
}

const METRICS: {
  title: string;
  pick: (r: Run) => number | undefined;
  f: (v: number) => string;
  kinds: Kind[];
}[] = [
  { title: 'records/s', pick: (r) => r.recordsPerSec, f: fmt, kinds: ['produce', 'consume'] },
  {
    title: 'client CPU s per million records',
    pick: (r) => r.cpuSecPerMillion,
    f: (v) => v.toFixed(2),
    kinds: ['produce', 'consume'],
  },
  { title: 'peak RSS, MiB', pick: (r) => r.maxRssMiB, f: (v) => v.toFixed(0), kinds: ['produce', 'consume'] },
  {
    title: 'time to first record, ms (subscribe, join, first fetch)',
    pick: (r) => r.firstRecordMs,
    f: (v) => v.toFixed(0),
    kinds: ['consume'],
  },
  {
    title: 'client CPU ms to the first record (subscribe, join, offsets, first fetch)',
    pick: (r) => r.cpuToFirstMs,
    f: (v) => v.toFixed(0),
    kinds: ['consume'],
  },
  {
    title: 'client CPU s per million records after the first record (the set-up above left out)',
    pick: (r) => r.steadyCpuSecPerMillion,
    f: (v) => v.toFixed(2),
    kinds: ['consume'],
  },
];

/** The "Partition scaling" section, or nothing when the run had no scaling case. */
export function scalingMarkdown(report: Report): string[] {
  const { meta, runs } = report;
  const clients = meta.clients;
  const out: string[] = [];
  const kinds = (['produce', 'consume'] as Kind[]).filter((k) => rows(report, k).length > 0);
  if (kinds.length === 0) return out;
  const withTopics = report.cases.some((c) => c.scaling && c.topics);
  if (!withTopics) {
    out.push('', '## Partition scaling: one topic of 10 to 10,000 partitions', '');
    out.push(
      'Medians of the rounds; every run of a case writes to (or reads) the same topic. Chart: `latest-scaling.svg`.',
    );
  } else {
    out.push('', '## Partition scaling: one topic of 10 to 10,000 partitions, and 1,000 topics', '');
    out.push(
      'Medians of the rounds; every run of a case writes to (or reads) the same topic (or topics). ' +
        "Many topics: each batch's worth of records (163) goes to the next topic in turn; the " +
        'consumers subscribe to them all. Chart (one topic): `latest-scaling.svg`.',
    );
  }
  for (const kind of kinds) {
    const cs = rows(report, kind);
    const first = cs[0]!;
    out.push(
      '',
      `### ${kind === 'produce' ? `Produce ${first.valueSize} B, acks=1, no compression` : `Consume ${first.valueSize} B, no compression`} (${fmt(first.records)} records per run)`,
    );
    for (const m of METRICS.filter((x) => x.kinds.includes(kind))) {
      out.push('', `${m.title}:`, '');
      out.push(
        table(
          ['partitions', ...clients.map((c) => c.short)],
          cs.map((c) => [
            rowLabel(c),
            ...clients.map((cl) => {
              const s = stat(runs, c.id, cl.name, m.pick);
              return s ? m.f(s.median) : missing(runs, c.id, cl.name);
            }),
          ]),
        ),
      );
    }
    const one = series(report, kind);
    // Fewest against most partitions, for kafkawire: over all the run, and after the first record.
    if (one.length < 2) continue;
    const fewest = one[0] as BenchCase;
    const most = one[one.length - 1] as BenchCase;
    const ratio = (pick: (r: Run) => number | undefined): string | undefined => {
      const lo = stat(runs, fewest.id, KW, pick);
      const hi = stat(runs, most.id, KW, pick);
      return lo && hi && lo.median > 0 ? (hi.median / lo.median).toFixed(2) : undefined;
    };
    const [n, m] = [most.partitions.toLocaleString('en-US'), fewest.partitions.toLocaleString('en-US')];
    const all = ratio((r) => r.cpuSecPerMillion);
    if (all) out.push('', `kafkawire's CPU per record at ${n} partitions: ${all}× its figure at ${m}.`);
    const steady = ratio((r) => r.steadyCpuSecPerMillion);
    if (steady)
      out.push(
        '',
        `After the first record (the set-up left out): ${steady}× at ${n} partitions its figure at ${m}.`,
      );
  }
  return out;
}

/** Records/s against partitions (log scale), one curve per client, one panel per kind. */
export function scalingSvg(report: Report): string | undefined {
  const kinds = (['produce', 'consume'] as Kind[]).filter((k) => series(report, k).length > 0);
  if (kinds.length === 0) return undefined;
  const { meta, runs } = report;
  const W = 960;
  const PANEL_H = 300;
  const LEFT = 80;
  const RIGHT = 180;
  const plotW = W - LEFT - RIGHT;
  const parts: string[] = [];
  let y = 22;
  parts.push(
    `<text x="16" y="${y}" font-size="16" font-weight="bold">Partition scaling, records/s: ${esc(meta.date.slice(0, 10))}</text>`,
  );
  y += 16;
  parts.push(
    `<text x="16" y="${y}" font-size="11" fill="#495057">${esc(`${meta.machine.cores} cores, Node ${meta.machine.node}; ${meta.broker}; kafkawire ${meta.kafkawire}`)}</text>`,
  );
  y += 20;
  for (const kind of kinds) {
    const cs = series(report, kind);
    const xs = cs.map((c) => Math.log10(c.partitions));
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    const xOf = (p: number) => LEFT + (x1 > x0 ? ((Math.log10(p) - x0) / (x1 - x0)) * plotW : plotW / 2);
    const curves = meta.clients.map((cl) => ({
      cl,
      points: cs
        .map((c) => ({ p: c.partitions, s: stat(runs, c.id, cl.name, (r) => r.recordsPerSec) }))
        .filter((pt) => pt.s !== undefined)
        .map((pt) => ({ p: pt.p, v: pt.s!.median })),
    }));
    const max = Math.max(1, ...curves.flatMap((c) => c.points.map((p) => p.v)));
    const top = y + 24;
    const bottom = top + PANEL_H - 60;
    const yOf = (v: number) => bottom - (v / max) * (bottom - top);
    parts.push(
      `<text x="16" y="${y + 12}" font-size="13" font-weight="bold">${kind === 'produce' ? 'Produce' : 'Consume'} 100 B (${fmt(cs[0]!.records)} records per run)</text>`,
    );
    parts.push(`<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${bottom}" y2="${bottom}" stroke="#adb5bd"/>`);
    parts.push(`<line x1="${LEFT}" x2="${LEFT}" y1="${top}" y2="${bottom}" stroke="#adb5bd"/>`);
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4;
      parts.push(
        `<text x="${LEFT - 6}" y="${yOf(v) + 4}" font-size="10" text-anchor="end" fill="#495057">${esc(fmt(v))}</text>`,
      );
      if (i > 0)
        parts.push(
          `<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${yOf(v)}" y2="${yOf(v)}" stroke="#f1f3f5"/>`,
        );
    }
    for (const c of cs)
      parts.push(
        `<text x="${xOf(c.partitions)}" y="${bottom + 16}" font-size="10" text-anchor="middle" fill="#495057">${c.partitions.toLocaleString('en-US')}</text>`,
      );
    parts.push(
      `<text x="${LEFT + plotW / 2}" y="${bottom + 32}" font-size="11" text-anchor="middle" fill="#495057">partitions (log scale)</text>`,
    );
    let ly = top;
    for (const { cl, points } of curves) {
      const color = COLORS[cl.name] ?? '#000';
      if (points.length > 0) {
        parts.push(
          `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map((p) => `${xOf(p.p).toFixed(1)},${yOf(p.v).toFixed(1)}`).join(' ')}"/>`,
        );
        for (const p of points)
          parts.push(
            `<circle cx="${xOf(p.p).toFixed(1)}" cy="${yOf(p.v).toFixed(1)}" r="3" fill="${color}"/>`,
          );
      }
      parts.push(`<rect x="${LEFT + plotW + 16}" y="${ly}" width="12" height="12" fill="${color}"/>`);
      parts.push(
        `<text x="${LEFT + plotW + 32}" y="${ly + 10}" font-size="11">${esc(cl.label)}${points.length === 0 ? ' (no runs)' : ''}</text>`,
      );
      ly += 18;
    }
    y += PANEL_H;
  }
  return svgDocument(W, y, parts);
}
