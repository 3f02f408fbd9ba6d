import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { type AugmentParams, FILL_MODES, type FillMode, IDENTITY_PARAMS, type ImageSize, affineMatrix, applyParams, resolveAugmentOptions, sampleBatchParams, toScipy } from '../../src/augment';
import { tf } from '../../src/native/tf';
import { Rng } from '../../src/util/rng';
import { ROOT, VENV_BIN } from '../helpers/project';

// One call of test/helpers/keras_affine.py (the venv's Keras 3 legacy ImageDataGenerator) answers
// every case of this file: importing Keras takes several seconds.

interface Case {
  params: AugmentParams;
  height: number;
  width: number;
  fillMode?: FillMode;
  cval?: number;
  image?: number[];
  channels?: number;
}
interface KerasResult {
  matrix: [[number, number], [number, number]] | null;
  offset: [number, number] | null;
  image?: number[];
}

/** Tolerance of image parity, for images with values in [0, 1]: see the image test. */
const IMAGE_TOLERANCE = 2e-5;
const CVAL = 0.3;

const P = (p: Partial<AugmentParams>): AugmentParams => ({ ...IDENTITY_PARAMS, ...p });

const MATRIX_SIZES: ImageSize[] = [
  { height: 5, width: 5 },
  { height: 32, width: 32 },
  { height: 150, width: 150 },
  { height: 224, width: 224 },
  { height: 5, width: 9 },
  { height: 40, width: 24 },
];

function matrixCases(): Case[] {
  const wide = resolveAugmentOptions({
    rotationRange: 180,
    widthShiftRange: 0.3,
    heightShiftRange: [2, 5, 11],
    shearRange: 45,
    zoomRange: [0.5, 1.6],
    horizontalFlip: true,
    verticalFlip: true,
  });
  const single = [P({ theta: 90 }), P({ theta: -33.3 }), P({ tx: 3 }), P({ ty: -7.5 }), P({ shear: 20 }), P({ zx: 1.2 }), P({ zy: 0.7 }), P({ flipH: true }), IDENTITY_PARAMS];
  return MATRIX_SIZES.flatMap((size, i) => [...single, ...sampleBatchParams(wide, size, 40, new Rng(100 + i))].map((params) => ({ params, ...size })));
}

/** Deterministic test images with values in [0, 1]: white noise (the worst case for interpolation) and smooth. */
function makeImage(kind: 'noise' | 'smooth', size: ImageSize, channels: number, seed: number): number[] {
  const rng = new Rng(seed);
  const out = new Float32Array(size.height * size.width * channels);
  for (let r = 0; r < size.height; r++) {
    for (let c = 0; c < size.width; c++) {
      for (let k = 0; k < channels; k++) {
        const i = (r * size.width + c) * channels + k;
        out[i] = kind === 'noise' ? rng.next() : 0.5 + 0.25 * Math.sin(0.3 * r + k) + 0.25 * Math.cos(0.21 * c * (k + 1));
      }
    }
  }
  return Array.from(out);
}

const IMAGES: { name: string; size: ImageSize; channels: number; data: number[] }[] = [
  { name: 'noise 32×32×3', size: { height: 32, width: 32 }, channels: 3, data: makeImage('noise', { height: 32, width: 32 }, 3, 1) },
  { name: 'smooth 48×48×1', size: { height: 48, width: 48 }, channels: 1, data: makeImage('smooth', { height: 48, width: 48 }, 1, 2) },
  { name: 'smooth 20×36×2 (non-square)', size: { height: 20, width: 36 }, channels: 2, data: makeImage('smooth', { height: 20, width: 36 }, 2, 3) },
];

function imageParams(size: ImageSize, seed: number): AugmentParams[] {
  const config = resolveAugmentOptions({ rotationRange: 40, widthShiftRange: 0.15, heightShiftRange: 0.15, shearRange: 20, zoomRange: 0.25, horizontalFlip: true, verticalFlip: true });
  return [P({ theta: 37, shear: 12, zx: 0.8, zy: 1.1, flipH: true }), P({ tx: 3.25, ty: -2.5 }), P({ theta: -90 }), ...sampleBatchParams(config, size, 5, new Rng(seed))];
}

function imageCases(): Case[] {
  return IMAGES.flatMap((img, i) =>
    FILL_MODES.flatMap((fillMode) =>
      imageParams(img.size, 200 + i).map((params) => ({ params, ...img.size, fillMode, cval: CVAL, image: img.data, channels: img.channels })),
    ),
  );
}

let matrixInput: Case[];
let matrixOutput: KerasResult[];
let imageInput: Case[];
let imageOutput: KerasResult[];
let kerasVersion = '';

before(() => {
  matrixInput = matrixCases();
  imageInput = imageCases();
  const res = spawnSync(join(VENV_BIN, 'python'), [join(ROOT, 'test', 'helpers', 'keras_affine.py')], {
    input: JSON.stringify({ cases: [...matrixInput, ...imageInput] }),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 300_000,
  });
  assert.equal(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout) as { keras: string; results: KerasResult[] };
  kerasVersion = out.keras;
  matrixOutput = out.results.slice(0, matrixInput.length);
  imageOutput = out.results.slice(matrixInput.length);
});

test('the parity reference is Keras 3', () => {
  assert.match(kerasVersion, /^3\./);
});

test('our matrix equals the one Keras hands to scipy, for every sampled record and size', () => {
  let maxDiff = 0;
  matrixInput.forEach((c, i) => {
    const keras = matrixOutput[i];
    assert.ok(keras);
    const ours = affineMatrix(c.params, c);
    if (keras.matrix === null) {
      assert.equal(ours, null, `case ${i}: Keras skips the affine step for ${JSON.stringify(c.params)}`);
      return;
    }
    assert.ok(ours, `case ${i}: Keras builds a matrix for ${JSON.stringify(c.params)}`);
    const scipy = toScipy(ours);
    const a = [...scipy.matrix.flat(), ...scipy.offset];
    const b = [...keras.matrix.flat(), ...(keras.offset ?? [])];
    a.forEach((v, k) => {
      const diff = Math.abs(v - (b[k] as number));
      maxDiff = Math.max(maxDiff, diff);
      // float64 rounding only: numpy's BLAS dot and libm against V8's Math (entries up to a few hundred).
      assert.ok(diff <= 1e-10, `case ${i} entry ${k}: ${v} vs ${b[k]} (${JSON.stringify(c.params)}, ${c.height}×${c.width})`);
    });
  });
  assert.ok(matrixOutput.filter((r) => r.matrix !== null).length > 200, 'most cases build a matrix');
  console.log(`matrix parity: ${matrixInput.length} records, max |ours − Keras| = ${maxDiff.toExponential(2)}`);
});

type Where = 'inside' | 'edge' | 'outside';

/**
 * Where each output pixel's sample point (float64) lies: inside the image by more than `margin` px,
 * within `margin` of its edge, or outside.
 */
function samplePoints(params: AugmentParams, size: ImageSize, margin: number): Where[] {
  const m = affineMatrix(params, size);
  const where: Where[] = [];
  for (let r = 0; r < size.height; r++) {
    for (let c = 0; c < size.width; c++) {
      // Flips come after the affine step: output (r, c) reads the transformed image at the flipped pixel.
      const x = params.flipH ? size.width - 1 - c : c;
      const y = params.flipV ? size.height - 1 - r : r;
      const sx = m ? m[0][0] * x + m[0][1] * y + m[0][2] : x;
      const sy = m ? m[1][0] * x + m[1][1] * y + m[1][2] : y;
      const depth = Math.min(sx, size.width - 1 - sx, sy, size.height - 1 - sy);
      where.push(depth > margin ? 'inside' : depth < -margin ? 'outside' : 'edge');
    }
  }
  return where;
}

test('images transformed natively match Keras apply_transform: nearest and reflect everywhere, constant off the edge, wrap inside the image', () => {
  // Tolerance 2e-5 on values in [0, 1] (measured: under 4e-6). TensorFlow computes sample points in
  // float32, scipy in float64: a few 1e-6 px at these sizes, which bilinear interpolation turns into
  // at most that times the local slope (≤ 1 per pixel for white noise).
  const report: string[] = [];
  let worst = 0;
  for (const [imageIndex, img] of IMAGES.entries()) {
    for (const fillMode of FILL_MODES) {
      const cases = imageInput.filter((c) => c.image === img.data && c.fillMode === fillMode);
      const params = cases.map((c) => c.params);
      const batch = tf.tensor4d(params.flatMap(() => img.data), [params.length, img.size.height, img.size.width, img.channels]);
      const out = applyParams(batch, params, { fillMode, cval: CVAL });
      const ours = out.dataSync();
      tf.dispose([batch, out]);
      const perImage = img.size.height * img.size.width * img.channels;
      let maxDiff = 0;
      let differs = 0;
      params.forEach((p, j) => {
        const keras = imageOutput[imageInput.indexOf(cases[j] as Case)]?.image;
        assert.ok(keras && keras.length === perImage);
        const where = samplePoints(p, img.size, 1e-3);
        for (let k = 0; k < perImage; k++) {
          const diff = Math.abs((ours[j * perImage + k] as number) - (keras[k] as number));
          const pixel = Math.floor(k / img.channels);
          // Known differences, counted, not compared: wrap outside the image, and constant on the edge,
          // where scipy decides in float64 with no tolerance (e.g. sin(±90°) noise fills a column with cval).
          const skip = (fillMode === 'wrap' && where[pixel] !== 'inside') || (fillMode === 'constant' && where[pixel] === 'edge');
          if (skip) {
            if (diff > IMAGE_TOLERANCE) differs++;
            continue;
          }
          maxDiff = Math.max(maxDiff, diff);
          assert.ok(diff <= IMAGE_TOLERANCE, `${img.name} ${fillMode} record ${j} (${JSON.stringify(p)}) value ${k}: ours ${ours[j * perImage + k]} Keras ${keras[k]}`);
        }
      });
      worst = Math.max(worst, maxDiff);
      const skipped = { wrap: 'wrapped-in', constant: 'on-the-edge' }[fillMode as string];
      report.push(`${img.name} ${fillMode}: max diff ${maxDiff.toExponential(2)}${skipped ? ` (${differs} ${skipped} values differ)` : ''}`);
      if (fillMode === 'wrap' && imageIndex === 0) {
        // The known difference, pinned: scipy's 'wrap' repeats with period size − 1, TensorFlow's with period size.
        assert.ok(differs > 0, 'wrap differs from scipy in the wrapped-in area');
      }
    }
  }
  console.log(`image parity (tolerance ${IMAGE_TOLERANCE}):\n  ${report.join('\n  ')}\n  worst ${worst.toExponential(2)}`);
});
