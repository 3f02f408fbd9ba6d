// Class-per-folder datasets: <root>/<class>/<image>. Lists files only; no decoding, no tensors.
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DataError } from '../errors';
import { CLASS_NAMES, type ClassName, classOf, knownAliases } from './classes';

export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp']);

export interface ImageEntry {
  /** Absolute path of the image file. */
  path: string;
  label: ClassName;
}

/** Lists `<root>/<class>/*` images; a folder that names no known class is an error listing the aliases. */
export async function scanClassFolders(root: string): Promise<ImageEntry[]> {
  const info = await stat(root).catch((cause: unknown) => {
    throw new DataError(root, 'dataset folder not found (set data.dir in the experiment or CXRLAB_DATA)', { cause });
  });
  if (!info.isDirectory()) throw new DataError(root, 'expected a folder with one sub-folder per class');
  const folders = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory());
  const entries: ImageEntry[] = [];
  for (const folder of folders.sort((a, b) => a.name.localeCompare(b.name))) {
    const label = classOf(folder.name);
    if (!label) {
      throw new DataError(
        join(root, folder.name),
        `folder name is not a known class. Expected one of ${CLASS_NAMES.join(', ')} or an alias (${knownAliases().join(', ')})`,
      );
    }
    const files = (await readdir(join(root, folder.name))).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()));
    for (const file of files.sort()) entries.push({ path: join(root, folder.name, file), label });
  }
  for (const label of CLASS_NAMES) {
    if (!entries.some((e) => e.label === label)) throw new DataError(root, `no images for class '${label}'`);
  }
  return entries;
}
