// Grad-CAM (Selvaraju et al. 2017): which regions of an image drove a class score. The gradient of the
// class probability with respect to the last spatial feature map, averaged per channel, weights that
// map's channels; the ReLU of the weighted sum, scaled to [0, 1], is the heat map.
import { ConfigError } from '../errors';
import { tf } from '../native/tf';

export interface GradcamOptions {
  /** The feature layer; defaults to the last layer with a spatial (rank-4) output. */
  layerName?: string;
  /** Class to explain for every image; defaults to each image's predicted class. */
  classIndex?: number;
}

export interface GradcamResult {
  layer: string;
  /** Heat map height and width (the feature map's, before upsampling). */
  height: number;
  width: number;
  /** One map per image, row-major, values in [0, 1]. */
  maps: Float32Array[];
  /** The class each map explains. */
  classes: Int32Array;
  /** Class probabilities per image, row-major. */
  probs: Float32Array;
}

function featureLayer(model: tf.LayersModel, name: string | undefined): { index: number; layer: tf.layers.Layer } {
  if (name) {
    const index = model.layers.findIndex((l) => l.name === name);
    if (index < 0) throw new ConfigError('gradcam', [`\`layerName\` '${name}' is not a layer of ${model.name}`]);
    return { index, layer: model.layers[index] as tf.layers.Layer };
  }
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i] as tf.layers.Layer;
    const shape = layer.outputShape as number[];
    if (Array.isArray(shape) && shape.length === 4 && layer.getClassName() !== 'InputLayer') return { index: i, layer };
  }
  throw new ConfigError('gradcam', [`${model.name} has no layer with a spatial (rank-4) output`]);
}

/** The layers after `index`, which must form a simple chain (flatten / pooling / dropout / dense). */
function headChain(model: tf.LayersModel, index: number): tf.layers.Layer[] {
  const head = model.layers.slice(index + 1) as tf.layers.Layer[];
  let previous = model.layers[index] as tf.layers.Layer;
  for (const layer of head) {
    const inbound = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes;
    const sources = inbound.flatMap((n) => n.inboundLayers);
    if (sources.length !== 1 || sources[0] !== previous) {
      throw new ConfigError('gradcam', [`the layers after '${model.layers[index]?.name}' are not a simple chain (at '${layer.name}'); pass another \`layerName\``]);
    }
    previous = layer;
  }
  return head;
}

export function gradcam(model: tf.LayersModel, images: tf.Tensor4D, options: GradcamOptions = {}): GradcamResult {
  const { index, layer } = featureLayer(model, options.layerName);
  const head = headChain(model, index);
  // A nested model (a transfer backbone) is called twice: in its own graph and in this one; use this one's node.
  const nodes = (layer as unknown as { inboundNodes: unknown[] }).inboundNodes.length;
  const extractor = tf.model({ inputs: model.inputs, outputs: layer.getOutputAt(nodes - 1) as tf.SymbolicTensor });
  const [n, height, width] = [images.shape[0], (layer.outputShape as number[])[1] as number, (layer.outputShape as number[])[2] as number];
  const out = tf.tidy(() => {
    const features = extractor.predict(images) as tf.Tensor4D;
    const forward = (f: tf.Tensor) => head.reduce((y, l) => l.apply(y, { training: false }) as tf.Tensor, f);
    const probs = forward(features) as tf.Tensor2D;
    const classes = options.classIndex === undefined ? probs.argMax(-1) : tf.fill([n], options.classIndex, 'int32');
    const mask = tf.oneHot(classes as tf.Tensor1D, probs.shape[1]).toFloat();
    const grads = tf.grad((f: tf.Tensor) => forward(f).mul(mask).sum())(features);
    const weights = grads.mean([1, 2], true);
    const cam = features.mul(weights).sum(-1).relu() as tf.Tensor3D;
    const peak = cam.max([1, 2], true).add(1e-12);
    return { maps: cam.div(peak), classes, probs };
  });
  const flat = out.maps.dataSync() as Float32Array;
  const maps = Array.from({ length: n }, (_, i) => flat.slice(i * height * width, (i + 1) * height * width));
  const result: GradcamResult = {
    layer: layer.name,
    height,
    width,
    maps,
    classes: Int32Array.from(out.classes.dataSync()),
    probs: Float32Array.from(out.probs.dataSync()),
  };
  tf.dispose([out.maps, out.classes, out.probs]);
  return result;
}
