// Keeping a source's files inside its root: lexical checks for CSV paths, real-path checks for symlinks.
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** True when `target` is `root` itself or lies below it (both absolute, already resolved). */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** A path from a CSV resolved against `root`, or null when it leaves the root (`..`, an absolute path elsewhere). */
export function resolveInside(root: string, path: string): string | null {
  const abs = resolve(root, path);
  return isInside(root, abs) && abs !== root ? abs : null;
}

export type RealPath = { kind: 'inside'; real: string } | { kind: 'outside'; real: string } | { kind: 'broken'; message: string };

/** Follows links: where `path` really is, relative to the root's real path. */
export async function realPathUnder(realRoot: string, path: string): Promise<RealPath> {
  try {
    const real = await realpath(path);
    return isInside(realRoot, real) ? { kind: 'inside', real } : { kind: 'outside', real };
  } catch (err) {
    return { kind: 'broken', message: err instanceof Error ? err.message : String(err) };
  }
}

/** '/'-separated relative path, the same on every platform. */
export function toRelPath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}
