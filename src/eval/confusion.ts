// Pure metrics on plain numbers: confusion matrix (rows = true class, columns = predicted) and accuracy.
import type { Predictions } from './predict';

export function argmaxRows(p: Predictions): Int32Array {
  const n = p.probs.length / p.numClasses;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < p.numClasses; c++) {
      if ((p.probs[i * p.numClasses + c] as number) > (p.probs[i * p.numClasses + best] as number)) best = c;
    }
    out[i] = best;
  }
  return out;
}

export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  if (yTrue.length !== yPred.length) throw new RangeError(`yTrue has ${yTrue.length} labels, yPred ${yPred.length}`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) (m[yTrue[i] as number] as number[])[yPred[i] as number]! += 1;
  return m;
}

export function accuracyOf(matrix: readonly (readonly number[])[]): number {
  let correct = 0;
  let total = 0;
  matrix.forEach((row, i) => row.forEach((v, j) => ((total += v), i === j && (correct += v))));
  return total === 0 ? Number.NaN : correct / total;
}
