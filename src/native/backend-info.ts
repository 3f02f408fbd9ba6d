// What the running process computes on: the tfjs backend, the TensorFlow C library behind it, and
// the settings that decide its speed. Printed by the CLI, the setup and the benches.
import { tf } from './tf';

export interface BackendInfo {
  /** The active tfjs backend; `tensorflow` means the native TensorFlow C library. */
  backend: string;
  /** Version of the TensorFlow C library the binding loaded, e.g. `2.21.0`. */
  tensorflow: string;
  tfjsNode: string;
  /** The effective TF_ENABLE_ONEDNN_OPTS value (`1` = oneDNN kernels and caching allocator on). */
  onednn: string;
}

interface NativeBinding {
  TF_Version: string;
}

export function backendInfo(): BackendInfo {
  const backend = tf.getBackend();
  const binding = (tf.backend() as unknown as { binding?: NativeBinding }).binding;
  return {
    backend,
    tensorflow: binding?.TF_Version ?? 'none',
    tfjsNode: tf.version['tfjs-node'] ?? 'unknown',
    onednn: process.env.TF_ENABLE_ONEDNN_OPTS ?? 'unset',
  };
}

export function describeBackend(info: BackendInfo = backendInfo()): string {
  return `backend=${info.backend} tensorflow=${info.tensorflow} tfjs-node=${info.tfjsNode} onednn=${info.onednn}`;
}
