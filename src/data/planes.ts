// Grey kept as one plane: decoded pixels whose channels are all equal (an X-ray stored as RGB) are
// cached, batched, held in memory and augmented as a single plane, and become the model's channels
// only at its input, in native code. The pixels, the augmentation and the batches the model sees are
// the same as with three planes; the work on the way (copying, scaling, the projective transform) is a
// third. Also the one conversion of many images' integers to a float32 batch in [0, 1], natively.
import { tf } from '../native/tf';
import { expandPlanes } from '../train/memory-batches';
import { type DecodeOptions, type DecodedPixels, decodePixels, maxValue, writeUnitRange } from './decode';

/** Decoded integers, HWC, with `planes` samples per pixel: 1 for grey, else the decode's channels. */
export type PlanePixels = DecodedPixels & { planes: number };

/** Whether every pixel of HWC data has equal channels (grey stored as RGB). */
function isReplicatedGrey(data: Uint8Array | Uint16Array, channels: number): boolean {
  if (channels === 1) return false;
  for (let i = 0; i < data.length; i += channels) {
    for (let c = 1; c < channels; c++) if (data[i + c] !== data[i]) return false;
  }
  return true;
}

/** Every `channels`-th sample: the first channel of HWC data. */
function firstChannel(data: Uint8Array | Uint16Array, channels: number): Uint8Array | Uint16Array {
  const out = data instanceof Uint8Array ? new Uint8Array(data.length / channels) : new Uint16Array(data.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels] as number;
  return out;
}

/** One plane of grey to `channels` equal channels, HWC. */
function replicate(grey: Uint8Array | Uint16Array, channels: number): Uint8Array | Uint16Array {
  const out = grey instanceof Uint8Array ? new Uint8Array(grey.length * channels) : new Uint16Array(grey.length * channels);
  for (let i = 0, o = 0; i < grey.length; i++) {
    const v = grey[i] as number;
    for (let c = 0; c < channels; c++) out[o++] = v;
  }
  return out;
}

function withData(pixels: DecodedPixels, data: Uint8Array | Uint16Array, planes: number): PlanePixels {
  return pixels.bits === 8 ? { bits: 8, data: data as Uint8Array, planes } : { bits: 16, data: data as Uint16Array, planes };
}

/** `pixels` (`channels` samples per pixel) as one plane when they are grey, else unchanged. */
export function toPlanes(pixels: DecodedPixels, channels: number): PlanePixels {
  return isReplicatedGrey(pixels.data, channels) ? withData(pixels, firstChannel(pixels.data, channels), 1) : withData(pixels, pixels.data, channels);
}

/** Decodes an image file (decodePixels), grey as one plane. */
export async function decodePlanes(file: { path: string }, decode: DecodeOptions): Promise<PlanePixels> {
  return toPlanes(await decodePixels(file.path, decode), decode.channels);
}

/** `pixels` with `channels` samples per pixel (a grey plane replicated). */
export function toChannels(pixels: PlanePixels, channels: number): DecodedPixels {
  return pixels.planes === channels ? pixels : withData(pixels, replicate(pixels.data, channels), channels);
}

/** `pixels`, after checking they hold `size·size` pixels of 1 or `channels` planes (a RangeError naming `name` if not). */
export function checkPlanes(pixels: PlanePixels, decode: DecodeOptions, name: string): PlanePixels {
  const { size, channels } = decode;
  if ((pixels.planes !== 1 && pixels.planes !== channels) || pixels.data.length !== size * size * pixels.planes) {
    throw new RangeError(`${name}: decoded ${pixels.data.length} values in ${pixels.planes} plane(s), expected ${size}×${size}×(1 or ${channels})`);
  }
  return pixels;
}

/** Images assembled for one tensor: `values` are the integers as floats, or already in [0, 1] when `scale` is 1. */
export interface PlaneBatch {
  values: Float32Array;
  planes: number;
  /** What `values` are divided by to reach [0, 1]: 255, 65535, or 1 (a batch mixing 8- and 16-bit images). */
  scale: number;
}

/**
 * Lays images out as one [n, size, size, planes] buffer: one plane when every image is grey, else the
 * decode's channels. Images of one bit depth are copied as integers (a native typed-array copy) and
 * scaled by pixelTensor; a batch mixing depths is scaled here.
 */
export function assemblePlanes(images: readonly PlanePixels[], decode: DecodeOptions): PlaneBatch {
  const planes = images.every((p) => p.planes === 1) ? 1 : decode.channels;
  const stride = decode.size * decode.size * planes;
  const values = new Float32Array(images.length * stride);
  const bits = images[0]?.bits;
  const oneDepth = images.every((p) => p.bits === bits);
  images.forEach((image, i) => {
    const pixels = planes === image.planes ? image : toChannels(checkPlanes(image, decode, `image ${i}`), planes);
    if (oneDepth) values.set(pixels.data, i * stride);
    else writeUnitRange(pixels, values, i * stride);
  });
  return { values, planes, scale: oneDepth && bits !== undefined ? maxValue(bits) : 1 };
}

/**
 * The batch as a float32 tensor in [0, 1] (value / scale: the same floats as writeUnitRange's), with
 * the decode's channels, or one plane when the batch is grey and `grey` is 'planes'.
 */
export function pixelTensor(batch: PlaneBatch, decode: DecodeOptions, grey: 'planes' | 'channels'): tf.Tensor4D {
  const { size } = decode;
  const n = batch.values.length / (size * size * batch.planes);
  return tf.tidy(() => {
    const raw = tf.tensor4d(batch.values, [n, size, size, batch.planes]);
    const unit = (batch.scale === 1 ? raw : tf.div(raw, tf.scalar(batch.scale))) as tf.Tensor4D;
    return grey === 'planes' ? unit : expandPlanes(unit, decode.channels);
  });
}
