// A run's output folder, <output.dir>/<name>/<timestamp>[-n]/, the plain files written into it, and finding the newest.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

/** Creates a fresh run folder; never reuses an existing one (a second run in the same second gets -1, -2, …). */
export async function createRunDir(outputDir: string, name: string, now = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const parent = resolve(outputDir, name);
  await mkdir(parent, { recursive: true });
  for (let n = 0; ; n++) {
    const dir = join(parent, n === 0 ? stamp : `${stamp}-${n}`);
    try {
      await mkdir(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

export async function writeJson(dir: string, file: string, value: unknown): Promise<string> {
  const path = join(dir, file);
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

/** The newest finished run folder (with report.json and model/model.json) under any of `parents`
 * (`<output.dir>/<name>` folders), by its timestamped name; null when there is none. */
export function latestRunDir(parents: readonly string[]): string | null {
  const runs = parents.flatMap((p) => (existsSync(p) ? readdirSync(p).map((d) => join(p, d)) : []));
  const finished = runs.filter((d) => existsSync(join(d, 'report.json')) && existsSync(join(d, 'model', 'model.json')));
  return finished.sort((a, b) => basename(a).localeCompare(basename(b))).pop() ?? null;
}
