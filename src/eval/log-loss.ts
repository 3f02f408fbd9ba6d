// Log loss (mean categorical cross-entropy, natural log) of the true class's probability.
import { checkEvalData, type CheckedData, type EvalData } from './inputs';

export interface LogLossOptions {
  /** Default CLASS_NAMES; only its length (k) matters here. */
  classNames?: readonly string[];
  /** Probabilities are clipped to [ε, 1 − ε] so a confident miss costs −ln ε, not Infinity. Default 1e-15. */
  epsilon?: number;
}

export const DEFAULT_LOG_LOSS_EPSILON = 1e-15;

export function logLoss(data: EvalData, options: LogLossOptions = {}): number {
  return logLossOf(checkEvalData(data, { classNames: options.classNames, source: 'logLoss' }), options.epsilon ?? DEFAULT_LOG_LOSS_EPSILON);
}

/** On checked inputs. */
export function logLossOf(d: Pick<CheckedData, 'yTrue' | 'probs' | 'k'>, epsilon: number): number {
  const n = d.yTrue.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = d.probs[i * d.k + (d.yTrue[i] as number)] as number;
    sum -= Math.log(Math.min(Math.max(p, epsilon), 1 - epsilon));
  }
  return sum / n;
}
