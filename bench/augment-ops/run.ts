// bench/augment-ops: images/s of augmenting one batch (Keras-typical options) with cxrlab's native
// route (ImageProjectiveTransformV3) against the alternatives measured in the same run: tfjs'
// Transform kernel on the 'cpu' backend (JavaScript), sharp's affine per image, and Keras' own
// ImageDataGenerator (scipy per image and channel).
// usage: node --import tsx bench/augment-ops/run.ts [--sizes 150,224] [--batch 32] [--seconds 1.5] [--no-keras]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { type AugmentOptions, type AugmentParams, affineMatrix, makeAugmenter, projectiveRow, tf } from '../../src';
import { median } from '../lib/stats';

const OPTIONS: AugmentOptions = { rotationRange: 20, widthShiftRange: 0.1, heightShiftRange: 0.1, shearRange: 10, zoomRange: 0.2, horizontalFlip: true };
const ROOT = join(__dirname, '..', '..');

/** Median seconds per call over at least 3 calls and `seconds` of wall time, after 2 warm-ups. */
async function timeIt(fn: () => unknown, seconds: number): Promise<number> {
  for (let i = 0; i < 2; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || performance.now() - start < seconds * 1000) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** sharp's affine wants the forward map (input → output); Keras' matrix pulls (output → input). */
function sharpAffine(params: AugmentParams, size: number): { matrix: [number, number, number, number]; idx: number; idy: number } {
  const m = affineMatrix(params, { height: size, width: size });
  if (!m) return { matrix: [1, 0, 0, 1], idx: 0, idy: 0 };
  const [a, b, c, d] = [m[0][0], m[0][1], m[1][0], m[1][1]];
  const det = a * d - b * c;
  return { matrix: [d / det, -b / det, -c / det, a / det], idx: -m[0][2], idy: -m[1][2] };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '150,224' },
      batch: { type: 'string', default: '32' },
      seconds: { type: 'string', default: '1.5' },
      'no-keras': { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const batch = Number(values.batch);
  const seconds = Number(values.seconds);
  const rows: Record<string, Record<number, string>> = {};
  const record = (route: string, size: number, imgPerSec: number, note = '') => {
    rows[route] ??= {};
    (rows[route] as Record<number, string>)[size] = `${imgPerSec.toFixed(0)}${note}`;
    return imgPerSec;
  };
  const headline: Record<string, number> = {};

  for (const size of sizes) {
    const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const data = x.dataSync() as Float32Array;
    const nearest = makeAugmenter(OPTIONS, 1);
    const constant = makeAugmenter({ ...OPTIONS, fillMode: 'constant' }, 1);
    let position = 0;
    const native = await timeIt(() => nearest.augment(x, { batch: position++ }).images.dispose(), seconds);
    headline[`native${size}`] = record('cxrlab native (ImageProjectiveTransformV3), fill nearest', size, batch / native);
    const nativeConstant = await timeIt(() => constant.augment(x, { batch: position++ }).images.dispose(), seconds);
    record('cxrlab native, fill constant (op + edge mask)', size, batch / nativeConstant);

    // The same records through tfjs' Transform kernel on the JavaScript 'cpu' backend. Its 4.22 kernel
    // returns from inside its batch loop (only image 0 is transformed, the rest is fill), so one call
    // per image.
    const params = nearest.sampleParams({ batch: 0 }, batch, { height: size, width: size });
    const reference = nearest.augment(x, { batch: 0 });
    const referenceData = reference.images.dataSync();
    reference.images.dispose();
    const pixels = size * size * 3;
    await tf.setBackend('cpu');
    const xs = params.map((_, i) => tf.tensor4d(data.subarray(i * pixels, (i + 1) * pixels), [1, size, size, 3]));
    const ts = params.map((p) => tf.tensor2d([...projectiveRow(p, { height: size, width: size })], [1, 8]));
    const cpuBatch = () => xs.map((xi, i) => tf.image.transform(xi, ts[i] as tf.Tensor2D, 'bilinear', 'nearest'));
    const cpuOut = cpuBatch();
    const cpuDiff = maxDiff(Float32Array.from(cpuOut.flatMap((t) => Array.from(t.dataSync()))), referenceData);
    tf.dispose(cpuOut);
    const cpu = await timeIt(() => tf.dispose(cpuBatch()), seconds);
    record("tfjs tf.image.transform, 'cpu' backend (JS), per image", size, batch / cpu, ` (max diff ${cpuDiff.toExponential(1)})`);
    tf.dispose([...xs, ...ts]);
    await tf.setBackend('tensorflow');

    // sharp: one libvips pipeline per image, float32 raw in and out, all images in flight at once.
    const perImage = params.map((p) => sharpAffine(p, size));
    const sharpBatch = () =>
      Promise.all(
        perImage.map((t, i) =>
          sharp(data.subarray(i * pixels, (i + 1) * pixels), { raw: { width: size, height: size, channels: 3 } })
            .affine(t.matrix, { idx: t.idx, idy: t.idy, interpolator: sharp.interpolators.bilinear })
            .raw({ depth: 'float' })
            .toBuffer(),
        ),
      );
    const sharpTime = await timeIt(sharpBatch, seconds);
    record('sharp affine per image (float32; speed only: bounding-box canvas, no fill modes)', size, batch / sharpTime);

    if (!values['no-keras']) {
      const res = spawnSync(join(ROOT, '.venv', 'bin', 'python'), [join(__dirname, 'keras_apply.py'), String(size), String(batch), String(seconds)], { encoding: 'utf8' });
      if (res.status !== 0) throw new Error(`keras_apply.py failed: ${res.stderr}`);
      const keras = JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}') as { imgPerSec: number };
      headline[`keras${size}`] = record('Keras ImageDataGenerator.random_transform (scipy, per image)', size, keras.imgPerSec);
    }
    x.dispose();
  }

  console.log(`augment-ops: batch ${batch}, options ${JSON.stringify(OPTIONS)}, images/s (median batch time)`);
  console.log(['route'.padEnd(84), ...sizes.map((s) => `${s}x${s}x3`.padStart(22))].join(''));
  for (const [route, bySize] of Object.entries(rows)) console.log([route.padEnd(84), ...sizes.map((s) => (bySize[s] ?? '-').padStart(22))].join(''));
  const first = sizes[0] as number;
  const keras = headline[`keras${first}`];
  console.log(keras ? `ratio=${((headline[`native${first}`] as number) / keras).toFixed(1)} (native ÷ Keras img/s at ${first}²)` : `native=${(headline[`native${first}`] as number).toFixed(0)} img/s at ${first}²`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
