// 2-D convolution + bias for training as one oneDNN kernel, with native gradients: BiasAddGrad for the
// bias (instead of a generic Sum), Conv2DBackpropFilter for the kernel and oneDNN's backprop-input for
// the layer input, each computed only when the tape needs it. The activation stays a separate op
// (ReLU already has its native gradient). Inference keeps tfjs' own fused kernel.
import { runOp, type OpAttr } from '../exec';
import { tf } from '../tf';
import { type FastOp, firstMismatch, inTensorScope } from './fast-op';
import { patchFusedOp, tapeIsRecording } from './patch-core';

const KERNEL = '_CxrlabConv2DBias';
type FusedConv2D = typeof tf.fused.conv2d;
type FusedConvArgs = Parameters<FusedConv2D>[0];

interface ConvAttrs {
  strides: [number, number];
  pad: 'valid' | 'same';
}

function opAttrs({ strides, pad }: ConvAttrs, mkl: boolean): OpAttr[] {
  return [
    { name: 'T', type: 'float32' },
    { name: 'strides', int: [1, strides[0], strides[1], 1] },
    { name: 'padding', string: pad.toUpperCase() },
    { name: 'data_format', string: 'NHWC' },
    { name: 'dilations', int: [1, 1, 1, 1] },
    ...(mkl ? [{ name: '_kernel', string: 'MklNameChangeOp' }] : [{ name: 'use_cudnn_on_gpu', bool: true }]),
  ];
}

function withShape(shape: number[], body: (sizes: tf.Tensor) => tf.Tensor): tf.Tensor {
  const sizes = tf.tensor1d(shape, 'int32');
  try {
    return body(sizes);
  } finally {
    sizes.dispose();
  }
}

function register(): () => void {
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, attrs }) => {
      const { x, filter, bias } = inputs as { x: tf.Tensor; filter: tf.Tensor; bias: tf.Tensor };
      return runOp('_MklNativeConv2DWithBias', opAttrs(attrs as unknown as ConvAttrs, true), [x, filter, bias]);
    },
  });
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor, tf.Tensor];
      const dz = dy as tf.Tensor;
      const a = attrs as unknown as ConvAttrs;
      return {
        x: () => withShape(x.shape, (s) => runOp('_MklNativeConv2DBackpropInput', opAttrs(a, true), [s, filter, dz])),
        filter: () => withShape(filter.shape, (s) => runOp('Conv2DBackpropFilter', opAttrs(a, false), [x, s, dz])),
        bias: () => runOp('BiasAddGrad', [{ name: 'T', type: 'float32' }, { name: 'data_format', string: 'NHWC' }], [dz]),
      };
    },
  });
  return () => tf.unregisterKernel(KERNEL, 'tensorflow');
}

function convBias(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, attrs: ConvAttrs): tf.Tensor4D {
  return tf.engine().runKernel(KERNEL, { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

const ones = (v: unknown) => v === undefined || v === 1 || (Array.isArray(v) && v.every((d) => d === 1));

/** The argument shapes the self-test covers: NHWC float32, bias, no dilation, valid/same, ReLU or none. */
function eligible(args: FusedConvArgs): ConvAttrs | null {
  const { x, filter, bias, strides, pad, dataFormat, dilations, dimRoundingMode, activation, preluActivationWeights, leakyreluAlpha } = args;
  if (!(x instanceof tf.Tensor) || !(filter instanceof tf.Tensor) || !(bias instanceof tf.Tensor)) return null;
  if (x.rank !== 4 || x.dtype !== 'float32' || bias.rank !== 1 || (dataFormat ?? 'NHWC') !== 'NHWC') return null;
  if (!ones(dilations) || dimRoundingMode !== undefined || preluActivationWeights || leakyreluAlpha !== undefined) return null;
  if (pad !== 'valid' && pad !== 'same') return null;
  if (activation !== undefined && activation !== 'linear' && activation !== 'relu') return null;
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
  return { strides: [sh, sw], pad };
}

export const convBiasOp: FastOp = {
  name: 'conv-bias',
  selfTest() {
    const undo = register();
    try {
      return inTensorScope(() => {
        for (const [h, k, stride, pad] of [
          [9, 3, 1, 'valid'],
          [8, 3, 2, 'same'],
          [7, 1, 1, 'same'],
        ] as const) {
          const x = tf.randomNormal([2, h, h + 1, 3], 0, 1, 'float32', h) as tf.Tensor4D;
          const w = tf.randomNormal([k, k, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
          const b = tf.randomNormal([4], 0, 1, 'float32', 3) as tf.Tensor1D;
          const attrs: ConvAttrs = { strides: [stride, stride], pad };
          const stock = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, stride, pad).add(bb);
          const fast = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => convBias(xx as tf.Tensor4D, ww as tf.Tensor4D, bb as tf.Tensor1D, attrs);
          const dy = tf.randomNormal(stock(x, w, b).shape, 0, 1, 'float32', 4);
          const grads = (f: typeof stock) => tf.grads((xx, ww, bb) => f(xx as tf.Tensor, ww as tf.Tensor, bb as tf.Tensor).mul(dy).sum())([x, w, b]);
          const pairs: [string, tf.Tensor, tf.Tensor][] = [['forward', stock(x, w, b), fast(x, w, b)]];
          const [gs, gf] = [grads(stock), grads(fast)];
          ['dx', 'dw', 'db'].forEach((n, i) => pairs.push([n, gs[i] as tf.Tensor, gf[i] as tf.Tensor]));
          const mismatch = firstMismatch(pairs, 1e-5);
          if (mismatch) return `${k}x${k}/${stride} ${pad} on ${h}x${h + 1}: ${mismatch}`;
        }
        return null;
      });
    } finally {
      undo();
    }
  },
  install() {
    const unregister = register();
    const unpatch = patchFusedOp<FusedConv2D>('conv2d', (stock) => ((args: FusedConvArgs) => {
      const attrs = tapeIsRecording() ? eligible(args) : null;
      if (!attrs) return stock(args as never);
      const z = convBias(args.x as tf.Tensor4D, args.filter as tf.Tensor4D, args.bias as tf.Tensor1D, attrs);
      return (args.activation === 'relu' ? tf.relu(z) : z) as never;
    }) as FusedConv2D);
    return () => {
      unpatch();
      unregister();
    };
  },
};
