// Reads an experiment file (YAML or JSON), validates it once, and resolves paths against the file.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { type AugmentOptions, resolveAugmentOptions } from '../augment/options';
import { resolveDataPaths } from '../data/config';
import { ConfigError } from '../errors';
import { applyOverrides } from './overrides';
import { type ExperimentConfig, experimentSchema } from './schema';

export interface LoadOptions {
  /** Replaces the experiment's data sources by this one class-folder dataset (absolute or relative to the
   * working directory), e.g. from CXRLAB_DATA; the other data settings stay. */
  dataDir?: string;
  /** `key=value` overrides (`--set`), applied before validation. */
  overrides?: readonly string[];
}

export async function loadExperiment(path: string, options: LoadOptions = {}): Promise<ExperimentConfig> {
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new ConfigError(path, [`cannot read the file (${cause instanceof Error ? cause.message : String(cause)})`]);
  });
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (cause) {
    throw new ConfigError(path, [`not valid YAML/JSON: ${cause instanceof Error ? cause.message : String(cause)}`]);
  }
  return parseExperiment(raw, path, options);
}

/** Validates an in-memory config; relative data paths and the backbone resolve against `source`'s folder. */
export function parseExperiment(raw: unknown, source: string, options: LoadOptions = {}): ExperimentConfig {
  const result = experimentSchema.safeParse(options.overrides?.length ? applyOverrides(raw, options.overrides) : raw);
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.map((i) => `\`${i.path.join('.') || '(root)'}\`: ${i.message}`),
    );
  }
  const config = result.data;
  try {
    resolveAugmentOptions(config.augment as AugmentOptions);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(source, err.issues.map((i) => `\`augment\`: ${i}`));
    throw err;
  }
  const baseDir = dirname(resolve(source));
  if (options.dataDir) {
    const { sources: _replaced, ...rest } = config.data;
    config.data = { ...rest, dir: resolve(options.dataDir) };
  }
  config.data = resolveDataPaths(config.data, baseDir);
  if (config.model.backbone && !isAbsolute(config.model.backbone)) config.model.backbone = resolve(baseDir, config.model.backbone);
  return Object.freeze(config);
}
