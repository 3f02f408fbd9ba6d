// Adam in Keras 3's form: m ← m + (g − m)(1 − β1), v ← v + (g² − v)(1 − β2),
// w ← w − α·m / (√v + ε) with α = lr·√(1 − β2ᵗ) / (1 − β1ᵗ); ε sits where Keras (and TensorFlow's
// ApplyAdam) put it. On the fast path each weight's update is one native kernel (native/fast/
// adam-update.ts); otherwise it is twelve tfjs ops per weight and one new scalar per step, against
// tfjs' fourteen ops and about five scalars per weight. Either way getWeights/setWeights use tfjs'
// layout (iterations, then every first moment `<weight>/m`, then every second moment `<weight>/v`),
// so a saved optimizer state resumes under either route and under tf.train.adam.
import { type AdamSlot, applyAdam, createSlot, destroySlot, nativeAdamEnabled, readResource, stepScalars } from '../native/fast/adam-update';
import { tf } from '../native/tf';

type NamedTensor = { name: string; tensor: tf.Tensor };

interface Moment {
  originalName: string;
  variable: tf.Variable;
}

/** The internals of tf.AdamOptimizer this class shares (moment slots, iteration count). */
interface AdamState {
  accumulatedFirstMoment: Moment[];
  accumulatedSecondMoment: Moment[];
  incrementIterations(): void;
  saveIterations(): Promise<NamedTensor>;
  extractIterations(weights: NamedTensor[]): Promise<NamedTensor[]>;
}

type Gradients = tf.NamedTensorMap | NamedTensor[];

interface WeightUpdate {
  /** The weight's position in the gradient list: tfjs keys an optimizer's per-weight state by it. */
  index: number;
  name: string;
  weight: tf.Variable;
  gradient: tf.Tensor;
}

/** Each weight that has a gradient, with its position. */
function weightUpdates(gradients: Gradients): WeightUpdate[] {
  const named = Array.isArray(gradients) ? gradients.map((g) => [g.name, g.tensor] as const) : Object.entries(gradients);
  return named.flatMap(([name, gradient], index) =>
    gradient ? [{ index, name, weight: tf.engine().registeredVariables[name] as tf.Variable, gradient }] : [],
  );
}

export class KerasAdam extends tf.AdamOptimizer {
  private constants: { oneMinusBeta1: tf.Scalar; oneMinusBeta2: tf.Scalar; epsilon: tf.Scalar } | null = null;
  /** The native route's per-weight state (by the weight's position, as tfjs keys its moments), or null on the JavaScript route. */
  private readonly slots: (AdamSlot & { name: string })[] | null;
  /** The tensors the last getWeights() made, kept alive until the next call or dispose(). */
  private lastWeights: tf.Tensor[] = [];

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7) {
    super(learningRate, beta1, beta2, epsilon);
    this.slots = nativeAdamEnabled() ? [] : null;
  }

  override applyGradients(variableGradients: Gradients): void {
    const state = this as unknown as AdamState;
    const step = this.iterations + 1;
    const updates = weightUpdates(variableGradients);
    if (this.slots) this.applyNatively(updates, step, this.slots);
    else this.applyInJavaScript(updates, step, state);
    state.incrementIterations();
  }

  private applyNatively(updates: WeightUpdate[], step: number, slots: (AdamSlot & { name: string })[]): void {
    const scalars = stepScalars({ learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, step });
    try {
      for (const { index, name, weight, gradient } of updates) {
        const slot = (slots[index] ??= { name, ...createSlot(weight.shape) });
        applyAdam(slot, weight, gradient, scalars);
      }
    } finally {
      tf.dispose(scalars);
    }
  }

  private applyInJavaScript(updates: WeightUpdate[], step: number, state: AdamState): void {
    const c = (this.constants ??= tf.tidy(() => ({
      oneMinusBeta1: tf.keep(tf.scalar(1 - this.beta1)),
      oneMinusBeta2: tf.keep(tf.scalar(1 - this.beta2)),
      epsilon: tf.keep(tf.scalar(this.epsilon)),
    })));
    const alphaValue = (this.learningRate * Math.sqrt(1 - this.beta2 ** step)) / (1 - this.beta1 ** step);
    tf.tidy(() => {
      const alpha = tf.scalar(alphaValue);
      for (const { index, name, weight, gradient } of updates) {
        const moment = (key: 'm' | 'v'): Moment => ({ originalName: `${name}/${key}`, variable: tf.variable(tf.zerosLike(weight), false) });
        const m = (state.accumulatedFirstMoment[index] ??= moment('m')).variable;
        const v = (state.accumulatedSecondMoment[index] ??= moment('v')).variable;
        m.assign(m.add(gradient.sub(m).mul(c.oneMinusBeta1)));
        v.assign(v.add(gradient.square().sub(v).mul(c.oneMinusBeta2)));
        weight.assign(weight.sub(m.mul(alpha).div(v.sqrt().add(c.epsilon))));
      }
    });
  }

  /**
   * tfjs' layout. The tensors stay valid until the next getWeights() or dispose(), which free the
   * ones made here (tfjs' own Adam leaves its iterations scalar to leak on every call).
   */
  override async getWeights(): Promise<NamedTensor[]> {
    const state = this as unknown as AdamState;
    tf.dispose(this.lastWeights);
    const iterations = await state.saveIterations();
    const moments = this.slots
      ? (['m', 'v'] as const).flatMap((key) => this.slots!.map((slot) => ({ name: `${slot.name}/${key}`, tensor: readResource(slot[key]) })))
      : [...state.accumulatedFirstMoment, ...state.accumulatedSecondMoment].map((s) => ({ name: s.originalName, tensor: s.variable as tf.Tensor }));
    this.lastWeights = [iterations.tensor, ...(this.slots ? moments.map((m) => m.tensor) : [])];
    return [iterations, ...moments];
  }

  override async setWeights(weights: NamedTensor[]): Promise<void> {
    if (!this.slots) return super.setWeights(weights);
    const state = this as unknown as AdamState;
    const moments = await state.extractIterations(weights);
    const count = moments.length / 2;
    this.slots.splice(0).forEach(destroySlot);
    for (let i = 0; i < count; i++) {
      const m = moments[i] as NamedTensor;
      const v = moments[count + i] as NamedTensor;
      this.slots.push({ name: m.name.replace(/\/m$/, ''), ...createSlot(m.tensor.shape, { m: m.tensor, v: v.tensor }) });
    }
  }

  override dispose(): void {
    super.dispose();
    if (this.constants) tf.dispose(Object.values(this.constants));
    this.constants = null;
    this.slots?.splice(0).forEach(destroySlot);
    tf.dispose(this.lastWeights);
    this.lastWeights = [];
  }
}
