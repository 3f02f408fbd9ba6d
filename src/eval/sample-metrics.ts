// Metrics as functions of one sample (labels, predictions, probabilities) → a number, the form the
// bootstrap resamples; each keeps its scratch buffers between calls, so resampling allocates little.
import { CLASS_NAMES } from '../data/classes';
import { ConfigError } from '../errors';
import { averageOf, ratio, UNDEFINED_POLICIES, type UndefinedPolicy } from './class-metrics';
import { DEFAULT_LOG_LOSS_EPSILON, logLossOf } from './log-loss';
import { aucOfSorted } from './roc';

/** One (re)sample: `yPred` is each row's argmax, `probs` row-major [n, numClasses]. */
export interface MetricSample {
  readonly yTrue: Int32Array;
  readonly yPred: Int32Array;
  readonly probs: Float64Array;
  readonly numClasses: number;
}

/** A metric of a sample; NaN where it is undefined for that sample (the bootstrap counts those). */
export type SampleMetric = (sample: MetricSample) => number;

export interface ClassMetricOptions {
  /** The class, as its column index (0 = covid in CLASS_NAMES). */
  classIndex: number;
}

export interface AverageMetricOptions {
  /** As in ReportOptions. Default 'nan': a resample missing a class gives NaN, not a mean over fewer classes. */
  undefinedInAverages?: UndefinedPolicy;
}

/** Factories of sample metrics; the values match classificationReport's on the same data. */
export const sampleMetrics = {
  accuracy(): SampleMetric {
    return (s) => {
      let correct = 0;
      for (let i = 0; i < s.yTrue.length; i++) if (s.yTrue[i] === s.yPred[i]) correct++;
      return ratio(correct, s.yTrue.length);
    };
  },
  /** tp / (tp + fn) of one class. */
  sensitivity(options: ClassMetricOptions): SampleMetric {
    const c = classIndexOf(options, 'sensitivity');
    return (s) => withCounts(s, c, (k) => ratio(k.tp, k.tp + k.fn));
  },
  /** tn / (tn + fp) of one class. */
  specificity(options: ClassMetricOptions): SampleMetric {
    const c = classIndexOf(options, 'specificity');
    return (s) => withCounts(s, c, (k) => ratio(k.tn, k.tn + k.fp));
  },
  /** tp / (tp + fp) of one class (precision). */
  ppv(options: ClassMetricOptions): SampleMetric {
    const c = classIndexOf(options, 'ppv');
    return (s) => withCounts(s, c, (k) => ratio(k.tp, k.tp + k.fp));
  },
  /** tn / (tn + fn) of one class. */
  npv(options: ClassMetricOptions): SampleMetric {
    const c = classIndexOf(options, 'npv');
    return (s) => withCounts(s, c, (k) => ratio(k.tn, k.tn + k.fn));
  },
  /** 2tp / (2tp + fp + fn) of one class. */
  f1(options: ClassMetricOptions): SampleMetric {
    const c = classIndexOf(options, 'f1');
    return (s) => withCounts(s, c, (k) => ratio(2 * k.tp, 2 * k.tp + k.fp + k.fn));
  },
  macroF1(options: AverageMetricOptions = {}): SampleMetric {
    const policy = policyOf(options, 'macroF1');
    let tp = new Float64Array(0);
    let support = new Float64Array(0);
    let predicted = new Float64Array(0);
    const f1: number[] = [];
    return (s) => {
      if (tp.length !== s.numClasses) {
        tp = new Float64Array(s.numClasses);
        support = new Float64Array(s.numClasses);
        predicted = new Float64Array(s.numClasses);
      } else {
        tp.fill(0);
        support.fill(0);
        predicted.fill(0);
      }
      for (let i = 0; i < s.yTrue.length; i++) {
        const y = s.yTrue[i] as number;
        const p = s.yPred[i] as number;
        support[y]! += 1;
        predicted[p]! += 1;
        if (y === p) tp[y]! += 1;
      }
      f1.length = s.numClasses;
      for (let c = 0; c < s.numClasses; c++) f1[c] = ratio(2 * (tp[c] as number), (support[c] as number) + (predicted[c] as number));
      return averageOf(f1, policy);
    };
  },
  /** One-vs-rest ROC-AUC of one class's probability column (ties count ½). */
  auc(options: ClassMetricOptions): SampleMetric {
    const c = classIndexOf(options, 'auc');
    const scratch = aucScratch();
    return (s) => scratch(s, c);
  },
  /** The mean of the one-vs-rest AUCs. */
  macroAuc(options: AverageMetricOptions = {}): SampleMetric {
    const policy = policyOf(options, 'macroAuc');
    const scratch = aucScratch();
    const aucs: number[] = [];
    return (s) => {
      aucs.length = s.numClasses;
      for (let c = 0; c < s.numClasses; c++) aucs[c] = scratch(s, c);
      return averageOf(aucs, policy);
    };
  },
  logLoss(options: { epsilon?: number } = {}): SampleMetric {
    const epsilon = options.epsilon ?? DEFAULT_LOG_LOSS_EPSILON;
    if (!(epsilon > 0 && epsilon < 0.5)) throw new ConfigError('sampleMetrics.logLoss', [`\`epsilon\` must be in (0, 0.5). Received: ${String(epsilon)}`]);
    return (s) => logLossOf({ yTrue: s.yTrue, probs: s.probs, k: s.numClasses }, epsilon);
  },
};

export interface StandardMetricOptions {
  /** Default CLASS_NAMES. */
  classNames?: readonly string[];
  /** The class whose sensitivity and PPV are reported. Default 0 (covid). */
  classIndex?: number;
}

/**
 * The metrics a reviewer asks for first: `accuracy`, `macroF1`, `macroAuc`, and
 * `<class>Sensitivity`, `<class>Ppv` for the chosen class (`covidSensitivity`, `covidPpv` by default).
 */
export function standardMetrics(options: StandardMetricOptions = {}): Record<string, SampleMetric> {
  const classNames = options.classNames ?? CLASS_NAMES;
  const classIndex = options.classIndex ?? 0;
  const name = classNames[classIndex];
  if (name === undefined || !Number.isInteger(classIndex)) {
    throw new ConfigError('standardMetrics', [`\`classIndex\` must be an integer in 0 … ${classNames.length - 1}. Received: ${String(classIndex)}`]);
  }
  return {
    accuracy: sampleMetrics.accuracy(),
    macroF1: sampleMetrics.macroF1(),
    macroAuc: sampleMetrics.macroAuc(),
    [`${name}Sensitivity`]: sampleMetrics.sensitivity({ classIndex }),
    [`${name}Ppv`]: sampleMetrics.ppv({ classIndex }),
  };
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

function withCounts(s: MetricSample, c: number, f: (k: Counts) => number): number {
  if (c >= s.numClasses) throw new ConfigError('sample metric', [`\`classIndex\` ${c} is not a column of a ${s.numClasses}-class sample`]);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < s.yTrue.length; i++) {
    const isTrue = s.yTrue[i] === c;
    const isPred = s.yPred[i] === c;
    if (isTrue && isPred) tp++;
    else if (isPred) fp++;
    else if (isTrue) fn++;
  }
  return f({ tp, fp, fn, tn: s.yTrue.length - tp - fp - fn });
}

/** The one-vs-rest AUC of class c, with its sort buffers kept (and grown) between calls. */
function aucScratch(): (s: MetricSample, c: number) => number {
  let pos = new Float64Array(0);
  let neg = new Float64Array(0);
  return (s, c) => {
    if (c >= s.numClasses) throw new ConfigError('sample metric', [`\`classIndex\` ${c} is not a column of a ${s.numClasses}-class sample`]);
    const n = s.yTrue.length;
    if (pos.length < n) {
      pos = new Float64Array(n);
      neg = new Float64Array(n);
    }
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      const score = s.probs[i * s.numClasses + c] as number;
      if (s.yTrue[i] === c) pos[a++] = score;
      else neg[b++] = score;
    }
    return aucOfSorted(pos.subarray(0, a).sort(), neg.subarray(0, b).sort());
  };
}

function classIndexOf(options: ClassMetricOptions, source: string): number {
  const c = options?.classIndex;
  if (!Number.isInteger(c) || c < 0) throw new ConfigError(`sampleMetrics.${source}`, [`\`classIndex\` must be a non-negative integer. Received: ${String(c)}`]);
  return c;
}

function policyOf(options: AverageMetricOptions, source: string): UndefinedPolicy {
  const policy = options.undefinedInAverages ?? 'nan';
  if (!UNDEFINED_POLICIES.includes(policy)) {
    throw new ConfigError(`sampleMetrics.${source}`, [`\`undefinedInAverages\` must be one of ${UNDEFINED_POLICIES.join(', ')}. Received: ${String(policy)}`]);
  }
  return policy;
}
