// Reads a sweep file (YAML or JSON), validates it once — the schema and the rules between fields, every
// problem listed in one ConfigError — and resolves the experiment path against the sweep file.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../errors';
import { parameterSpace, sweepProblems } from './check';
import { type SweepParameter, type SweepSpec, sweepFileSchema } from './schema';

/** A zod issue path as the messages write it: `metric.goal`, `set[2]`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, p) => (typeof p === 'number' ? `${text}[${p}]` : text ? `${text}.${String(p)}` : String(p)), '') || '(root)';
}

export async function loadSweep(path: string): Promise<SweepSpec> {
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new ConfigError(path, [`cannot read the sweep file (${cause instanceof Error ? cause.message : String(cause)})`]);
  });
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (cause) {
    throw new ConfigError(path, [`not valid YAML/JSON: ${cause instanceof Error ? cause.message : String(cause)}`]);
  }
  return parseSweep(raw, path);
}

/** Validates an in-memory sweep file; `experiment` resolves against `source`'s folder. */
export function parseSweep(raw: unknown, source: string): SweepSpec {
  const result = sweepFileSchema.safeParse(raw);
  const problems = result.success ? [] : result.error.issues.map((i) => `\`${formatPath(i.path)}\`: ${i.message}`);
  problems.push(...sweepProblems(raw));
  if (!result.success || problems.length) throw new ConfigError(source, problems);
  const file = result.data;
  const parameters: SweepParameter[] = Object.entries(file.parameters).map(([key, value]) => ({
    key,
    space: parameterSpace(key, value, file.method, []) as SweepParameter['space'],
  }));
  return {
    name: file.name,
    path: resolve(source),
    experiment: resolve(dirname(resolve(source)), file.experiment),
    method: file.method,
    parameters,
    ...(file.method === 'random' ? { trials: file.trials as number, seed: file.seed as number } : {}),
    set: file.set,
    workers: file.workers,
    metric: file.metric,
  };
}
