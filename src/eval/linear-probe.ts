// A cross-validated linear probe on plain numbers: multinomial logistic regression (L2, full-batch
// gradient descent on standardised features) trained on k−1 folds and scored on the held-out fold, with
// folds dealt by group (a patient's images stay in one fold) and balanced per label. Seeded; no tensors.
import { ConfigError } from '../errors';
import { Rng } from '../util/rng';

export interface LinearProbeOptions {
  /** Row-major [n, dim] features. */
  features: ArrayLike<number>;
  dim: number;
  /** Label per row, 0 … numLabels − 1. */
  labels: ArrayLike<number>;
  numLabels: number;
  /** Group per row (e.g. patient); rows of one group share a fold. */
  groups: ArrayLike<string | number>;
  seed: number;
  /** Default 5 (fewer when there are fewer groups). */
  folds?: number;
  /** L2 penalty on the weights. Default 1e-3. */
  l2?: number;
  /** Gradient steps per fold. Default 300. */
  steps?: number;
}

export interface LinearProbeResult {
  folds: number;
  /** Row-major [n, numLabels] out-of-fold probabilities. */
  probs: Float64Array;
  /** Out-of-fold accuracy. */
  accuracy: number;
}

/** Deals whole groups to folds: groups in seeded order, each to the fold with the fewest rows of its majority label. */
function assignFolds(labels: ArrayLike<number>, groups: ArrayLike<string | number>, numLabels: number, k: number, seed: number): Int32Array {
  const members = new Map<string | number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const g = groups[i] as string | number;
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  }
  const fold = new Int32Array(labels.length);
  const load = Array.from({ length: k }, () => new Float64Array(numLabels));
  for (const rows of new Rng(seed).shuffle([...members.values()])) {
    const label = labels[rows[0] as number] as number;
    let best = 0;
    for (let f = 1; f < k; f++) if ((load[f] as Float64Array)[label]! < (load[best] as Float64Array)[label]!) best = f;
    for (const r of rows) fold[r] = best;
    (load[best] as Float64Array)[label]! += rows.length;
  }
  return fold;
}

/** Fits on the rows where `train` is true and writes probabilities for the others into `out`. */
function fitFold(o: Required<Omit<LinearProbeOptions, 'groups' | 'seed' | 'folds'>>, train: Uint8Array, out: Float64Array): void {
  const { features: x, dim, labels, numLabels: c, l2, steps } = o;
  const n = labels.length;
  const mean = new Float64Array(dim);
  const sd = new Float64Array(dim);
  let m = 0;
  for (let i = 0; i < n; i++) if (train[i]) { m++; for (let j = 0; j < dim; j++) mean[j]! += x[i * dim + j] as number; }
  for (let j = 0; j < dim; j++) mean[j]! /= m;
  for (let i = 0; i < n; i++) if (train[i]) for (let j = 0; j < dim; j++) sd[j]! += ((x[i * dim + j] as number) - mean[j]!) ** 2;
  for (let j = 0; j < dim; j++) sd[j] = Math.sqrt(sd[j]! / m) || 1;
  const z = (i: number, j: number): number => ((x[i * dim + j] as number) - mean[j]!) / sd[j]!;
  const w = new Float64Array(dim * c);
  const b = new Float64Array(c);
  const p = new Float64Array(c);
  const probsOf = (i: number): Float64Array => {
    let max = -Infinity;
    for (let k = 0; k < c; k++) {
      let s = b[k]!;
      for (let j = 0; j < dim; j++) s += z(i, j) * w[j * c + k]!;
      p[k] = s;
      max = Math.max(max, s);
    }
    let total = 0;
    for (let k = 0; k < c; k++) total += (p[k] = Math.exp(p[k]! - max));
    for (let k = 0; k < c; k++) p[k]! /= total;
    return p;
  };
  const gw = new Float64Array(dim * c);
  const gb = new Float64Array(c);
  const rate = 0.5;
  for (let step = 0; step < steps; step++) {
    gw.fill(0);
    gb.fill(0);
    for (let i = 0; i < n; i++) {
      if (!train[i]) continue;
      const q = probsOf(i);
      for (let k = 0; k < c; k++) {
        const err = q[k]! - (labels[i] === k ? 1 : 0);
        gb[k]! += err;
        for (let j = 0; j < dim; j++) gw[j * c + k]! += err * z(i, j);
      }
    }
    for (let k = 0; k < c; k++) b[k]! -= (rate * gb[k]!) / m;
    for (let t = 0; t < w.length; t++) w[t]! -= rate * (gw[t]! / m + l2 * w[t]!);
  }
  for (let i = 0; i < n; i++) if (!train[i]) out.set(probsOf(i), i * c);
}

export function linearProbe(options: LinearProbeOptions): LinearProbeResult {
  const { dim, labels, numLabels, groups } = options;
  const n = labels.length;
  if (options.features.length !== n * dim || groups.length !== n) {
    throw new ConfigError('linearProbe', [`features must be [${n}, ${dim}] and groups ${n} long. Received ${options.features.length} features and ${groups.length} groups`]);
  }
  const distinct = new Set(Array.from({ length: n }, (_, i) => groups[i])).size;
  const k = Math.min(options.folds ?? 5, distinct);
  if (k < 2) throw new ConfigError('linearProbe', [`needs at least 2 groups for cross-validation. Received ${distinct}`]);
  const fold = assignFolds(labels, groups, numLabels, k, options.seed);
  const probs = new Float64Array(n * numLabels);
  const train = new Uint8Array(n);
  const fit = { features: options.features, dim, labels, numLabels, l2: options.l2 ?? 1e-3, steps: options.steps ?? 300 };
  for (let f = 0; f < k; f++) {
    for (let i = 0; i < n; i++) train[i] = fold[i] === f ? 0 : 1;
    fitFold(fit, train, probs);
  }
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numLabels; c++) if (probs[i * numLabels + c]! > probs[i * numLabels + best]!) best = c;
    if (best === labels[i]) correct++;
  }
  return { folds: k, probs, accuracy: correct / n };
}
