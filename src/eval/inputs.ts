// The checked inputs of every evaluation metric: true labels and row-major probabilities validated
// once (every problem listed), copied into typed arrays, with the predicted class (argmax) per image.
import { CLASS_NAMES } from '../data/classes';
import { ConfigError } from '../errors';

/** What the metrics evaluate: plain numbers, never tensors (see predict.ts for that boundary). */
export interface EvalData {
  /** The true class index of each image, 0 … k − 1 (k = classNames.length). */
  readonly yTrue: ArrayLike<number>;
  /** Row-major [n, k] class probabilities; each row in [0, 1] and summing to 1 (± 1e-3). */
  readonly probs: ArrayLike<number>;
}

/** Validated inputs: `yPred` is the argmax of each row (ties go to the lowest class index). */
export interface CheckedData {
  readonly yTrue: Int32Array;
  readonly probs: Float64Array;
  readonly yPred: Int32Array;
  readonly n: number;
  readonly k: number;
  readonly classNames: readonly string[];
}

/** How far a row's sum may be from 1 (float32 softmax rows are within ~1e-6). */
export const ROW_SUM_TOLERANCE = 1e-3;
const SHOWN = 3;

/** Validates `data` and `classNames` (default CLASS_NAMES); `source` names the caller in the error. */
export function checkEvalData(data: EvalData, options: { classNames?: readonly string[] | undefined; source: string }): CheckedData {
  const classNames = options.classNames ?? CLASS_NAMES;
  const issues: string[] = [];
  if (!Array.isArray(classNames) || classNames.length < 2) {
    issues.push(`\`classNames\` must list at least 2 classes. Received: ${JSON.stringify(classNames)}`);
  } else if (new Set(classNames).size !== classNames.length || classNames.some((c) => typeof c !== 'string' || c === '')) {
    issues.push(`\`classNames\` must be distinct non-empty strings. Received: ${JSON.stringify(classNames)}`);
  }
  const yTrueIn = data?.yTrue;
  const probsIn = data?.probs;
  if (yTrueIn === undefined || typeof yTrueIn.length !== 'number') issues.push('`yTrue` must be an array of class indices. Received: ' + typeof yTrueIn);
  if (probsIn === undefined || typeof probsIn.length !== 'number') issues.push('`probs` must be a row-major array of probabilities. Received: ' + typeof probsIn);
  if (issues.length) throw new ConfigError(options.source, issues);

  const n = yTrueIn.length;
  const k = classNames.length;
  if (n === 0) issues.push('`yTrue` is empty: the metrics need at least one image');
  if (probsIn.length !== n * k) {
    issues.push(`\`probs\` must hold n × k = ${n} × ${k} = ${n * k} values (row-major, one column per class name). Received: ${probsIn.length}`);
  }
  const badLabels: string[] = [];
  let badLabelCount = 0;
  const yTrue = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = yTrueIn[i] as number;
    if (!Number.isInteger(y) || y < 0 || y >= k) {
      if (badLabelCount++ < SHOWN) badLabels.push(`${String(y)} at index ${i}`);
    } else yTrue[i] = y;
  }
  if (badLabelCount) issues.push(`\`yTrue\` must hold class indices 0 … ${k - 1}. Received: ${more(badLabels, badLabelCount)}`);
  if (issues.length) throw new ConfigError(options.source, issues);

  const probs = Float64Array.from(probsIn);
  const yPred = new Int32Array(n);
  const badValues: string[] = [];
  const badSums: string[] = [];
  let badValueCount = 0;
  let badSumCount = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let best = 0;
    for (let c = 0; c < k; c++) {
      const p = probs[i * k + c] as number;
      if (!(p >= 0 && p <= 1)) {
        if (badValueCount++ < SHOWN) badValues.push(`${p} at row ${i}, column ${c}`);
      }
      sum += p;
      if (p > (probs[i * k + best] as number)) best = c;
    }
    yPred[i] = best;
    if (!(Math.abs(sum - 1) <= ROW_SUM_TOLERANCE) && badSumCount++ < SHOWN) badSums.push(`${sum} at row ${i}`);
  }
  if (badValueCount) issues.push(`\`probs\` must be probabilities in [0, 1]. Received: ${more(badValues, badValueCount)}`);
  if (badSumCount) issues.push(`\`probs\` rows must sum to 1 (± ${ROW_SUM_TOLERANCE}). Received: ${more(badSums, badSumCount)}`);
  if (issues.length) throw new ConfigError(options.source, issues);
  return { yTrue, probs, yPred, n, k, classNames: classNames.slice() };
}

/** Groups images by key (first-appearance order): CSR offsets into `members`, plus the keys. */
export interface GroupIndex<K> {
  readonly keys: K[];
  readonly offsets: Int32Array;
  readonly members: Int32Array;
  /** The index into `keys` of each image. */
  readonly groupOf: Int32Array;
}

/** Validates one key per image (`option` names the option in the error) and indexes the groups. */
export function indexGroups<K extends string | number>(keys: ArrayLike<K>, n: number, option: string, source: string): GroupIndex<K> {
  if (keys === undefined || typeof keys.length !== 'number' || keys.length !== n) {
    throw new ConfigError(source, [`\`${option}\` must hold one key per image (${n}). Received: ${keys === undefined ? 'undefined' : `length ${String(keys.length)}`}`]);
  }
  const ids = new Map<K, number>();
  const groupOf = new Int32Array(n);
  const bad: string[] = [];
  let badCount = 0;
  for (let i = 0; i < n; i++) {
    const key = keys[i] as K;
    if ((typeof key !== 'string' && typeof key !== 'number') || (typeof key === 'number' && !Number.isFinite(key))) {
      if (badCount++ < SHOWN) bad.push(`${String(key)} at index ${i}`);
      continue;
    }
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    groupOf[i] = id;
  }
  if (badCount) throw new ConfigError(source, [`\`${option}\` must hold strings or finite numbers. Received: ${more(bad, badCount)}`]);
  const offsets = new Int32Array(ids.size + 1);
  for (let i = 0; i < n; i++) {
    const slot = (groupOf[i] as number) + 1;
    offsets[slot] = (offsets[slot] as number) + 1;
  }
  for (let g = 1; g < offsets.length; g++) offsets[g] = (offsets[g] as number) + (offsets[g - 1] as number);
  const next = offsets.slice(0, -1);
  const members = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const g = groupOf[i] as number;
    members[next[g] as number] = i;
    next[g] = (next[g] as number) + 1;
  }
  return { keys: [...ids.keys()], offsets, members, groupOf };
}

function more(shown: readonly string[], count: number): string {
  return shown.join('; ') + (count > shown.length ? `; … and ${count - shown.length} more` : '');
}
