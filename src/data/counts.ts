// Counting an index and a split: found / used / skipped, per class, per source × class, per split.
import { CLASS_NAMES, type ClassName } from './classes';
import type { IndexSplit } from './group-split';
import { type IndexEntry, isUsable, type SkipReason, SPLIT_NAMES, type SplitName } from './index-entry';

export type ClassCounts = Record<ClassName, number>;

export interface IndexCounts {
  /** Every file the sources list. found = used + skipped. */
  found: number;
  used: number;
  skipped: number;
  skippedByReason: Partial<Record<SkipReason, number>>;
  /** Used images per class. */
  perClass: ClassCounts;
  /** Used images per source tag and class, sources in name order. */
  perSource: Record<string, ClassCounts>;
}

export interface SplitPart {
  total: number;
  perClass: ClassCounts;
  perSource: Record<string, ClassCounts>;
}

const zeroClasses = (): ClassCounts => ({ covid: 0, pneumonia: 0, normal: 0 });

function tally(entries: readonly IndexEntry[]): SplitPart {
  const part: SplitPart = { total: 0, perClass: zeroClasses(), perSource: {} };
  for (const e of [...entries].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0))) {
    if (!isUsable(e)) continue;
    part.total++;
    part.perClass[e.label]++;
    (part.perSource[e.source] ??= zeroClasses())[e.label]++;
  }
  return part;
}

export function indexCounts(entries: readonly IndexEntry[]): IndexCounts {
  const { total, perClass, perSource } = tally(entries);
  const skippedByReason: Partial<Record<SkipReason, number>> = {};
  for (const e of entries) if (e.reason !== null) skippedByReason[e.reason] = (skippedByReason[e.reason] ?? 0) + 1;
  return { found: entries.length, used: total, skipped: entries.length - total, skippedByReason, perClass, perSource };
}

export function splitCounts(split: Pick<IndexSplit, SplitName>): Record<SplitName, SplitPart> {
  return Object.fromEntries(SPLIT_NAMES.map((s) => [s, tally(split[s])])) as Record<SplitName, SplitPart>;
}

export function classTotal(counts: ClassCounts): number {
  return CLASS_NAMES.reduce((sum, c) => sum + counts[c], 0);
}
