// The model zoo by name. Each entry builds a fresh, uncompiled tf.LayersModel from one options object.
import { ConfigError } from '../../errors';
import type { tf } from '../../native/tf';
import type { ModelOptions } from './common';
import { mobilenetSmall } from './mobilenet';
import { resnetSmall } from './resnet';
import { seed000 } from './seed-000';
import { seed002 } from './seed-002';
import { seed004 } from './seed-004';

export type { ModelOptions } from './common';

const ZOO = {
  'seed-004': seed004,
  'seed-000': seed000,
  'seed-002': seed002,
  'resnet-small': resnetSmall,
  'mobilenet-small': mobilenetSmall,
} as const satisfies Record<string, (o: ModelOptions) => tf.LayersModel>;

export type ModelName = keyof typeof ZOO;
export const MODEL_NAMES = Object.keys(ZOO) as ModelName[];

export function buildModel(name: string, options: ModelOptions = {}): tf.LayersModel {
  const build = (ZOO as Record<string, (o: ModelOptions) => tf.LayersModel>)[name];
  if (!build) throw new ConfigError('model', [`\`model.name\` must be one of ${MODEL_NAMES.join(', ')}. Received: ${name}`]);
  return build(options);
}
