// A run's evaluation of one held-out split: the model's probabilities → confusion matrix, classification
// report with ROC curves, calibration, seeded bootstrap intervals resampled by patient, and the same
// report per source. Returns numbers; the run's writer turns them into files and MLflow metrics.
import { CLASS_NAMES } from '../data/classes';
import type { IndexedImage } from '../data/index-entry';
import type { LabelledTensors } from '../data/load-tensors';
import {
  type BootstrapResult,
  type CalibrationReport,
  type ClassificationReport,
  type GroupReport,
  bootstrapCI,
  calibration,
  classificationReport,
  reportByGroup,
} from '../eval';
import { predictProbabilities } from '../eval/predict';
import type { tf } from '../native/tf';
import { groupOf } from './data';

export type HeldOutSplit = 'val' | 'test';

export interface SplitEvaluation {
  split: HeldOutSplit;
  n: number;
  accuracy: number;
  /** Rows = true class, columns = predicted, in CLASS_NAMES order. */
  confusion: number[][];
  report: ClassificationReport;
  calibration: CalibrationReport;
  /** Resampled by patient (images without a patient id stand alone). */
  intervals: BootstrapResult;
  /** The report per source tag; sources in `external` are other-source test sets, never seen in training. */
  perSource: GroupReport[];
  external: string[];
}

export interface EvaluateOptions {
  split: HeldOutSplit;
  batchSize: number;
  /** The bootstrap seed. */
  seed: number;
  /** Source tags that are external test sets. */
  externalSources: readonly string[];
}

/** `tensors` and `images` list the same images in the same order. */
export function evaluateSplit(model: tf.LayersModel, tensors: LabelledTensors, images: readonly IndexedImage[], options: EvaluateOptions): SplitEvaluation {
  const data = { yTrue: tensors.labels, probs: predictProbabilities(model, tensors.xs, options.batchSize).probs };
  const sources = images.map((e) => e.source);
  const report = classificationReport(data, { classNames: CLASS_NAMES, rocCurves: true });
  return {
    split: options.split,
    n: images.length,
    accuracy: report.accuracy,
    confusion: report.confusion,
    report,
    calibration: calibration(data, { classNames: CLASS_NAMES }),
    intervals: bootstrapCI(data, { seed: options.seed, classNames: CLASS_NAMES, groups: images.map(groupOf) }),
    perSource: [...reportByGroup(data, { classNames: CLASS_NAMES, groups: sources }).values()],
    external: options.externalSources.filter((s) => sources.includes(s)),
  };
}

/** The evaluation as MLflow metrics, prefixed by the split (`val_…`, `test_…`); intervals as `…_ci_low` / `…_ci_high`,
 * per-source figures as `<split>_<source>_…`. */
export function evaluationMetrics(e: SplitEvaluation): Record<string, number> {
  const p = e.split;
  const m: Record<string, number> = {
    [`final_${p}_accuracy`]: e.accuracy,
    [`${p}_balanced_accuracy`]: e.report.balancedAccuracy,
    [`${p}_macro_f1`]: e.report.macro.f1,
    [`${p}_macro_auc`]: e.report.macro.auc,
    [`${p}_log_loss`]: e.report.logLoss,
    [`${p}_ece`]: e.calibration.ece,
  };
  for (const c of e.report.perClass) {
    Object.assign(m, { [`${p}_${c.name}_sensitivity`]: c.sensitivity, [`${p}_${c.name}_specificity`]: c.specificity, [`${p}_${c.name}_ppv`]: c.ppv, [`${p}_${c.name}_auc`]: c.auc });
  }
  for (const [name, ci] of Object.entries(e.intervals.intervals)) {
    Object.assign(m, { [`${p}_${name}_ci_low`]: ci.lower, [`${p}_${name}_ci_high`]: ci.upper });
  }
  for (const g of e.perSource) {
    if (g.status === 'insufficient') continue;
    const key = `${p}_${String(g.key).replace(/[^\w.-]+/g, '_')}`;
    Object.assign(m, { [`${key}_accuracy`]: g.report.accuracy, [`${key}_macro_f1`]: g.report.macro.f1, [`${key}_n`]: g.n });
  }
  return m;
}
