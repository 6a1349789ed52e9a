/**
 * The pieces the report's tables and charts share: picking a case's runs, their median with min
 * and max, number formats, markdown tables, the clients' colours.
 */
import type { Run } from './report.js';
import type { Spread } from './stats.js';
import { spread } from './stats.js';

export const KW = 'kafkawire';

export function okRuns(runs: Run[], caseId: string, client: string): Run[] {
  return runs.filter((r) => r.case === caseId && r.client === client && r.status === 'ok');
}

export function stat(runs: Run[], caseId: string, client: string, pick: (r: Run) => number | undefined) {
  return spread(
    okRuns(runs, caseId, client)
      .map(pick)
      .filter((v): v is number => v !== undefined),
  );
}

/** Why a client has no number for a case: the status of its runs, or "—" when it has none. */
export function missing(runs: Run[], caseId: string, client: string): string {
  const mine = runs.filter((r) => r.case === caseId && r.client === client);
  if (mine.length === 0) return '—';
  const s = mine[mine.length - 1]!.status;
  return s === 'not-implemented'
    ? 'not implemented yet'
    : s === 'unavailable'
      ? 'unavailable'
      : s === 'invalid'
        ? 'lost records'
        : s === 'failed'
          ? 'failed'
          : '—';
}

/** 3 significant digits with k / M: 1234567 → "1.23M", 9761 → "9.76k", 150 → "150". */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

export function cell(s: Spread | undefined, f: (v: number) => string, rounds: number): string | undefined {
  if (!s) return undefined;
  if (s.n === 1) return `${f(s.median)}${rounds > 1 ? ' (1 run)' : ''}`;
  return `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
}

export function ratio(a: Spread | undefined, b: Spread | undefined): string {
  if (!a || !b || b.median === 0) return '—';
  return `${(a.median / b.median).toFixed(2)}×`;
}

export function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function table(header: string[], rows: string[][]): string {
  return [row(header), row(header.map((_, i) => (i === 0 ? ':--' : '--:'))), ...rows.map(row)].join('\n');
}

export const COLORS: Record<string, string> = {
  kafkawire: '#d9480f',
  kafkajs: '#1c7ed6',
  'kafkawire-kafkajs': '#f08c00',
  'kafkawire-observed': '#e8590c',
  'kafkawire-baseline': '#a61e4d',
  platformatic: '#2f9e44',
  confluent: '#7048e8',
  java: '#868e96',
};

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A white SVG document of `width` × `height` around the drawn `parts`. */
export function svgDocument(width: number, height: number, parts: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
