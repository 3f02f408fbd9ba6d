// The dataset index as a danfojs-node DataFrame (one row per file, used or skipped, with its split when
// one is given), for notebooks and `cxrlab data`. The only module of the index that imports danfojs.
import * as dfd from 'danfojs-node';
import type { IndexSplit } from './group-split';
import type { IndexEntry, SplitName } from './index-entry';
import { SPLIT_NAMES } from './index-entry';

/** The frame's columns, in order, with their danfojs dtypes. */
export const INDEX_COLUMNS = [
  ['path', 'string'],
  ['relPath', 'string'],
  ['dataset', 'string'],
  ['source', 'string'],
  ['label', 'string'],
  ['rawLabel', 'string'],
  ['patientId', 'string'],
  ['view', 'string'],
  ['split', 'string'],
  ['fixedSplit', 'string'],
  ['status', 'string'],
  ['reason', 'string'],
  ['detail', 'string'],
  ['format', 'string'],
  ['width', 'int32'],
  ['height', 'int32'],
  ['channels', 'int32'],
  ['bitDepth', 'int32'],
  ['space', 'string'],
  ['bytes', 'int32'],
  ['sha256', 'string'],
  ['note', 'string'],
] as const;

type Column = (typeof INDEX_COLUMNS)[number][0];

/** One row per index entry; `split` is the split's assignment (null for skipped files or without a split). */
export function indexFrame(entries: readonly IndexEntry[], split?: Pick<IndexSplit, SplitName>): dfd.DataFrame {
  const splitOf = new Map<IndexEntry, SplitName>();
  if (split) for (const s of SPLIT_NAMES) for (const e of split[s]) splitOf.set(e, s);
  const columns = Object.fromEntries(INDEX_COLUMNS.map(([name]) => [name, [] as (string | number | null)[]])) as Record<Column, (string | number | null)[]>;
  for (const e of entries) {
    for (const [name] of INDEX_COLUMNS) columns[name].push(name === 'split' ? (splitOf.get(e) ?? null) : e[name]);
  }
  return new dfd.DataFrame(columns, { columns: INDEX_COLUMNS.map(([n]) => n), dtypes: INDEX_COLUMNS.map(([, t]) => t) });
}
