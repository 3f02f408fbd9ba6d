// A run's data stage: the dataset index of the configured sources, the leak-free split as a pure function
// of (index, config, seed), its record for split.json, the counts a run reports, and the check that a
// resumed or rerun run gets back the split it had.
import type { ExperimentConfig } from '../config/schema';
import { buildIndex } from '../data/build-index';
import type { ClassName } from '../data/classes';
import { dataSources } from '../data/config';
import { classTotal } from '../data/counts';
import { type IndexSplit, type SplitRecord, splitIndex, splitRecord } from '../data/group-split';
import type { DatasetIndex, IndexedImage, SplitName } from '../data/index-entry';
import { patientKey } from '../data/overlap';
import { type DataSummary, dataSummary } from '../data/summary';
import { CxrlabError } from '../errors';
import { deriveSeed } from '../util/rng';

export interface RunCounts {
  train: number;
  val: number;
  test: number;
  /** Used images per class, all splits together. */
  perClass: Record<ClassName, number>;
  /** Used images per source tag, all splits together. */
  perSource: Record<string, number>;
}

export interface RunData {
  index: DatasetIndex;
  split: IndexSplit;
  /** What split.json holds. */
  record: SplitRecord;
  summary: DataSummary;
  counts: RunCounts;
  /** Source tags whose every image is in the test split by the config (`split: test`): external test sets. */
  externalSources: string[];
}

/** The files per split, as split.json lists them (runs made before the test split have none). */
export type SplitPaths = Pick<SplitRecord, 'train' | 'val'> & Partial<Pick<SplitRecord, 'test'>>;

export async function prepareData(config: ExperimentConfig): Promise<RunData> {
  const index = await buildIndex(config.data);
  const { valFraction, testFraction, stratifyBy, allowOverlap } = config.data;
  const split = splitIndex(index.entries, { valFraction, testFraction, stratifyBy, allowOverlap, seed: config.data.splitSeed ?? deriveSeed(config.seed, 'split') });
  const summary = dataSummary(index, split);
  const perSource = Object.fromEntries(Object.entries(summary.index.perSource).map(([source, counts]) => [source, classTotal(counts)]));
  const pinnedToTest = new Set(dataSources(config.data).filter((s) => s.split === 'test').map((s) => s.name));
  const externalSources = [...new Set(split.test.filter((e) => pinnedToTest.has(e.dataset)).map((e) => e.source))].sort();
  return {
    index,
    split,
    record: splitRecord(split),
    summary,
    counts: { train: split.train.length, val: split.val.length, test: split.test.length, perClass: { ...summary.index.perClass }, perSource },
    externalSources,
  };
}

/** The resampling unit of an image: its patient (within its source) where known, else its content. */
export function groupOf(e: IndexedImage): string {
  return patientKey(e) ?? `sha256:${e.sha256}`;
}

/** A resumed or rerun run must get the split it had: the data must not have changed. */
export function checkSameSplit(where: string, expected: SplitPaths, actual: SplitPaths, what: string): void {
  const parts: SplitName[] = ['train', 'val', 'test'];
  const differs = parts.filter((s) => JSON.stringify(expected[s] ?? []) !== JSON.stringify(actual[s] ?? []));
  if (differs.length === 0) return;
  const now = new Set(parts.flatMap((s) => (actual[s] ?? []).map((p) => `${s}:${p}`)));
  const moved = parts.flatMap((s) => (expected[s] ?? []).filter((p) => !now.has(`${s}:${p}`)));
  throw new CxrlabError(
    `${where}: the dataset no longer gives this run's split (${differs.join(', ')} differ; ${moved.length} file(s) missing or moved${moved.length ? `, e.g. ${moved.slice(0, 3).join(', ')}` : ', files added'}); cannot ${what}`,
  );
}
