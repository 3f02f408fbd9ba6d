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
