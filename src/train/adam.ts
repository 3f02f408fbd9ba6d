// Adam in Keras 3's form: m ← m + (g − m)(1 − β1), v ← v + (g² − v)(1 − β2),
// w ← w − α·m / (√v + ε) with α = lr·√(1 − β2ᵗ) / (1 − β1ᵗ) computed once per step in JavaScript.
// Twelve ops per weight and one new scalar per step, against tfjs' fourteen ops and about five
// scalars built from JavaScript numbers per weight; ε sits where Keras (and TensorFlow's ApplyAdam)
// put it. The moment variables, their names and getWeights/setWeights are tfjs' own, so a saved
// optimizer state resumes under either class.
import { tf } from '../native/tf';

interface Moment {
  originalName: string;
  variable: tf.Variable;
}

/** The internals of tf.AdamOptimizer this class shares (moment slots, iteration count). */
interface AdamState {
  accumulatedFirstMoment: Moment[];
  accumulatedSecondMoment: Moment[];
  incrementIterations(): void;
}

export class KerasAdam extends tf.AdamOptimizer {
  private constants: { oneMinusBeta1: tf.Scalar; oneMinusBeta2: tf.Scalar; epsilon: tf.Scalar } | null = null;

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const state = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const c = (this.constants ??= tf.tidy(() => ({
      oneMinusBeta1: tf.keep(tf.scalar(1 - this.beta1)),
      oneMinusBeta2: tf.keep(tf.scalar(1 - this.beta2)),
      epsilon: tf.keep(tf.scalar(this.epsilon)),
    })));
    const t = this.iterations + 1;
    const alphaValue = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    tf.tidy(() => {
      const alpha = tf.scalar(alphaValue);
      names.forEach((name, i) => {
        const gradient = Array.isArray(variableGradients) ? variableGradients[i]?.tensor : variableGradients[name];
        if (!gradient) return;
        const value = tf.engine().registeredVariables[name] as tf.Variable;
        const m = (state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.variable(tf.zerosLike(value), false) }).variable;
        const v = (state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.variable(tf.zerosLike(value), false) }).variable;
        m.assign(m.add(gradient.sub(m).mul(c.oneMinusBeta1)));
        v.assign(v.add(gradient.square().sub(v).mul(c.oneMinusBeta2)));
        value.assign(value.sub(m.mul(alpha).div(v.sqrt().add(c.epsilon))));
      });
    });
    state.incrementIterations();
  }

  override dispose(): void {
    super.dispose();
    if (this.constants) tf.dispose(Object.values(this.constants));
    this.constants = null;
  }
}
