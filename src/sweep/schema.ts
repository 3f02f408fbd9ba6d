// The sweep file's shape: the zod schema of its fields, and the validated, resolved form the planner and
// runner take (SweepSpec). The rules between fields (parameters, method, set) live in check.ts.
import { z } from 'zod';

/** Most trials one sweep runs: a grid's combinations or a random search's `trials`. */
export const MAX_TRIALS = 1000;
/** Most worker processes at once. */
export const MAX_WORKERS = 64;

export const SWEEP_METHODS = ['grid', 'random'] as const;
export type SweepMethod = (typeof SWEEP_METHODS)[number];

/** The fields of a sweep file; `parameters` holds any value here and is checked key by key in check.ts. */
export const sweepFileSchema = z
  .object({
    /** The parent run's name, the sweep folder's name and the prefix of every trial's name. */
    name: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . - only'),
    /** The experiment file every trial starts from, relative to the sweep file. */
    experiment: z.string().min(1),
    method: z.enum(SWEEP_METHODS),
    /** Dotted config keys (as `--set` takes them) → a list of values, or a `{ min, max, log?, int? }` range (random only). */
    parameters: z.record(z.string(), z.unknown()),
    /** Random search: how many trials to draw. */
    trials: z.number().int().min(1).max(MAX_TRIALS).optional(),
    /** Random search: the seed of the draws (same seed, same trials). */
    seed: z.number().int().min(0).optional(),
    /** Fixed `key=value` overrides for every trial, applied before the trial's own values. */
    set: z.array(z.string()).default([]),
    /** Trials at once: 1 runs them one after another in this process, N > 1 in N worker processes. */
    workers: z.number().int().min(1).max(MAX_WORKERS).default(1),
    /** Which child is best: a metric every child logs (its last value), and whether higher or lower is better. */
    metric: z
      .object({ name: z.string().min(1), goal: z.enum(['max', 'min']) })
      .strict()
      .default({ name: 'val_accuracy', goal: 'max' }),
  })
  .strict();

export type SweepFile = z.infer<typeof sweepFileSchema>;

/** A parameter's values: a list (grid and random: every value, or one drawn uniformly) or a numeric range (random only). */
export type ParameterSpace =
  | { kind: 'list'; values: readonly unknown[] }
  | { kind: 'range'; min: number; max: number; log: boolean; int: boolean };

export interface SweepParameter {
  /** A dotted config key, e.g. `train.learningRate`. */
  key: string;
  space: ParameterSpace;
}

export interface SweepMetric {
  name: string;
  goal: 'max' | 'min';
}

/** A validated sweep file with its paths resolved. */
export interface SweepSpec {
  name: string;
  /** The sweep file, absolute. */
  path: string;
  /** The experiment file, absolute. */
  experiment: string;
  method: SweepMethod;
  /** In the file's order (a grid varies the last one fastest). */
  parameters: readonly SweepParameter[];
  /** Random search only. */
  trials?: number;
  /** Random search only. */
  seed?: number;
  set: readonly string[];
  workers: number;
  metric: SweepMetric;
}
