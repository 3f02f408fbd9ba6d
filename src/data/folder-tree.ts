// Class-folder sources: <root>/[<nesting>/][<split>/]<class>/[<nesting>/]<file>, any depth. Lists every file
// under a class folder (and stray images outside them) as a Candidate; reads no image. Links that leave the
// root are refused; an unknown folder where a class folder belongs is an error naming it.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DataError } from '../errors';
import type { FolderSourceConfig } from './config';
import { IMAGE_EXTENSIONS } from './image-types';
import type { Candidate, SplitName } from './index-entry';
import { type LabelMap, type LabelResolution, describeLabels, resolveLabel } from './label-map';
import { type ManifestRow, readManifest } from './manifest';
import { realPathUnder } from './safe-path';

const SPLIT_FOLDERS: Readonly<Record<string, SplitName>> = {
  train: 'train',
  training: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  test: 'test',
  testing: 'test',
};

/** The split a folder (or CSV value) names, e.g. `Validation` → val; undefined for any other name. */
export function splitOfName(name: string): SplitName | undefined {
  return SPLIT_FOLDERS[name.trim().toLowerCase()];
}

interface FoundFile {
  /** Folder names from the root down to the file's folder. */
  dirs: string[];
  name: string;
  path: string;
  /** Why it cannot be read, decided while walking (a broken link, a socket). */
  unreadable: string | null;
}

interface Walk {
  files: FoundFile[];
  dirs: string[][];
  outside: string[];
}

const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Every file and folder below the root in name order; hidden folders (.git, …) are not entered, nor a
 * link back up to a folder it lies in. */
async function walk(root: string, realRoot: string): Promise<Walk> {
  const out: Walk = { files: [], dirs: [], outside: [] };
  const visit = async (dir: string, dirs: string[], ancestors: ReadonlySet<string>): Promise<void> => {
    for (const d of (await readdir(dir, { withFileTypes: true })).sort(byName)) {
      const path = join(dir, d.name);
      let isDir = d.isDirectory();
      let unreadable: string | null = d.isFile() || isDir ? null : 'not a regular file';
      let realDir = join([...ancestors].at(-1) ?? realRoot, d.name);
      if (d.isSymbolicLink()) {
        const real = await realPathUnder(realRoot, path);
        if (real.kind === 'outside') {
          out.outside.push(`${path} → ${real.real}`);
          continue;
        }
        if (real.kind === 'broken') {
          unreadable = `broken link (${real.message})`;
        } else {
          const info = await stat(path);
          isDir = info.isDirectory();
          unreadable = info.isFile() || isDir ? null : 'links to something that is not a regular file';
          realDir = real.real;
        }
      }
      if (isDir) {
        if (d.name.startsWith('.') || ancestors.has(realDir)) continue;
        out.dirs.push([...dirs, d.name]);
        await visit(path, [...dirs, d.name], new Set([...ancestors, realDir]));
      } else {
        out.files.push({ dirs, name: d.name, path, unreadable });
      }
    }
  };
  await visit(root, [], new Set([realRoot]));
  return out;
}

/** Index of the first folder on the path that names a class (or `exclude`), with its resolution. */
function classFolder(dirs: readonly string[], map: LabelMap): { at: number; resolution: LabelResolution } | null {
  for (let i = 0; i < dirs.length; i++) {
    const name = dirs[i] as string;
    if (splitOfName(name) && !Object.keys(map).some((k) => k.trim().toLowerCase() === name.trim().toLowerCase())) continue;
    const resolution = resolveLabel(name, map, { wildcard: false });
    if (resolution.kind !== 'unknown') return { at: i, resolution };
  }
  return null;
}

export interface SourceCandidates {
  candidates: Candidate[];
  warnings: string[];
}

/** Lists a class-folder source. `option` names it in messages (e.g. `data.sources[0]`). */
export async function listFolderSource(config: FolderSourceConfig, option: string): Promise<SourceCandidates> {
  const root = config.dir;
  const info = await stat(root).catch((cause: unknown) => {
    throw new DataError(root, `dataset folder not found (${option}.dir)`, { cause });
  });
  if (!info.isDirectory()) throw new DataError(root, `expected a folder with one sub-folder per class (${option}.dir)`);
  const found = await walk(root, await realpath(root));
  if (found.outside.length > 0) {
    throw new DataError(root, `refused: ${found.outside.length} link(s) lead outside the dataset root: ${found.outside.join('; ')}`);
  }

  // Folders that lead to a class folder are nesting; any other folder outside class folders is unknown.
  const nesting = new Set<string>();
  for (const dirs of found.dirs) {
    const cls = classFolder(dirs, config.labelMap);
    if (cls) for (let j = 0; j < cls.at; j++) nesting.add(dirs.slice(0, j + 1).join('/'));
  }
  const unknown = found.dirs.filter((dirs) => {
    const isUnknown = (d: readonly string[]): boolean =>
      !classFolder(d, config.labelMap) && !splitOfName(d[d.length - 1] as string) && !nesting.has(d.join('/'));
    return isUnknown(dirs) && !dirs.slice(0, -1).some((_, j) => isUnknown(dirs.slice(0, j + 1)));
  });
  if (unknown.length > 0) {
    throw new DataError(
      root,
      `folder name${unknown.length > 1 ? 's are' : ' is'} not a known class: ${unknown.map((d) => join(root, ...d)).join(', ')}. ${describeLabels(config.labelMap)}`,
    );
  }

  const manifest = config.manifest ? await readManifest(config.manifest, root, `${option}.manifest`) : undefined;
  const matched = new Set<string>();
  const withoutRow: string[] = [];
  const conflicts: string[] = [];
  const candidates: Candidate[] = [];
  for (const file of found.files) {
    const relPath = [...file.dirs, file.name].join('/');
    const cls = classFolder(file.dirs, config.labelMap);
    if (!cls && !IMAGE_EXTENSIONS.has(extname(file.name).toLowerCase())) continue; // README.md, MANIFEST.csv, … beside the classes
    const splits = [...new Set(file.dirs.map(splitOfName).filter((s): s is SplitName => s !== undefined))];
    if (splits.length > 1) conflicts.push(relPath);
    const row: ManifestRow | undefined = manifest?.get(relPath);
    if (row) matched.add(relPath);
    else if (manifest && cls) withoutRow.push(relPath);
    const label = cls?.resolution.kind === 'class' ? cls.resolution.label : null;
    const view = row?.view ?? null;
    let skip: Candidate['skip'] = null;
    if (!cls) skip = { reason: 'outside-class-folder', detail: `not inside a class folder of ${root}` };
    else if (cls.resolution.kind === 'exclude') skip = { reason: 'excluded-label', detail: `folder '${file.dirs[cls.at]}' maps to exclude (${option}.labelMap)` };
    else if (file.unreadable) skip = { reason: 'unreadable', detail: file.unreadable };
    else if (config.views && !config.views.some((v) => v.toLowerCase() === view?.toLowerCase())) {
      skip = { reason: 'excluded-view', detail: `${view === null ? 'no view recorded' : `view '${view}'`}; ${option}.views is ${config.views.join(', ')}` };
    }
    candidates.push({
      path: file.path,
      relPath,
      dataset: config.name,
      source: row?.source ?? config.name,
      label,
      rawLabel: cls ? (file.dirs[cls.at] as string) : null,
      patientId: row?.patientId ?? null,
      view,
      fixedSplit: config.split !== 'auto' ? config.split : (splits[0] ?? null),
      skip,
    });
  }
  if (conflicts.length > 0) {
    throw new DataError(root, `files lie below two different split folders (train/ val/ test/): ${conflicts.slice(0, 10).join(', ')}${conflicts.length > 10 ? ` and ${conflicts.length - 10} more` : ''}`);
  }
  const warnings: string[] = [];
  if (manifest) {
    const unmatched = [...manifest.entries()].filter(([rel]) => !matched.has(rel));
    if (unmatched.length > 0) {
      warnings.push(`${option}.manifest: ${unmatched.length} row(s) name no file found: ${unmatched.slice(0, 5).map(([rel, r]) => `${rel} (line ${r.line})`).join(', ')}${unmatched.length > 5 ? ', …' : ''}`);
    }
    if (withoutRow.length > 0) {
      warnings.push(`${option}.manifest: ${withoutRow.length} file(s) have no row (no patient id, view or source for them): ${withoutRow.slice(0, 5).join(', ')}${withoutRow.length > 5 ? ', …' : ''}`);
    }
  }
  return { candidates, warnings };
}
