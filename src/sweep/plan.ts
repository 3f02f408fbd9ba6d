// The trials of a sweep: a grid's every combination (the last parameter varying fastest) or a seeded random
// search's draws, each as the overrides its run gets. Every trial's config is validated by the experiment
// schema here, before anything runs: a bad value fails the whole sweep, naming the trial and the key.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { parseExperiment } from '../config/load';
import type { ExperimentConfig } from '../config/schema';
import { ConfigError } from '../errors';
import { Rng, deriveSeed } from '../util/rng';
import type { SweepSpec } from './schema';
import { drawValue, formatOverride } from './values';

export interface TrialValue {
  key: string;
  value: unknown;
}

export interface PlannedTrial {
  /** 1-based, in plan order. */
  number: number;
  /** The parameters' values, in the sweep file's order. */
  values: readonly TrialValue[];
  /** The `--set` overrides of the trial's run, in order: `name=<sweep>-<n>`, the sweep's `set`, the values. */
  overrides: readonly string[];
  /** The validated config of the trial. */
  config: ExperimentConfig;
}

export interface SweepPlan {
  spec: SweepSpec;
  /** The experiment with the sweep's `set` applied: where the sweep folder goes (output.dir). */
  base: ExperimentConfig;
  trials: readonly PlannedTrial[];
}

export interface PlanOptions {
  /** Replaces the experiment's data sources by one class-folder dataset (CXRLAB_DATA), as `cxrlab train` does. */
  dataDir?: string;
}

/** Every combination of the lists, the first parameter varying slowest. */
export function gridValues(spec: SweepSpec): TrialValue[][] {
  return spec.parameters.reduce<TrialValue[][]>(
    (combos, { key, space }) => {
      if (space.kind !== 'list') throw new ConfigError(spec.path, [`\`parameters\` › \`${key}\`: a grid takes a list of values`]);
      return combos.flatMap((combo) => space.values.map((value) => [...combo, { key, value }]));
    },
    [[]],
  );
}

/** `trials` draws; trial n's value of a key comes from its own stream (seed, `trial:<n>:<key>`), so adding a parameter shifts no other. */
export function randomValues(spec: SweepSpec): TrialValue[][] {
  const seed = spec.seed ?? 0;
  return Array.from({ length: spec.trials ?? 0 }, (_, i) =>
    spec.parameters.map(({ key, space }) => ({ key, value: drawValue(space, new Rng(deriveSeed(seed, `trial:${i + 1}:${key}`))) })),
  );
}

export function trialValues(spec: SweepSpec): TrialValue[][] {
  return spec.method === 'grid' ? gridValues(spec) : randomValues(spec);
}

async function readExperiment(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new ConfigError(path, [`cannot read the experiment file (${cause instanceof Error ? cause.message : String(cause)})`]);
  });
  try {
    return parse(text);
  } catch (cause) {
    throw new ConfigError(path, [`not valid YAML/JSON: ${cause instanceof Error ? cause.message : String(cause)}`]);
  }
}

/** The trials of the sweep, each validated; a ConfigError on the sweep file lists every invalid trial and key. */
export async function planSweep(spec: SweepSpec, options: PlanOptions = {}): Promise<SweepPlan> {
  const raw = await readExperiment(spec.experiment);
  const load = (overrides: readonly string[]) => parseExperiment(raw, spec.experiment, { overrides, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  let base: ExperimentConfig;
  try {
    base = load(spec.set);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(spec.path, err.issues.map((i) => `experiment ${spec.experiment} with \`set\`: ${i}`));
    throw err;
  }
  const problems: string[] = [];
  const trials: PlannedTrial[] = [];
  trialValues(spec).forEach((values, i) => {
    const number = i + 1;
    const overrides = [formatOverride('name', `${spec.name}-${number}`), ...spec.set, ...values.map((v) => formatOverride(v.key, v.value))];
    try {
      trials.push({ number, values, overrides, config: load(overrides) });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const described = values.map((v) => formatOverride(v.key, v.value)).join(' ');
      problems.push(...err.issues.map((issue) => `trial ${number} (${described}): ${issue}`));
    }
  });
  if (problems.length) throw new ConfigError(spec.path, problems);
  return { spec, base, trials };
}
