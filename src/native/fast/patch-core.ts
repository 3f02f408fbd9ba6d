// Replacing a tfjs-core op export at run time. tfjs-layers looks its ops up on the tfjs-core exports
// object at call time, so a replacement there reaches every layer without forking tfjs.
import { tf } from '../tf';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = require('@tensorflow/tfjs-core') as Record<string, unknown>;

/**
 * Replaces `tfjs-core`'s export `name` by `make(stock)`; the replacement may call the stock op.
 * Returns the function that puts the stock op back.
 */
export function patchCoreOp<F extends (...args: never[]) => unknown>(name: string, make: (stock: F) => F): () => void {
  const stock = core[name] as F | undefined;
  if (typeof stock !== 'function') throw new Error(`@tensorflow/tfjs-core has no op '${name}' to replace`);
  core[name] = make(stock);
  return () => {
    core[name] = stock;
  };
}

/** Like patchCoreOp, for an op of `tfjs-core`'s `fused` namespace (conv2d, matMul, depthwiseConv2d). */
export function patchFusedOp<F extends (...args: never[]) => unknown>(name: string, make: (stock: F) => F): () => void {
  const fused = core.fused as Record<string, unknown>;
  const stock = fused[name] as F | undefined;
  if (typeof stock !== 'function') throw new Error(`@tensorflow/tfjs-core has no fused op '${name}' to replace`);
  fused[name] = make(stock);
  return () => {
    fused[name] = stock;
  };
}

/** True while a gradient tape records (a training step), false in inference. */
export function tapeIsRecording(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}
