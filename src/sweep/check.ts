// The rules between a sweep file's fields that the schema cannot state: each parameter's values (a list,
// or a range for random search), its key (a dotted config path, not one the sweep sets itself, not also in
// `set`), the fields each method needs, the grid's size. Runs on the raw file beside the schema, so that
// every problem of the file is listed at once.
import { z } from 'zod';
import { keyProblem } from '../mlflow-client';
import { MAX_TRIALS, type ParameterSpace } from './schema';

/** Keys every trial gets from the sweep: its name and its run folder. */
const RESERVED: Record<string, string> = {
  name: 'every trial is named <sweep>-<trial> by the sweep',
  output: "every trial's run folder is put inside the sweep's folder by the sweep (`set: [output.dir=…]` moves the sweep's folder)",
};
const KEY = /^[^.=\s]+(\.[^.=\s]+)*$/;

const rangeSchema = z
  .object({ min: z.number(), max: z.number(), log: z.boolean().default(false), int: z.boolean().default(false) })
  .strict();

const shown = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A parameter's values as the planner takes them; null with `problems` filled when they are not usable. */
export function parameterSpace(key: string, value: unknown, method: unknown, problems: string[]): ParameterSpace | null {
  const at = `\`parameters\` › \`${key}\``;
  if (Array.isArray(value)) {
    const before = problems.length;
    if (value.length === 0) problems.push(`${at}: the list of values is empty; give at least one value`);
    value.forEach((v, i) => {
      if (v === null || v === undefined) problems.push(`${at}[${i}]: null is not a value (leave the key out to keep the experiment's value)`);
    });
    const seen = new Set<string>();
    for (const v of value) {
      const text = JSON.stringify(v);
      if (seen.has(text)) problems.push(`${at}: the value ${shown(v)} is listed twice`);
      seen.add(text);
    }
    return problems.length === before ? { kind: 'list', values: value } : null;
  }
  if (isRecord(value)) {
    const parsed = rangeSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${at}${issue.path.length ? ` › \`${issue.path.join('.')}\`` : ''}: ${issue.message} (a range is { min, max, log?, int? })`);
      return null;
    }
    const { min, max, log, int } = parsed.data;
    const before = problems.length;
    if (method === 'grid') problems.push(`${at}: a range { min, max } needs \`method: random\`; a grid takes a list of values, e.g. [${min}, ${max}]`);
    if (!(min < max)) problems.push(`${at}: min must be below max. Received: min ${min}, max ${max}`);
    if (log && !(min > 0)) problems.push(`${at}: a log-uniform range (log: true) needs min > 0. Received: min ${min}`);
    if (int && !(Number.isInteger(min) && Number.isInteger(max))) problems.push(`${at}: an integer range (int: true) needs whole-number bounds. Received: min ${min}, max ${max}`);
    return problems.length === before ? { kind: 'range', min, max, log, int } : null;
  }
  problems.push(`${at}: expected a list of values (e.g. [0.001, 0.0003]) or a range (e.g. { min: 0.2, max: 0.6 }). Received: ${shown(value)}`);
  return null;
}

function keyProblems(keys: readonly string[], setKeys: readonly string[], problems: string[]): void {
  keys.forEach((key, i) => {
    const at = `\`parameters\` › \`${key}\``;
    if (!KEY.test(key)) {
      problems.push(`${at}: expected a dotted config key as \`--set\` takes it, e.g. train.learningRate`);
      return;
    }
    const reserved = Object.keys(RESERVED).find((r) => overlaps(key, r));
    if (reserved) problems.push(`${at}: cannot be varied: ${RESERVED[reserved]}`);
    for (const other of keys.slice(0, i)) if (overlaps(key, other)) problems.push(`${at}: overlaps the parameter \`${other}\`; vary one of them`);
    for (const s of setKeys) if (overlaps(key, s)) problems.push(`${at}: is also given in \`set\` (\`${s}\`); a key is either fixed or varied`);
  });
}

/** The dotted keys of `set`'s entries; malformed entries are problems. */
function setKeys(set: unknown, problems: string[]): string[] {
  if (!Array.isArray(set)) return [];
  const keys: string[] = [];
  set.forEach((item, i) => {
    if (typeof item !== 'string') return; // the schema reports it
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : '';
    if (!KEY.test(key)) {
      problems.push(`\`set[${i}]\`: expected key=value with a dotted key, e.g. train.epochs=5. Received: ${shown(item)}`);
      return;
    }
    if (overlaps(key, 'name')) problems.push(`\`set[${i}]\`: cannot set \`name\`: ${RESERVED.name}`);
    keys.push(key);
  });
  return keys;
}

function methodProblems(raw: Record<string, unknown>, spaces: readonly (ParameterSpace | null)[], problems: string[]): void {
  if (raw.method === 'random') {
    if (raw.trials === undefined) problems.push('`trials`: method: random needs the number of trials to draw, e.g. trials: 20');
    if (raw.seed === undefined) problems.push('`seed`: method: random needs a seed (the same seed draws the same trials), e.g. seed: 1');
  } else if (raw.method === 'grid') {
    if (raw.trials !== undefined) problems.push('`trials`: is for method: random; a grid runs every combination of the lists');
    if (raw.seed !== undefined) problems.push('`seed`: is for method: random; a grid draws nothing');
    if (spaces.length && spaces.every((s) => s?.kind === 'list')) {
      const size = spaces.reduce((n, s) => n * (s?.kind === 'list' ? s.values.length : 1), 1);
      if (size > MAX_TRIALS) problems.push(`\`parameters\`: the grid has ${size} combinations; at most ${MAX_TRIALS} run in one sweep (shorten the lists, or use method: random with trials)`);
    }
  }
}

/** Every problem between the fields of a raw sweep file (the schema reports the fields' own types). */
export function sweepProblems(raw: unknown): string[] {
  if (!isRecord(raw)) return [];
  const problems: string[] = [];
  const fixed = setKeys(raw.set, problems);
  const params = isRecord(raw.parameters) ? raw.parameters : null;
  const spaces: (ParameterSpace | null)[] = [];
  if (params) {
    const keys = Object.keys(params);
    if (keys.length === 0) problems.push('`parameters`: lists no parameter; give at least one key with its values, e.g. train.learningRate: [0.001, 0.0003]');
    keyProblems(keys, fixed, problems);
    for (const key of keys) spaces.push(parameterSpace(key, params[key], raw.method, problems));
  }
  methodProblems(raw, spaces, problems);
  if (isRecord(raw.metric) && typeof raw.metric.name === 'string' && raw.metric.name) {
    const p = keyProblem(`best_${raw.metric.name}`);
    if (p) problems.push(`\`metric.name\`: not usable as an MLflow metric name: ${p}`);
  }
  return problems;
}
