// Dropout with a seeded stream of masks. tfjs' Dropout passes its `seed` to randomUniform on every call,
// which makes a fixed-seed Dropout draw the *same* mask at every training step (the same units always
// dropped, their weights never trained). This layer keeps the base seed and gives each training call
// its own seed from (base seed, call count): reproducible for a run, new at every step. It saves and
// loads as a plain Keras/tfjs `Dropout` (the base seed in its config).
import { tf } from '../native/tf';
import { deriveSeed } from '../util/rng';

type DropoutArgs = Parameters<typeof tf.layers.dropout>[0];
type Kwargs = Record<string, unknown>;

/** tfjs-layers' Dropout class (not exported by name). */
const Dropout = tf.layers.dropout({ rate: 0.5 }).constructor as new (args: DropoutArgs) => tf.layers.Layer & { seed?: number; call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] };

class SeededDropout extends Dropout {
  private readonly baseSeed: number;
  private calls = 0;

  constructor(args: DropoutArgs & { seed: number }) {
    super(args);
    this.baseSeed = args.seed;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    if (kwargs.training === true) this.seed = deriveSeed(this.baseSeed, `dropout step ${this.calls++}`);
    try {
      return super.call(inputs, kwargs);
    } finally {
      this.seed = this.baseSeed;
    }
  }
}

/** A Dropout layer whose masks come from `seed`, a new one at each training step. */
export function seededDropout(args: DropoutArgs & { seed: number }): tf.layers.Layer {
  return new SeededDropout(args);
}
