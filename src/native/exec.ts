// Runs a TensorFlow op by name on the native backend, for ops tfjs-node exposes no kernel for
// (ReluGrad, oneDNN pooling, ImageProjectiveTransformV3, …). The one place that builds raw op attrs.
import { tf } from './tf';

/** One op attribute. `type` takes a dtype; the list forms take arrays. */
export type OpAttr =
  | { name: string; type: tf.DataType }
  | { name: string; int: number | number[] }
  | { name: string; float: number }
  | { name: string; bool: boolean }
  | { name: string; string: string }
  | { name: string; shape: number[] };

interface RawAttr {
  name: string;
  type: number;
  value: unknown;
}

interface Binding {
  TF_ATTR_STRING: number;
  TF_ATTR_INT: number;
  TF_ATTR_FLOAT: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_TYPE: number;
  TF_ATTR_SHAPE: number;
  TF_FLOAT: number;
  TF_INT32: number;
  TF_BOOL: number;
}

interface NativeBackend {
  binding: Binding;
  executeSingleOutput(name: string, attrs: RawAttr[], inputs: tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: RawAttr[], inputs: tf.Tensor[], numOutputs: number): tf.Tensor[];
}

function nativeBackend(): NativeBackend {
  const backend = tf.backend() as unknown as Partial<NativeBackend>;
  if (!backend.binding || !backend.executeSingleOutput) {
    throw new Error(`ops by name need the native 'tensorflow' backend; the active backend is '${tf.getBackend()}'`);
  }
  return backend as NativeBackend;
}

function dtypeCode(b: Binding, dtype: tf.DataType): number {
  const codes: Partial<Record<tf.DataType, number>> = { float32: b.TF_FLOAT, int32: b.TF_INT32, bool: b.TF_BOOL };
  const code = codes[dtype];
  if (code === undefined) throw new Error(`no native type code for dtype '${dtype}'`);
  return code;
}

function toRaw(b: Binding, attr: OpAttr): RawAttr {
  if ('type' in attr) return { name: attr.name, type: b.TF_ATTR_TYPE, value: dtypeCode(b, attr.type) };
  if ('int' in attr) return { name: attr.name, type: b.TF_ATTR_INT, value: attr.int };
  if ('float' in attr) return { name: attr.name, type: b.TF_ATTR_FLOAT, value: attr.float };
  if ('bool' in attr) return { name: attr.name, type: b.TF_ATTR_BOOL, value: attr.bool };
  if ('string' in attr) return { name: attr.name, type: b.TF_ATTR_STRING, value: attr.string };
  return { name: attr.name, type: b.TF_ATTR_SHAPE, value: attr.shape };
}

/** Executes a single-output op; the caller owns (and disposes) the result. */
export function runOp(name: string, attrs: readonly OpAttr[], inputs: tf.Tensor[]): tf.Tensor {
  const backend = nativeBackend();
  return backend.executeSingleOutput(name, attrs.map((a) => toRaw(backend.binding, a)), inputs);
}

/** Executes an op with several outputs; the caller owns (and disposes) every result. */
export function runOpMulti(name: string, attrs: readonly OpAttr[], inputs: tf.Tensor[], numOutputs: number): tf.Tensor[] {
  const backend = nativeBackend();
  return backend.executeMultipleOutputs(name, attrs.map((a) => toRaw(backend.binding, a)), inputs, numOutputs);
}
