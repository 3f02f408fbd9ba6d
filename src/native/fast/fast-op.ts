// The contract of one fast-path replacement: a self-test on tiny tensors against the stock tfjs
// result, and an install step that runs only when the self-test passed.
import { tf } from '../tf';
export interface FastOp {
  /** Short name shown in reports, e.g. `relu-grad`. */
  name: string;
  /** Returns null when the native route matches the stock one, else why not. Must not leak tensors. */
  selfTest(): string | null;
  /** Puts the native route in place, after a passing self-test; returns the function that undoes it. */
  install(): () => void;
}

/** Runs a self-test body in a tensor scope: every tensor it makes is disposed, whatever it returns. */
export function inTensorScope<T>(body: () => T): T {
  tf.engine().startScope();
  try {
    return body();
  } finally {
    tf.engine().endScope();
  }
}

/**
 * Compares stock and fast results: returns the first `[what, stock, fast]` pair whose largest
 * difference exceeds `relTolerance` times the stock result's magnitude (at least 1), or null.
 */
export function firstMismatch(pairs: readonly [string, tf.Tensor, tf.Tensor][], relTolerance: number): string | null {
  for (const [what, stock, fast] of pairs) {
    const err = stock.sub(fast).abs().max().dataSync()[0] as number;
    const scale = stock.abs().max().dataSync()[0] as number;
    if (!(err <= relTolerance * Math.max(1, scale))) return `${what} differs by ${err}`;
  }
  return null;
}
