// `--set key=value` overrides, applied to the raw config before validation, so an override is
// checked by the same schema as the file. Values parse as YAML scalars or flow lists (1e-3, true, [PA, AP]).
import { parse } from 'yaml';
import { ConfigError } from '../errors';

/** Returns a copy of `raw` with each `a.b.c=value` applied; a malformed override is a ConfigError. */
export function applyOverrides(raw: unknown, overrides: readonly string[]): unknown {
  const root = structuredClone(raw ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const item of overrides) {
    const eq = item.indexOf('=');
    const path = eq > 0 ? item.slice(0, eq).split('.') : [];
    if (eq <= 0 || path.some((p) => p === '')) {
      problems.push(`--set expects key=value with a dotted key, e.g. train.epochs=5. Received: ${item}`);
      continue;
    }
    let node = root;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next !== undefined && (typeof next !== 'object' || next === null || Array.isArray(next))) {
        problems.push(`--set ${item}: \`${key}\` is not a section`);
        node = {};
        break;
      }
      node = (node[key] ??= {}) as Record<string, unknown>;
    }
    node[path.at(-1) as string] = parse(item.slice(eq + 1));
  }
  if (problems.length) throw new ConfigError('overrides', problems);
  return root;
}
