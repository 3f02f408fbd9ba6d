// The one place that loads @tensorflow/tfjs-node; every other module takes `tf` from here, so the
// environment defaults in env.ts are in place before the native library starts.
import './env';
import * as tf from '@tensorflow/tfjs-node';

export { tf };
