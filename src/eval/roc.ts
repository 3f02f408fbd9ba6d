// Binary ROC: the curve (one point per distinct threshold) and the exact AUC by the Mann-Whitney
// rule, P(score of a positive > score of a negative) + ½ P(equal) — the trapezoid area of the curve.
import { ConfigError } from '../errors';

/** Scores of one binary problem (e.g. one class against the rest): `labels` 1 = positive, 0 = negative. */
export interface BinaryScores {
  readonly scores: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
}

/**
 * ROC points from the strictest threshold to the loosest: point j predicts positive when
 * score ≥ thresholds[j]. The first point is (0, 0) at threshold +Infinity (scikit-learn's
 * convention; JSON writes it as null), the last (1, 1). Every distinct score is a point (nothing
 * dropped: scikit-learn's drop_intermediate=false). With no positives tpr is NaN, with no
 * negatives fpr is NaN.
 */
export interface RocCurve {
  readonly fpr: number[];
  readonly tpr: number[];
  readonly thresholds: number[];
  readonly positives: number;
  readonly negatives: number;
}

export function rocCurve(data: BinaryScores): RocCurve {
  const { scores, positive } = checkBinary(data, 'rocCurve');
  return rocCurveOf(scores, positive);
}

/** The exact AUC (ties count ½); NaN when there are no positives or no negatives. */
export function rocAuc(data: BinaryScores): number {
  const { scores, positive } = checkBinary(data, 'rocAuc');
  let p = 0;
  for (let i = 0; i < positive.length; i++) p += positive[i] as number;
  const pos = new Float64Array(p);
  const neg = new Float64Array(positive.length - p);
  splitScores(scores, positive, pos, neg);
  return aucOfSorted(pos.sort(), neg.sort());
}

/** The trapezoid area under a curve's points; equals `rocAuc` of the same scores. */
export function curveArea(curve: Pick<RocCurve, 'fpr' | 'tpr'>): number {
  let area = 0;
  for (let j = 1; j < curve.fpr.length; j++) {
    area += ((curve.fpr[j] as number) - (curve.fpr[j - 1] as number)) * ((curve.tpr[j] as number) + (curve.tpr[j - 1] as number)) / 2;
  }
  return area;
}

/** Mann-Whitney AUC of ascending-sorted positive and negative scores, in O(P + N). */
export function aucOfSorted(pos: ArrayLike<number>, neg: ArrayLike<number>): number {
  if (pos.length === 0 || neg.length === 0) return Number.NaN;
  let below = 0; // negatives < current positive score
  let atOrBelow = 0; // negatives ≤ current positive score
  let wins = 0; // Σ over positives of (#neg below + ½ #neg equal), doubled to stay integral
  for (let i = 0; i < pos.length; i++) {
    const s = pos[i] as number;
    while (below < neg.length && (neg[below] as number) < s) below++;
    if (atOrBelow < below) atOrBelow = below;
    while (atOrBelow < neg.length && (neg[atOrBelow] as number) <= s) atOrBelow++;
    wins += below + atOrBelow;
  }
  return wins / (2 * pos.length * neg.length);
}

/** Copies the scores of positives into `pos` and of negatives into `neg` (sized to fit). */
export function splitScores(scores: ArrayLike<number>, positive: ArrayLike<number>, pos: Float64Array, neg: Float64Array): void {
  let a = 0;
  let b = 0;
  for (let i = 0; i < scores.length; i++) {
    if (positive[i]) pos[a++] = scores[i] as number;
    else neg[b++] = scores[i] as number;
  }
}

/** The curve without validation (inputs already checked). */
export function rocCurveOf(scores: ArrayLike<number>, positive: ArrayLike<number>): RocCurve {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let positives = 0;
  for (let i = 0; i < n; i++) positives += positive[i] ? 1 : 0;
  const negatives = n - positives;
  const fpr = [negatives === 0 ? Number.NaN : 0];
  const tpr = [positives === 0 ? Number.NaN : 0];
  const thresholds = [Number.POSITIVE_INFINITY];
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < n; ) {
    const s = scores[order[j] as number] as number;
    while (j < n && scores[order[j] as number] === s) {
      if (positive[order[j] as number]) tp++;
      else fp++;
      j++;
    }
    fpr.push(negatives === 0 ? Number.NaN : fp / negatives);
    tpr.push(positives === 0 ? Number.NaN : tp / positives);
    thresholds.push(s);
  }
  return { fpr, tpr, thresholds, positives, negatives };
}

function checkBinary(data: BinaryScores, source: string): { scores: Float64Array; positive: Uint8Array } {
  const issues: string[] = [];
  const n = data?.scores?.length;
  if (typeof n !== 'number' || n === 0) issues.push(`\`scores\` must be a non-empty array of numbers. Received: ${n === 0 ? 'an empty array' : typeof data?.scores}`);
  else if (data.labels?.length !== n) issues.push(`\`labels\` must hold one 0/1 label per score (${n}). Received: length ${String(data.labels?.length)}`);
  if (issues.length) throw new ConfigError(source, issues);
  const scores = Float64Array.from(data.scores);
  const positive = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const l = data.labels[i];
    if (l !== 0 && l !== 1) issues.push(`\`labels\` must be 0 or 1. Received: ${String(l)} at index ${i}`);
    else positive[i] = l;
    if (!Number.isFinite(scores[i])) issues.push(`\`scores\` must be finite. Received: ${scores[i]} at index ${i}`);
    if (issues.length >= 3) break;
  }
  if (issues.length) throw new ConfigError(source, issues);
  return { scores, positive };
}
