// `cxrlab data [experiment.yaml | folder] [--json] [--set key=value ...]`: the dataset index and the split a
// run with this config would use, as text (counts per class, source and split, skipped files, overlap
// proof) or JSON (the summary plus the split's files).
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadExperiment, parseExperiment } from '../config/load';
import type { ExperimentConfig } from '../config/schema';
import { formatDataSummary } from '../data/summary';
import { ConfigError } from '../errors';
import { DEFAULT_EXPERIMENT } from '../project-paths';
import { prepareData } from '../run/data';

const USAGE = 'usage: cxrlab data [experiment.yaml | class-folder dataset] [--json] [--set key=value ...]';

/** A folder is indexed as one class-folder dataset with the default settings; a file is an experiment. */
async function configFor(target: string, overrides: readonly string[]): Promise<ExperimentConfig> {
  const info = await stat(target).catch(() => null);
  if (!info) throw new ConfigError('cxrlab data', [`${target}: no such experiment file or dataset folder. ${USAGE}`]);
  if (info.isDirectory()) return parseExperiment({ data: { dir: target } }, join(process.cwd(), '(command line)'), { overrides });
  return loadExperiment(target, { overrides, ...(process.env.CXRLAB_DATA ? { dataDir: process.env.CXRLAB_DATA } : {}) });
}

export async function dataCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, set: { type: 'string', multiple: true, default: [] } },
  });
  if (positionals.length > 1) throw new ConfigError('cxrlab data', [`expected at most one experiment file or folder, received ${positionals.length}. ${USAGE}`]);
  const config = await configFor(resolve(positionals[0] ?? DEFAULT_EXPERIMENT), values.set);
  const data = await prepareData(config);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ seed: config.seed, summary: data.summary, externalSources: data.externalSources, split: data.record }, null, 2)}\n`);
  } else {
    process.stdout.write(formatDataSummary(data.summary));
    if (data.externalSources.length) process.stdout.write(`external test sources: ${data.externalSources.join(', ')}\n`);
  }
}
