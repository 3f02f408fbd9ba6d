// Seeded bootstrap confidence intervals (percentile method) for any sample metrics, resampling
// images — or whole groups (patients) with all their images when group ids are given.
import { ConfigError } from '../errors';
import { deriveSeed, Rng } from '../util/rng';
import { checkEvalData, indexGroups, type EvalData } from './inputs';
import { standardMetrics, type MetricSample, type SampleMetric } from './sample-metrics';

export interface BootstrapOptions {
  /** Required: the interval is a function of the seed (draws come from Rng(deriveSeed(seed, 'bootstrap'))). */
  seed: number;
  /** The metrics, by name; all are computed on the same resamples. Default standardMetrics({ classNames }). */
  metrics?: Readonly<Record<string, SampleMetric>>;
  /** Number of resamples. Default 1000. */
  resamples?: number;
  /** Coverage of the interval, in (0, 1). Default 0.95. */
  level?: number;
  /**
   * One group id per image (e.g. the patient id). When given, each resample draws as many groups as
   * there are, with replacement, and takes all images of each drawn group; else it draws n images.
   */
  groups?: ArrayLike<string | number>;
  /** Default CLASS_NAMES. */
  classNames?: readonly string[];
}

export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_LEVEL = 0.95;

export interface BootstrapInterval {
  /** The metric on the data as given (not a bootstrap mean). */
  readonly estimate: number;
  /** Percentiles (1 − level)/2 and (1 + level)/2 of the defined resample values, linearly interpolated. */
  readonly lower: number;
  readonly upper: number;
  /** Resamples where the metric was undefined (NaN); the interval uses the others. */
  readonly undefinedResamples: number;
}

export interface BootstrapResult {
  readonly method: 'percentile';
  readonly level: number;
  readonly resamples: number;
  readonly seed: number;
  /** What was resampled, and how many of them there are. */
  readonly unit: 'image' | 'group';
  readonly units: number;
  readonly intervals: Readonly<Record<string, BootstrapInterval>>;
  readonly notes: readonly string[];
}

/** Groups below this count get a note: percentile intervals from few units are rough. */
const FEW_UNITS = 20;

export function bootstrapCI(data: EvalData, bootstrapOptions: BootstrapOptions): BootstrapResult {
  const source = 'bootstrapCI';
  const options = bootstrapOptions ?? ({} as Partial<BootstrapOptions>);
  const d = checkEvalData(data, { classNames: options.classNames, source });
  const seed = options.seed;
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? DEFAULT_LEVEL;
  const metrics = options.metrics ?? standardMetrics({ classNames: d.classNames });
  const issues: string[] = [];
  if (!Number.isInteger(seed)) issues.push(`\`seed\` must be an integer. Received: ${String(seed)}`);
  if (!Number.isInteger(resamples) || resamples < 1) issues.push(`\`resamples\` must be a positive integer. Received: ${String(resamples)}`);
  if (!(level > 0 && level < 1)) issues.push(`\`level\` must be in (0, 1), e.g. 0.95. Received: ${String(level)}`);
  const names = Object.keys(metrics ?? {});
  if (names.length === 0 || names.some((m) => typeof metrics[m] !== 'function')) {
    issues.push(`\`metrics\` must map names to functions of a sample. Received: ${names.length === 0 ? 'no metrics' : names.filter((m) => typeof metrics[m] !== 'function').join(', ')}`);
  }
  if (issues.length) throw new ConfigError(source, issues);
  const groups = options.groups === undefined ? undefined : indexGroups(options.groups, d.n, 'groups', source);
  const fns = names.map((m) => metrics[m] as SampleMetric);
  const { n, k } = d;

  const full: MetricSample = { yTrue: d.yTrue, yPred: d.yPred, probs: d.probs, numClasses: k };
  const estimates = fns.map((f) => f(full));

  const values = fns.map(() => new Float64Array(resamples));
  const rng = new Rng(deriveSeed(seed, 'bootstrap'));
  let capacity = n;
  let yTrue = new Int32Array(capacity);
  let yPred = new Int32Array(capacity);
  let probs = new Float64Array(capacity * k);
  let sample: MetricSample = { yTrue, yPred, probs, numClasses: k };
  const units = groups ? groups.keys.length : n;
  for (let r = 0; r < resamples; r++) {
    let m = 0;
    if (groups === undefined) {
      for (let j = 0; j < n; j++) {
        const i = rng.int(n);
        yTrue[j] = d.yTrue[i] as number;
        yPred[j] = d.yPred[i] as number;
        for (let c = 0; c < k; c++) probs[j * k + c] = d.probs[i * k + c] as number;
      }
      m = n;
    } else {
      for (let u = 0; u < units; u++) {
        const g = rng.int(units);
        const from = groups.offsets[g] as number;
        const to = groups.offsets[g + 1] as number;
        if (m + to - from > capacity) {
          capacity = Math.max(2 * capacity, m + to - from);
          yTrue = grow(yTrue, new Int32Array(capacity));
          yPred = grow(yPred, new Int32Array(capacity));
          probs = grow(probs, new Float64Array(capacity * k));
        }
        for (let t = from; t < to; t++, m++) {
          const i = groups.members[t] as number;
          yTrue[m] = d.yTrue[i] as number;
          yPred[m] = d.yPred[i] as number;
          for (let c = 0; c < k; c++) probs[m * k + c] = d.probs[i * k + c] as number;
        }
      }
    }
    if (sample.yTrue.length !== m || sample.yTrue.buffer !== yTrue.buffer) {
      sample = m === capacity ? { yTrue, yPred, probs, numClasses: k } : { yTrue: yTrue.subarray(0, m), yPred: yPred.subarray(0, m), probs: probs.subarray(0, m * k), numClasses: k };
    }
    for (let j = 0; j < fns.length; j++) (values[j] as Float64Array)[r] = (fns[j] as SampleMetric)(sample);
  }

  const notes: string[] = [];
  if (units < FEW_UNITS) notes.push(`only ${units} ${groups ? 'groups' : 'images'} to resample: percentile intervals from so few are rough`);
  const intervals: Record<string, BootstrapInterval> = {};
  names.forEach((name, j) => {
    const all = values[j] as Float64Array;
    const defined = all.filter((v) => !Number.isNaN(v)).sort();
    const undefinedResamples = resamples - defined.length;
    if (undefinedResamples > 0) {
      notes.push(`${name}: undefined in ${undefinedResamples} of ${resamples} resamples (e.g. a class absent or never predicted there); the interval uses the other ${defined.length}`);
    }
    intervals[name] = {
      estimate: estimates[j] as number,
      lower: percentile(defined, (1 - level) / 2),
      upper: percentile(defined, (1 + level) / 2),
      undefinedResamples,
    };
  });
  return { method: 'percentile', level, resamples, seed, unit: groups ? 'group' : 'image', units, intervals, notes };
}

/** The p-quantile (p in [0, 1]) of ascending values, linearly interpolated (numpy's default); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo] as number;
  return a + (h - lo) * ((sorted[hi] as number) - a);
}

function grow<T extends Int32Array | Float64Array>(old: T, into: T): T {
  into.set(old as never);
  return into;
}
