// A class-folder source's manifest: a CSV of per-file metadata (patient id, view, source), keyed by the
// file's path relative to the source's dir. Paths that leave the dir are refused.
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { DataError } from '../errors';
import { type CsvTable, parseCsv, requireColumn } from './csv';
import type { FolderSourceConfig } from './config';
import { resolveInside, toRelPath } from './safe-path';

export interface ManifestRow {
  line: number;
  patientId: string | null;
  view: string | null;
  source: string | null;
}

export type ManifestConfig = NonNullable<FolderSourceConfig['manifest']>;

/** Reads a CSV file, or fails naming the file and the option that points at it. */
export async function readCsvFile(path: string, option: string): Promise<CsvTable> {
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new DataError(path, `cannot read the CSV named by ${option} (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
  });
  return parseCsv(text, path);
}

/** Cell text, trimmed; empty → null. */
export function cell(values: Readonly<Record<string, string>>, column: string | undefined): string | null {
  if (column === undefined) return null;
  const v = values[column]?.trim() ?? '';
  return v === '' ? null : v;
}

/** Manifest rows by relative path ('/'-separated, normalised). */
export async function readManifest(config: ManifestConfig, root: string, option: string): Promise<Map<string, ManifestRow>> {
  const file = isAbsolute(config.file) ? config.file : resolve(root, config.file);
  const table = await readCsvFile(file, option);
  const cols = config.columns;
  const pathCol = requireColumn(table, cols.path, `${option}.columns.path`, file);
  for (const key of ['patientId', 'view', 'source'] as const) {
    const c = cols[key];
    if (c !== undefined) requireColumn(table, c, `${option}.columns.${key}`, file);
  }
  const rows = new Map<string, ManifestRow>();
  const outside: string[] = [];
  const twice: string[] = [];
  for (const { line, values } of table.records) {
    const raw = cell(values, pathCol);
    if (raw === null) throw new DataError(file, `line ${line}: empty ${cols.path} (${option}.columns.path)`);
    const abs = resolveInside(root, raw);
    if (abs === null) {
      outside.push(`line ${line}: ${raw}`);
      continue;
    }
    const rel = toRelPath(root, abs);
    const prior = rows.get(rel);
    if (prior) twice.push(`${rel} (lines ${prior.line} and ${line})`);
    const source = cell(values, cols.source);
    rows.set(rel, {
      line,
      patientId: cell(values, cols.patientId),
      view: cell(values, cols.view),
      source: source === null ? null : (config.sourceNames[source] ?? source),
    });
  }
  if (outside.length > 0) throw new DataError(file, `refused: ${outside.length} path(s) lead outside the dataset root ${root}: ${outside.join('; ')}`);
  if (twice.length > 0) throw new DataError(file, `lists a file more than once: ${twice.join('; ')}`);
  return rows;
}
