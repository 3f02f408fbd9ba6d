// One-vs-rest counts and rates per class from a confusion matrix (rows = true, columns = predicted),
// and the macro / weighted averages, with one explicit rule for values that are undefined (0 / 0).

/** One class against the rest. `support` = tp + fn (true count), `predicted` = tp + fp. */
export interface ClassCounts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
  readonly support: number;
  readonly predicted: number;
}

/** The rates of one class; each is NaN where its denominator is 0 (see `rates`). */
export interface ClassRates {
  /** tp / (tp + fp); NaN when nothing was predicted as the class. Equals PPV. */
  readonly precision: number;
  /** tp / (tp + fn); NaN when the class has no images (support 0). Equals sensitivity. */
  readonly recall: number;
  /** tn / (tn + fp); NaN when every image belongs to the class. */
  readonly specificity: number;
  /** tn / (tn + fn); NaN when every image was predicted as the class. */
  readonly npv: number;
  /**
   * 2tp / (2tp + fp + fn): the harmonic mean of precision and recall wherever both are defined, 0
   * when the class has images but none is found or nothing is predicted as it, NaN only when the
   * class is absent from both the truth and the predictions (scikit-learn's definition).
   */
  readonly f1: number;
}

/**
 * How an average treats classes whose value is undefined (NaN):
 * - 'nan' (default): the average is NaN too — nothing is hidden;
 * - 'skip': the average runs over the classes where it is defined (scikit-learn's zero_division=np.nan);
 * - 'zero': undefined counts as 0 (scikit-learn's default zero_division for precision/recall/F1).
 * Per-class values stay NaN under every policy.
 */
export type UndefinedPolicy = 'nan' | 'skip' | 'zero';
export const UNDEFINED_POLICIES: readonly UndefinedPolicy[] = ['nan', 'skip', 'zero'];

/** num / den, NaN when den is 0. */
export function ratio(num: number, den: number): number {
  return den === 0 ? Number.NaN : num / den;
}

export function countsFromConfusion(matrix: readonly (readonly number[])[]): ClassCounts[] {
  const k = matrix.length;
  let total = 0;
  const rowSums = new Array<number>(k).fill(0);
  const colSums = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = matrix[i]?.[j] ?? 0;
      rowSums[i]! += v;
      colSums[j]! += v;
      total += v;
    }
  }
  return rowSums.map((support, c) => {
    const tp = matrix[c]?.[c] ?? 0;
    const predicted = colSums[c] as number;
    return { tp, fp: predicted - tp, fn: support - tp, tn: total - support - predicted + tp, support, predicted };
  });
}

export function rates(c: ClassCounts): ClassRates {
  return {
    precision: ratio(c.tp, c.tp + c.fp),
    recall: ratio(c.tp, c.tp + c.fn),
    specificity: ratio(c.tn, c.tn + c.fp),
    npv: ratio(c.tn, c.tn + c.fn),
    f1: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
  };
}

/**
 * The mean of `values`, weighted by `weights` when given (terms of weight 0 are left out: they
 * contribute nothing), undefined (NaN) values handled by `policy`. NaN when nothing is left.
 */
export function averageOf(values: readonly number[], policy: UndefinedPolicy, weights?: readonly number[]): number {
  let sum = 0;
  let weightSum = 0;
  for (let c = 0; c < values.length; c++) {
    const w = weights ? (weights[c] as number) : 1;
    if (w === 0) continue;
    let v = values[c] as number;
    if (Number.isNaN(v)) {
      if (policy === 'nan') return Number.NaN;
      if (policy === 'skip') continue;
      v = 0;
    }
    sum += w * v;
    weightSum += w;
  }
  return weightSum === 0 ? Number.NaN : sum / weightSum;
}
