// The classification report: from true labels and probabilities to the confusion matrix, per-class
// rates, macro / weighted averages, accuracy, balanced accuracy, one-vs-rest ROC-AUC and log loss.
import { ConfigError } from '../errors';
import { averageOf, countsFromConfusion, rates, UNDEFINED_POLICIES, type UndefinedPolicy } from './class-metrics';
import { confusionMatrix } from './confusion';
import { checkEvalData, type CheckedData, type EvalData } from './inputs';
import { DEFAULT_LOG_LOSS_EPSILON, logLossOf } from './log-loss';
import { aucOfSorted, rocCurveOf, splitScores, type RocCurve } from './roc';

export interface ReportOptions {
  /** One name per probability column, in column order. Default CLASS_NAMES (covid, pneumonia, normal). */
  classNames?: readonly string[];
  /** How macro / weighted averages and balanced accuracy treat undefined per-class values. Default 'nan'. */
  undefinedInAverages?: UndefinedPolicy;
  /** Log-loss clipping, see LogLossOptions. Default 1e-15. */
  logLossEpsilon?: number;
  /** Include each class's ROC curve points (n + 1 points at most per class). Default true. */
  rocCurves?: boolean;
}

/** One class against the rest. Undefined rates (0 / 0) are NaN and explained in the report's notes. */
export interface ClassReport {
  readonly name: string;
  readonly index: number;
  /** Images whose true class this is (tp + fn). */
  readonly support: number;
  /** Images predicted as this class (tp + fp). */
  readonly predicted: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
  /** tp / (tp + fp). */
  readonly precision: number;
  /** Same value as precision. */
  readonly ppv: number;
  /** tp / (tp + fn). */
  readonly recall: number;
  /** Same value as recall. */
  readonly sensitivity: number;
  /** tn / (tn + fp). */
  readonly specificity: number;
  /** tn / (tn + fn). */
  readonly npv: number;
  /** 2tp / (2tp + fp + fn). */
  readonly f1: number;
  /** One-vs-rest ROC-AUC of this class's probability column; ties count ½. */
  readonly auc: number;
  /** Present unless `rocCurves: false`. */
  readonly roc?: RocCurve;
}

/** Averages over classes: macro (each class 1) or weighted (each class by its support). */
export interface AveragedMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly specificity: number;
  readonly npv: number;
  readonly f1: number;
  readonly auc: number;
}

export interface ClassificationReport {
  readonly classNames: readonly string[];
  readonly n: number;
  /** counts[true][predicted]; the prediction is each row's argmax (ties → lowest index). */
  readonly confusion: number[][];
  readonly perClass: readonly ClassReport[];
  readonly macro: AveragedMetrics;
  readonly weighted: AveragedMetrics;
  readonly accuracy: number;
  /** The macro average of recall (under `undefinedInAverages`). */
  readonly balancedAccuracy: number;
  /** Mean −ln p(true class), probabilities clipped to [ε, 1 − ε]. */
  readonly logLoss: number;
  readonly undefinedInAverages: UndefinedPolicy;
  /** One sentence per undefined value and per average it affects; empty when everything is defined. */
  readonly notes: readonly string[];
}

export function classificationReport(data: EvalData, options: ReportOptions = {}): ClassificationReport {
  const { policy, epsilon } = checkReportOptions(options, 'classificationReport');
  const d = checkEvalData(data, { classNames: options.classNames, source: 'classificationReport' });
  return reportOf(d, { policy, epsilon, rocCurves: options.rocCurves ?? true });
}

export function checkReportOptions(options: ReportOptions, source: string): { policy: UndefinedPolicy; epsilon: number } {
  const issues: string[] = [];
  const policy = options.undefinedInAverages ?? 'nan';
  if (!UNDEFINED_POLICIES.includes(policy)) {
    issues.push(`\`undefinedInAverages\` must be one of ${UNDEFINED_POLICIES.join(', ')}. Received: ${String(policy)}`);
  }
  const epsilon = options.logLossEpsilon ?? DEFAULT_LOG_LOSS_EPSILON;
  if (!(epsilon > 0 && epsilon < 0.5)) issues.push(`\`logLossEpsilon\` must be in (0, 0.5). Received: ${String(epsilon)}`);
  if (options.rocCurves !== undefined && typeof options.rocCurves !== 'boolean') {
    issues.push(`\`rocCurves\` must be true or false. Received: ${String(options.rocCurves)}`);
  }
  if (issues.length) throw new ConfigError(source, issues);
  return { policy, epsilon };
}

/** The report of checked inputs. */
export function reportOf(d: CheckedData, options: { policy: UndefinedPolicy; epsilon: number; rocCurves: boolean }): ClassificationReport {
  const { policy } = options;
  const confusion = confusionMatrix(d.yTrue, d.yPred, d.k);
  const counts = countsFromConfusion(confusion);
  const notes: string[] = [];
  const positive = new Uint8Array(d.n);
  const column = new Float64Array(d.n);
  const perClass: ClassReport[] = counts.map((c, index) => {
    const name = d.classNames[index] as string;
    const r = rates(c);
    for (let i = 0; i < d.n; i++) {
      positive[i] = d.yTrue[i] === index ? 1 : 0;
      column[i] = d.probs[i * d.k + index] as number;
    }
    const pos = new Float64Array(c.support);
    const neg = new Float64Array(d.n - c.support);
    splitScores(column, positive, pos, neg);
    const auc = aucOfSorted(pos.sort(), neg.sort());
    notes.push(...classNotes(name, r, auc));
    const report: ClassReport = { name, index, ...c, precision: r.precision, ppv: r.precision, recall: r.recall, sensitivity: r.recall, specificity: r.specificity, npv: r.npv, f1: r.f1, auc };
    return options.rocCurves ? { ...report, roc: rocCurveOf(column, positive) } : report;
  });
  const support = counts.map((c) => c.support);
  const metrics = ['precision', 'recall', 'specificity', 'npv', 'f1', 'auc'] as const;
  const average = (weights?: readonly number[]): AveragedMetrics => {
    const out = {} as Record<(typeof metrics)[number], number>;
    for (const m of metrics) out[m] = averageOf(perClass.map((c) => c[m]), policy, weights);
    return out;
  };
  const macro = average();
  const weighted = average(support);
  for (const m of metrics) {
    const missing = perClass.filter((c) => Number.isNaN(c[m])).map((c) => c.name);
    if (missing.length === 0) continue;
    const absentOnly = perClass.every((c) => !Number.isNaN(c[m]) || c.support === 0);
    const effect =
      policy === 'nan'
        ? `the macro ${absentOnly ? 'average is' : 'and weighted averages are'} NaN (undefinedInAverages 'nan'; 'skip' averages over the defined classes)`
        : policy === 'skip'
          ? 'the averages leave those classes out (undefinedInAverages \'skip\')'
          : 'the averages count it as 0 (undefinedInAverages \'zero\')';
    notes.push(`${m} is undefined for ${missing.join(', ')}: ${effect}${m === 'recall' ? '; balanced accuracy (the macro recall) likewise' : ''}`);
  }
  let correct = 0;
  for (let i = 0; i < d.n; i++) if (d.yTrue[i] === d.yPred[i]) correct++;
  return {
    classNames: d.classNames,
    n: d.n,
    confusion,
    perClass,
    macro,
    weighted,
    accuracy: correct / d.n,
    balancedAccuracy: macro.recall,
    logLoss: logLossOf(d, options.epsilon),
    undefinedInAverages: policy,
    notes,
  };
}

function classNotes(name: string, r: ReturnType<typeof rates>, auc: number): string[] {
  const notes: string[] = [];
  if (Number.isNaN(r.precision)) notes.push(`${name}: precision (PPV) is undefined — no image was predicted as ${name} (tp + fp = 0)`);
  if (Number.isNaN(r.recall)) notes.push(`${name}: recall (sensitivity) is undefined — no image of class ${name} (support 0)`);
  if (Number.isNaN(r.specificity)) notes.push(`${name}: specificity is undefined — every image is of class ${name} (tn + fp = 0)`);
  if (Number.isNaN(r.npv)) notes.push(`${name}: NPV is undefined — every image was predicted as ${name} (tn + fn = 0)`);
  if (Number.isNaN(r.f1)) notes.push(`${name}: F1 is undefined — ${name} is neither present nor predicted (2tp + fp + fn = 0)`);
  if (Number.isNaN(auc)) notes.push(`${name}: ROC-AUC is undefined — it needs images of ${name} and of the other classes`);
  return notes;
}
