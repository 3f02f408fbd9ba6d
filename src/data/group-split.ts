// The leak-free split: a pure function of (index, options, seed). Images are grouped by patient and by
// identical content, and whole groups are dealt to train/val/test per (class, source) stratum by a seeded
// shuffle, as close to the fractions as whole groups allow; splits fixed by the data are kept.
import { DataError } from '../errors';
import { Rng, deriveSeed } from '../util/rng';
import { CLASS_NAMES } from './classes';
import type { DataConfig } from './config';
import { type IndexEntry, type IndexedImage, isUsable, SPLIT_NAMES, type SplitName } from './index-entry';
import { describeOverlap, type OverlapReport, overlapReport, patientKey } from './overlap';

export interface GroupSplitOptions extends Pick<DataConfig, 'valFraction' | 'testFraction' | 'stratifyBy' | 'allowOverlap'> {
  /** The split seed (e.g. `deriveSeed(config.seed, 'split')`). */
  seed: number;
}

export interface StratumSplit {
  /** E.g. `pneumonia / ieee`. */
  stratum: string;
  images: Record<SplitName, number>;
  groups: Record<SplitName, number>;
}

export interface IndexSplit {
  train: IndexedImage[];
  val: IndexedImage[];
  test: IndexedImage[];
  /** Splits given by the data (val/ or test/ folders, a split column, a source's `split`): nothing is carved into them. */
  given: SplitName[];
  /** Groups of images that always share a split (one patient, identical contents). */
  groups: number;
  /** The pool (files not pinned by val/ or test/) per stratum, as dealt. */
  strata: StratumSplit[];
  /** Files from a train/ folder placed elsewhere because their group is pinned there or val/test is carved from them. */
  relocated: IndexedImage[];
  overlap: OverlapReport;
  /** E.g. a split without any image of a class. */
  warnings: string[];
  options: GroupSplitOptions;
}

/** Union-find over entry indices. */
class Groups {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r] as number;
    while (this.parent[i] !== r) [this.parent[i], i] = [r, this.parent[i] as number];
    return r;
  }
  union(a: number, b: number): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

const entryKey = (e: IndexEntry): string => `${e.dataset}/${e.relPath}`;
const zero = (): Record<SplitName, number> => ({ train: 0, val: 0, test: 0 });

function stratumOf(members: readonly IndexedImage[], by: GroupSplitOptions['stratifyBy']): string {
  const keyOf = (e: IndexedImage): string => by.map((k) => (k === 'class' ? e.label : e.source)).join(' / ');
  const counts = new Map<string, number>();
  for (const e of members) counts.set(keyOf(e), (counts.get(keyOf(e)) ?? 0) + 1);
  // The most common stratum of the group; ties go to the first member's (members are in key order).
  let best = keyOf(members[0] as IndexedImage);
  for (const [k, n] of counts) if (n > (counts.get(best) ?? 0)) best = k;
  return best;
}

/** Each stratum's own shuffle seed, so adding a source never reshuffles another stratum. The seed goes into
 * the name: `deriveSeed(s, name)` gives seeds 0–9 one value (the seed and its first digit cancel out). */
function stratumSeed(seed: number, stratum: string): number {
  return deriveSeed(0, `split ${seed >>> 0} stratum ${stratum}`);
}

function stratumOrder(a: string, b: string): number {
  const cls = (s: string): number => CLASS_NAMES.indexOf(s.split(' / ')[0] as (typeof CLASS_NAMES)[number]);
  return cls(a) - cls(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Splits the usable entries of an index; skipped entries are ignored. */
export function splitIndex(entries: readonly IndexEntry[], options: GroupSplitOptions): IndexSplit {
  const images = entries.filter(isUsable).sort((a, b) => (entryKey(a) < entryKey(b) ? -1 : entryKey(a) > entryKey(b) ? 1 : 0));
  const fractions: Record<SplitName, number> = { train: 0, val: options.valFraction, test: options.testFraction };
  const given = SPLIT_NAMES.filter((s) => s !== 'train' && images.some((e) => e.fixedSplit === s));

  // Groups: one patient (within its source), identical bytes; with allowOverlap every image stands alone.
  const uf = new Groups(images.length);
  if (!options.allowOverlap) {
    const first = new Map<string, number>();
    images.forEach((e, i) => {
      for (const key of [patientKey(e), `sha256:${e.sha256}`]) {
        if (key === null) continue;
        const j = first.get(key);
        if (j === undefined) first.set(key, i);
        else uf.union(i, j);
      }
    });
  }
  const byRoot = new Map<number, IndexedImage[]>();
  images.forEach((e, i) => {
    const root = uf.find(i);
    const members = byRoot.get(root);
    if (members) members.push(e);
    else byRoot.set(root, [e]);
  });
  const groups = [...byRoot.values()];

  // Groups holding a file of a val/ or test/ folder go there; two different such folders in one group is a leak.
  const assigned = new Map<IndexedImage, SplitName>();
  const conflicts: string[] = [];
  const pool = new Map<string, IndexedImage[][]>();
  for (const members of groups) {
    const pins = [...new Set(members.map((e) => e.fixedSplit).filter((s): s is SplitName => s === 'val' || s === 'test'))];
    if (pins.length > 1) {
      conflicts.push(members.map((e) => `${e.path} (${e.fixedSplit ?? 'free'}, patient ${e.patientId ?? '-'}, sha256 ${e.sha256.slice(0, 12)})`).join(' + '));
    } else if (pins.length === 1) {
      for (const e of members) assigned.set(e, pins[0] as SplitName);
    } else {
      const stratum = stratumOf(members, options.stratifyBy);
      const inStratum = pool.get(stratum);
      if (inStratum) inStratum.push(members);
      else pool.set(stratum, [members]);
    }
  }
  if (conflicts.length > 0) {
    throw new DataError(
      'split',
      `the data's own split folders put one patient or one content into two splits:\n${conflicts.map((c) => `  - ${c}`).join('\n')}\n` +
        'Move the files, or set data.allowOverlap: true to keep the folders as they are (the overlap report then lists these).',
    );
  }

  // Deal each stratum's groups: seeded shuffle, then each group to the carved split it brings closest to
  // its target (the one furthest below target first), else to train.
  const carved = SPLIT_NAMES.filter((s) => s !== 'train' && fractions[s] > 0 && !given.includes(s));
  const strata: StratumSplit[] = [];
  for (const stratum of [...pool.keys()].sort(stratumOrder)) {
    const stratumGroups = pool.get(stratum) as IndexedImage[][];
    const n = stratumGroups.reduce((sum, g) => sum + g.length, 0);
    const target = Object.fromEntries(carved.map((s) => [s, n * fractions[s]])) as Record<SplitName, number>;
    const report: StratumSplit = { stratum, images: zero(), groups: zero() };
    for (const members of new Rng(stratumSeed(options.seed, stratum)).shuffle(stratumGroups)) {
      let to: SplitName = 'train';
      let need = 0;
      for (const s of carved) {
        const have = report.images[s];
        const closer = Math.abs(have - target[s]) - Math.abs(have + members.length - target[s]);
        if (closer > 0 && target[s] - have > need) [to, need] = [s, target[s] - have];
      }
      report.images[to] += members.length;
      report.groups[to] += 1;
      for (const e of members) assigned.set(e, to);
    }
    strata.push(report);
  }

  const split: Record<SplitName, IndexedImage[]> = { train: [], val: [], test: [] };
  for (const e of entries) if (isUsable(e)) split[assigned.get(e) as SplitName].push(e);
  for (const s of SPLIT_NAMES) {
    if (split[s].length > 0 || (s !== 'train' && fractions[s] === 0 && !given.includes(s))) continue;
    throw new DataError(
      'split',
      `the ${s} split is empty: ${images.length} usable images in ${groups.length} patient/content groups across ${pool.size} strata (${options.stratifyBy.join(' × ')}) ` +
        `leave no whole group for it${s === 'train' ? '' : ` at ${s}Fraction ${fractions[s]}`}; add images, raise the fraction, or stratify by class alone`,
    );
  }
  const warnings: string[] = [];
  for (const s of SPLIT_NAMES) {
    if (split[s].length === 0) continue;
    const missing = CLASS_NAMES.filter((c) => !split[s].some((e) => e.label === c));
    if (missing.length > 0) warnings.push(`the ${s} split has no ${missing.join(', ')} images`);
  }
  const overlap = overlapReport(SPLIT_NAMES.flatMap((s) => split[s].map((entry) => ({ entry, split: s }))));
  if (!overlap.clean && !options.allowOverlap) {
    // Cannot happen by construction; the report is computed independently, so say so loudly if it does.
    throw new DataError('split', `internal error: the split overlaps:\n${describeOverlap(overlap).join('\n')}`);
  }
  return {
    ...split,
    given,
    groups: groups.length,
    strata,
    relocated: split.val.concat(split.test).filter((e) => e.fixedSplit === 'train'),
    overlap,
    warnings,
    options,
  };
}

/** The split as written to a run folder (`split.json`): the files per split plus how it was made and the overlap proof. */
export interface SplitRecord {
  options: GroupSplitOptions;
  counts: Record<SplitName, number>;
  train: string[];
  val: string[];
  test: string[];
  overlap: OverlapReport;
}

export function splitRecord(split: IndexSplit): SplitRecord {
  const paths = (s: SplitName): string[] => split[s].map((e) => e.path);
  return {
    options: split.options,
    counts: { train: split.train.length, val: split.val.length, test: split.test.length },
    train: paths('train'),
    val: paths('val'),
    test: paths('test'),
    overlap: split.overlap,
  };
}
