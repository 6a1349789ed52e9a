/**
 * The two text formats of a Java client config: java.util.Properties files and the JAAS line of
 * `sasl.jaas.config`. Pure parsing; what the keys mean is client-options.ts's business.
 */
import { UsageError } from './usage-error.js';

/**
 * Java's .properties format: `key=value`, `key: value` or `key value`; `#` and `!` comments;
 * a trailing backslash continues the line; `\t \n \r \f \uXXXX` and escaped separators.
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^[ \t\f]+/, '');
    if (line === '' || line[0] === '#' || line[0] === '!') continue;
    // An odd number of trailing backslashes continues the logical line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].replace(/^[ \t\f]+/, '');
    }
    let k = 0;
    while (k < line.length && !'=: \t\f'.includes(line[k])) k += line[k] === '\\' ? 2 : 1;
    const key = unescapeProperty(line.slice(0, k));
    let v = k;
    while (v < line.length && ' \t\f'.includes(line[v])) v++;
    if (v < line.length && '=:'.includes(line[v])) v++;
    while (v < line.length && ' \t\f'.includes(line[v])) v++;
    out.set(key, unescapeProperty(line.slice(v)));
  }
  return out;
}

function unescapeProperty(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, c: string) => {
    if (c.length === 5) return String.fromCharCode(Number.parseInt(c.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[c] ?? c;
  });
}

/**
 * A JAAS line as Kafka reads `sasl.jaas.config`:
 * `<LoginModule class> required|optional|... key="value" key=value ... ;`
 */
export function parseJaas(text: string): { module: string; options: Map<string, string> } {
  const m = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\s*([\s\S]*?)\s*;?\s*$/.exec(text);
  if (!m) throw new UsageError('sasl.jaas.config: expected "<LoginModule> required key=\\"value\\" ...;"');
  const options = new Map<string, string>();
  const re = /([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;"]+))/g;
  let rest = m[3];
  for (let a = re.exec(rest); a; a = re.exec(rest)) {
    options.set(a[1], a[2] !== undefined ? a[2].replace(/\\(.)/g, '$1') : a[3]);
  }
  rest = rest.replace(re, '').trim();
  if (rest !== '') throw new UsageError('sasl.jaas.config: cannot read the options after the login module');
  return { module: m[1], options };
}
