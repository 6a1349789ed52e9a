/**
 * `kafkawire cluster`: cluster id, controller, brokers, and the API versions of each broker next
 * to the version kafkawire would use (as the broker's kafka-broker-api-versions tool prints them).
 */
import type { VersionRange } from '../network/versions.js';
import { pickVersion } from '../network/versions.js';
import type { ApiDescriptor } from '../protocol/api.js';
import { IMPLEMENTED_APIS } from '../protocol/apis/index.js';
import { parseCommand, positionals } from './args.js';
import { brokersOf, type Context, withAdmin } from './context.js';
import { jsonLine, table } from './output.js';

export const clusterHelp = `Usage: kafkawire cluster [options]

Prints the cluster id, the controller, the brokers, and for each broker the versions of every
API it supports, with the version kafkawire uses ("usable") for the APIs it implements.

Options:
  -b, --brokers LIST    host:port,... (default: $KAFKA_BROKERS)
      --json            machine-readable output and errors
`;

interface ApiReport {
  apiKey: number;
  name: string;
  min: number;
  max: number;
  /** The version kafkawire sends, null when it does not implement the API or shares no version. */
  usable: number | null;
}

const implemented = new Map<number, ApiDescriptor<never, unknown>>(IMPLEMENTED_APIS.map((a) => [a.key, a]));

export async function cluster(args: string[], ctx: Context): Promise<number> {
  const { values, positionals: pos } = parseCommand(args, {}, 'cluster');
  positionals(pos, [], 'cluster');
  const report = await withAdmin(brokersOf(ctx, values.brokers), async (admin) => {
    const c = await admin.describeCluster();
    const versions = await admin.apiVersions();
    return {
      clusterId: c.clusterId,
      controllerId: c.controllerId,
      brokers: c.brokers
        .sort((a, b) => a.nodeId - b.nodeId)
        .map((b) => ({ ...b, apis: (versions.get(b.nodeId) ?? []).map(usable) })),
    };
  });
  if (ctx.json) {
    await ctx.stdout.write(jsonLine(report));
    return 0;
  }
  let s = `Cluster id: ${report.clusterId}\nController: ${report.controllerId}\n`;
  s += table([
    ['BROKER', 'HOST', 'PORT', 'RACK'],
    ...report.brokers.map((b) => [b.nodeId, b.host, b.port, b.rack ?? '-']),
  ]);
  for (const b of report.brokers) {
    s += `\nAPI versions of broker ${b.nodeId} (${b.host}:${b.port}):\n`;
    for (const a of b.apis) {
      s += `  ${a.name}(${a.apiKey}): ${a.min} to ${a.max}${a.usable === null ? '' : ` [usable: ${a.usable}]`}\n`;
    }
  }
  await ctx.stdout.write(s);
  return 0;
}

function usable(a: { apiKey: number; name: string } & VersionRange): ApiReport {
  const api = implemented.get(a.apiKey);
  let version: number | null = null;
  if (api) {
    try {
      version = pickVersion(api, a);
    } catch {
      version = null;
    }
  }
  return { apiKey: a.apiKey, name: a.name, min: a.min, max: a.max, usable: version };
}
