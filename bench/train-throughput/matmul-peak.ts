// The machine's float32 matmul peak on the native backend: the best of several 2048×2048 products,
// in GFLOP/s. The ceiling achieved training throughput is compared against.
import { tf } from '../../src';

export function matmulPeakGflops(n = 2048, repeats = 8): number {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    best = Math.min(best, performance.now() - t0);
    c.dispose();
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / (best / 1000) / 1e9;
}
