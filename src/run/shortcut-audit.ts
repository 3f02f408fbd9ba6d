// The shortcut audit of a trained model: can its penultimate features tell an image's source apart
// *within one class* (e.g. pneumonia from ieee vs kermany)? A cross-validated linear probe per class
// that has images from two or more sources, against the majority baseline. High probe accuracy means
// the features carry source cues the model could use instead of the disease.
import { CLASS_NAMES } from '../data/classes';
import type { IndexedImage } from '../data/index-entry';
import { rocAuc } from '../eval';
import { linearProbe } from '../eval/linear-probe';
import type { tf } from '../native/tf';
import { penultimateFeatures } from '../eval/predict';
import { groupOf } from './data';

export interface ShortcutProbe {
  className: string;
  n: number;
  sources: string[];
  folds: number;
  /** Out-of-fold accuracy of predicting the source from the features. */
  accuracy: number;
  /** The share of the commonest source: what guessing it always scores. */
  baseline: number;
  /** Macro one-vs-rest AUC of the source probabilities. */
  auc: number;
  /** accuracy well above baseline and AUC ≥ the warning level. */
  warning: boolean;
}

export interface ShortcutAudit {
  /** The layer whose output is probed. */
  layer: string;
  features: number;
  probes: ShortcutProbe[];
  warning: boolean;
  summary: string;
}

export interface ShortcutAuditOptions {
  seed: number;
  batchSize: number;
  /** A source needs this many images of a class to take part. Default 5. */
  minPerSource?: number;
  /** Warn when a probe's AUC reaches this. Default 0.8. */
  warnAuc?: number;
}

function macroAuc(probs: Float64Array, labels: Int32Array, k: number): number {
  const classes = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
  const aucs = classes.map((c) => rocAuc({ scores: Array.from(labels, (_, i) => probs[i * k + c] as number), labels: Array.from(labels, (l) => (l === c ? 1 : 0)) }));
  return aucs.reduce((a, b) => a + b, 0) / aucs.length;
}

/** The images to probe, in parts (e.g. the train, val and test tensors); each part's `xs` and `images` list the
 * same images in the same order. Any splits may be used: the probe is cross-validated by patient. */
export interface AuditPart {
  xs: tf.Tensor4D;
  images: readonly IndexedImage[];
}

export function shortcutAudit(model: tf.LayersModel, parts: readonly AuditPart[], options: ShortcutAuditOptions): ShortcutAudit {
  const minPerSource = options.minPerSource ?? 5;
  const warnAuc = options.warnAuc ?? 0.8;
  const extracted = parts.map((p) => penultimateFeatures(model, p.xs, options.batchSize));
  const { layer, dim } = extracted[0] ?? { layer: '(none)', dim: 0 };
  const values = new Float32Array(extracted.reduce((n, f) => n + f.values.length, 0));
  extracted.reduce((at, f) => (values.set(f.values, at), at + f.values.length), 0);
  const images = parts.flatMap((p) => p.images);
  const probes: ShortcutProbe[] = [];
  for (const className of CLASS_NAMES) {
    const rows = images.flatMap((e, i) => (e.label === className ? [i] : []));
    const perSource = new Map<string, number>();
    for (const i of rows) perSource.set((images[i] as IndexedImage).source, (perSource.get((images[i] as IndexedImage).source) ?? 0) + 1);
    const sources = [...perSource].filter(([, n]) => n >= minPerSource).map(([s]) => s).sort();
    if (sources.length < 2) continue;
    const used = rows.filter((i) => sources.includes((images[i] as IndexedImage).source));
    const labels = Int32Array.from(used, (i) => sources.indexOf((images[i] as IndexedImage).source));
    const features = new Float32Array(used.length * dim);
    used.forEach((i, r) => features.set(values.subarray(i * dim, (i + 1) * dim), r * dim));
    const probe = linearProbe({ features, dim, labels, numLabels: sources.length, groups: used.map((i) => groupOf(images[i] as IndexedImage)), seed: options.seed });
    const baseline = Math.max(...sources.map((_, s) => labels.filter((l) => l === s).length)) / used.length;
    const auc = macroAuc(probe.probs, labels, sources.length);
    probes.push({ className, n: used.length, sources, folds: probe.folds, accuracy: probe.accuracy, baseline, auc, warning: auc >= warnAuc && probe.accuracy - baseline >= 0.1 });
  }
  const flagged = probes.filter((p) => p.warning);
  const summary =
    probes.length === 0
      ? `No class has at least ${minPerSource} images from each of two sources, so the features cannot be checked for source cues within a class.`
      : flagged.length
        ? `WARNING: within ${flagged.map((p) => p.className).join(', ')}, a linear probe on the ${dim} features of layer ${layer} tells the source apart ` +
          `(${flagged.map((p) => `${p.className}: accuracy ${(100 * p.accuracy).toFixed(0)} % vs ${(100 * p.baseline).toFixed(0)} % by guessing, AUC ${p.auc.toFixed(2)}`).join('; ')}). ` +
          'The model sees where an image comes from; scores on these sources may rest on that rather than on the disease.'
        : `Within ${probes.map((p) => p.className).join(', ')}, a linear probe on the ${dim} features of layer ${layer} separates the sources below the warning level ` +
          `(${probes.map((p) => `${p.className}: AUC ${p.auc.toFixed(2)}, accuracy ${(100 * p.accuracy).toFixed(0)} % vs ${(100 * p.baseline).toFixed(0)} % by guessing`).join('; ')}; warning at AUC ${warnAuc}).`;
  return { layer, features: dim, probes, warning: flagged.length > 0, summary };
}

/** The audit as MLflow metrics: `shortcut_<class>_auc` and `…_accuracy` per probe. */
export function auditMetrics(audit: ShortcutAudit): Record<string, number> {
  return Object.fromEntries(audit.probes.flatMap((p) => [[`shortcut_${p.className}_auc`, p.auc], [`shortcut_${p.className}_accuracy`, p.accuracy]]));
}
