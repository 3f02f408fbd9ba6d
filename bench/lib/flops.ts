// Floating-point operations of one training step, counted from a tfjs layers model's shapes: forward
// multiply-adds of convolutions (incl. depthwise) and dense layers (2 FLOPs each), times 3 for a training
// step (the backward pass costs about twice the forward: input and weight gradients). Element-wise work is left out.
import type { tf } from '../../src';

export function forwardFlopsPerImage(model: tf.LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    const out = layer.outputShape as number[];
    const config = layer.getConfig() as { kernelSize?: number[]; filters?: number; units?: number };
    const cin = () => ((Array.isArray(layer.input) ? layer.input[0] : layer.input) as tf.SymbolicTensor).shape.at(-1) as number;
    switch (layer.getClassName()) {
      case 'Conv2D': {
        const [kh, kw] = config.kernelSize as number[];
        flops += 2 * (out[1] as number) * (out[2] as number) * (kh as number) * (kw as number) * cin() * (config.filters as number);
        break;
      }
      case 'DepthwiseConv2D': {
        const [kh, kw] = config.kernelSize as number[];
        flops += 2 * (out[1] as number) * (out[2] as number) * (kh as number) * (kw as number) * cin();
        break;
      }
      case 'Dense':
        flops += 2 * cin() * (config.units as number);
        break;
      default:
        break;
    }
  }
  return flops;
}

export const trainingFlopsPerImage = (model: tf.LayersModel): number => 3 * forwardFlopsPerImage(model);
