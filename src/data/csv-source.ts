// Metadata-CSV sources: one row per image (path, finding, view, patient id, source, split), findings mapped
// to classes by the label map. Every row becomes a Candidate; paths that leave the root are refused.
import { realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DataError } from '../errors';
import { requireColumn } from './csv';
import type { CsvSourceConfig } from './config';
import { splitOfName, type SourceCandidates } from './folder-tree';
import type { Candidate } from './index-entry';
import { describeLabels, resolveLabel } from './label-map';
import { cell, readCsvFile } from './manifest';
import { realPathUnder, resolveInside, toRelPath } from './safe-path';

/** Lists a CSV source. `option` names it in messages (e.g. `data.sources[1]`). */
export async function listCsvSource(config: CsvSourceConfig, option: string): Promise<SourceCandidates> {
  const file = config.csv;
  const root = config.dir ?? dirname(file);
  const rootInfo = await stat(root).catch((cause: unknown) => {
    throw new DataError(root, `image folder not found (${option}.dir)`, { cause });
  });
  if (!rootInfo.isDirectory()) throw new DataError(root, `expected the folder the CSV's paths are relative to (${option}.dir)`);
  const realRoot = await realpath(root);

  const table = await readCsvFile(file, `${option}.csv`);
  const cols = config.columns;
  requireColumn(table, cols.path, `${option}.columns.path`, file);
  requireColumn(table, cols.label, `${option}.columns.label`, file);
  for (const key of ['patientId', 'view', 'source', 'split'] as const) {
    const c = cols[key];
    if (c !== undefined) requireColumn(table, c, `${option}.columns.${key}`, file);
  }

  const outside: string[] = [];
  const unknown = new Map<string, number[]>();
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const candidates: Candidate[] = [];
  for (const { line, values } of table.records) {
    const rawPath = cell(values, cols.path);
    const finding = cell(values, cols.label);
    if (rawPath === null) {
      problems.push(`line ${line}: empty ${cols.path}`);
      continue;
    }
    const path = resolveInside(root, rawPath);
    if (path === null) {
      outside.push(`line ${line}: ${rawPath}`);
      continue;
    }
    const real = await realPathUnder(realRoot, path);
    if (real.kind === 'outside') {
      outside.push(`line ${line}: ${rawPath} → ${real.real}`);
      continue;
    }
    const resolution = resolveLabel(finding ?? '', config.labelMap, { wildcard: finding !== null });
    if (resolution.kind === 'unknown') {
      unknown.set(finding ?? '(empty)', [...(unknown.get(finding ?? '(empty)') ?? []), line]);
      continue;
    }
    const splitValue = cell(values, cols.split);
    const rowSplit = splitValue === null ? null : splitOfName(splitValue);
    if (rowSplit === undefined) problems.push(`line ${line}: ${cols.split} '${splitValue}' is not train, val or test`);
    const view = cell(values, cols.view);
    const source = cell(values, cols.source);
    const relPath = toRelPath(root, path);
    const firstLine = seen.get(relPath);
    let skip: Candidate['skip'] = null;
    if (firstLine !== undefined) skip = { reason: 'duplicate-row', detail: `line ${line} lists the file of line ${firstLine} again` };
    else if (resolution.kind === 'exclude') skip = { reason: 'excluded-label', detail: `finding '${finding}' maps to exclude (${option}.labelMap)` };
    else if (real.kind === 'broken') skip = { reason: 'missing', detail: `line ${line}: no such file` };
    else if (config.views && !config.views.some((v) => v.toLowerCase() === view?.toLowerCase())) {
      skip = { reason: 'excluded-view', detail: `${view === null ? 'no view recorded' : `view '${view}'`}; ${option}.views is ${config.views.join(', ')}` };
    }
    if (firstLine === undefined) seen.set(relPath, line);
    candidates.push({
      path,
      relPath,
      dataset: config.name,
      source: source === null ? config.name : (config.sourceNames[source] ?? source),
      label: resolution.kind === 'class' ? resolution.label : null,
      rawLabel: finding,
      patientId: cell(values, cols.patientId),
      view,
      fixedSplit: config.split !== 'auto' ? config.split : (rowSplit ?? null),
      skip,
    });
  }
  if (outside.length > 0) throw new DataError(file, `refused: ${outside.length} path(s) lead outside the dataset root ${root}: ${outside.join('; ')}`);
  if (problems.length > 0) throw new DataError(file, problems.join('; '));
  if (unknown.size > 0) {
    const list = [...unknown].map(([f, lines]) => `'${f}' (${lines.length} row(s), line ${lines.slice(0, 3).join(', ')}${lines.length > 3 ? ', …' : ''})`);
    throw new DataError(file, `findings that map to no class: ${list.join(', ')}. ${describeLabels(config.labelMap)}, or map every other finding with '*'`);
  }
  return { candidates, warnings: [] };
}
