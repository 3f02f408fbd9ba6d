// The dataset index: every file of every source, probed a few at a time, as IndexEntry records in source
// order. Bad files are kept with their reason (or, with strict, fail the run listing them all); a class
// with no usable image is an error naming it.
import { stat } from 'node:fs/promises';
import { DataError } from '../errors';
import { CLASS_NAMES } from './classes';
import { type DataConfig, dataSources, type SourceConfig } from './config';
import { listCsvSource } from './csv-source';
import { listFolderSource, type SourceCandidates } from './folder-tree';
import { BAD_FILE_REASONS, type Candidate, type DatasetIndex, type IndexEntry, isUsable } from './index-entry';
import { mapLimit } from '../util/map-limit';
import { hashFile, type ProbeOptions, probeImage } from './probe';

export interface IndexOptions extends ProbeOptions, Pick<DataConfig, 'dir' | 'sources'> {
  /** Fail on any bad file instead of recording it as skipped. */
  strict: boolean;
  /** Files read at a time. */
  concurrency?: number;
}

/** Thrown with `strict: true`: every bad file, each with its reason. */
export class BadFilesError extends DataError {
  readonly entries: readonly IndexEntry[];
  constructor(where: string, entries: readonly IndexEntry[]) {
    super(where, `strict: ${entries.length} bad file(s):\n${entries.map((e) => `  - ${e.path}: ${e.reason} (${e.detail})`).join('\n')}`);
    this.entries = entries;
  }
}

const DEFAULT_CONCURRENCY = 4;

async function probeCandidate(c: Candidate, options: ProbeOptions): Promise<IndexEntry> {
  const { skip, ...where } = c;
  const base = { format: null, width: null, height: null, channels: null, bitDepth: null, space: null, bytes: null, sha256: null, note: null };
  if (skip) {
    // Decided without reading the image; still accounted with its size and hash where the file is there.
    const regular = skip.reason !== 'missing' && skip.reason !== 'unreadable' && (await stat(c.path).then((i) => i.isFile(), () => false));
    const file = regular ? await hashFile(c.path).catch(() => null) : null;
    return { ...where, ...base, status: 'skipped', reason: skip.reason, detail: skip.detail, bytes: file?.bytes ?? null, sha256: file?.sha256 ?? null };
  }
  return { ...where, ...(await probeImage(c.path, options)) };
}

function listSource(source: SourceConfig, option: string): Promise<SourceCandidates> {
  return source.kind === 'folders' ? listFolderSource(source, option) : listCsvSource(source, option);
}

/** Indexes every source of a data section (paths already absolute: see resolveDataPaths). */
export async function buildIndex(options: IndexOptions): Promise<DatasetIndex> {
  const sources = dataSources(options);
  if (sources.length === 0) throw new DataError('data', 'no sources (give data.dir or data.sources)');
  const names = sources.map((s) => s.name);
  if (new Set(names).size !== names.length) throw new DataError('data.sources', `source names must be unique, received ${names.join(', ')}`);
  const candidates: Candidate[] = [];
  const warnings: string[] = [];
  for (const [i, source] of sources.entries()) {
    const listed = await listSource(source, options.sources ? `data.sources[${i}]` : 'data');
    candidates.push(...listed.candidates);
    warnings.push(...listed.warnings);
  }
  const probe: ProbeOptions = { verify: options.verify, minSize: options.minSize, maxPixels: options.maxPixels };
  const entries = await mapLimit(candidates, options.concurrency ?? DEFAULT_CONCURRENCY, (c) => probeCandidate(c, probe));
  const where = sources.map((s) => (s.kind === 'csv' ? s.csv : s.dir)).join(', ');
  if (options.strict) {
    const bad = entries.filter((e) => e.reason !== null && BAD_FILE_REASONS.has(e.reason));
    if (bad.length > 0) throw new BadFilesError(where, bad);
  }
  for (const label of CLASS_NAMES) {
    if (entries.some((e) => e.label === label && isUsable(e))) continue;
    const ofClass = entries.filter((e) => e.label === label);
    throw new DataError(
      where,
      `no usable images for class '${label}'${ofClass.length ? ` (${ofClass.length} found, all skipped: ${summariseReasons(ofClass)})` : ''}; every class needs at least one`,
    );
  }
  return { entries, warnings: [...warnings, ...duplicateWarnings(entries)] };
}

/** Byte-identical used files: kept (the split keeps them together), but worth knowing — doubly so with different labels. */
function duplicateWarnings(entries: readonly IndexEntry[]): string[] {
  const byHash = new Map<string, IndexEntry[]>();
  for (const e of entries.filter(isUsable)) {
    const same = byHash.get(e.sha256 as string);
    if (same) same.push(e);
    else byHash.set(e.sha256 as string, [e]);
  }
  const copies = [...byHash.values()].filter((g) => g.length > 1);
  if (copies.length === 0) return [];
  const warnings = [`${copies.reduce((n, g) => n + g.length - 1, 0)} used file(s) are byte-identical copies of another (they always share a split): ${copies.slice(0, 3).map((g) => g.map((e) => e.path).join(' = ')).join('; ')}${copies.length > 3 ? '; …' : ''}`];
  for (const g of copies.filter((g) => new Set(g.map((e) => e.label)).size > 1)) {
    warnings.push(`identical files with different labels: ${g.map((e) => `${e.path} (${e.label})`).join(', ')}`);
  }
  return warnings;
}

function summariseReasons(entries: readonly IndexEntry[]): string {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.reason ?? 'ok', (counts.get(e.reason ?? 'ok') ?? 0) + 1);
  return [...counts].map(([r, n]) => `${r} ${n}`).join(', ');
}
