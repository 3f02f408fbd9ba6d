// Shared plumbing for the setup steps: project paths, child processes that fail loudly, stamps.
// A stamp is written only after its step succeeded, so an interrupted setup is redone, never trusted.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VENV = resolve(ROOT, process.env.CXRLAB_VENV ?? '.venv');
export const VENV_PYTHON = join(VENV, 'bin', 'python');
const STAMP_DIR = join(ROOT, 'node_modules', '.cache', 'cxrlab-setup');

/** A setup step failed: `step` names it, `remedy` tells the user what to do next. */
export class SetupError extends Error {
  constructor(step, message, remedy) {
    super(message);
    this.name = 'SetupError';
    this.step = step;
    this.remedy = remedy;
  }
}

/** Runs a command, streaming its output; throws with the command line and exit code on failure. */
export function run(step, cmd, args, options = {}) {
  const res = spawnSync(cmd, args, { stdio: options.capture ? 'pipe' : 'inherit', encoding: 'utf8', ...options });
  if (res.error || res.status !== 0) {
    const why = res.error ? res.error.message : `exit code ${res.status}`;
    const tail = options.capture ? `\n${(res.stderr ?? '').trim().split('\n').slice(-15).join('\n')}` : '';
    throw new SetupError(step, `\`${[cmd, ...args].join(' ')}\` failed (${why})${tail}`, options.remedy);
  }
  return res.stdout ?? '';
}

export function hash(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(String(p)).update('\0');
  return h.digest('hex').slice(0, 16);
}

export function fileHash(path) {
  return hash(readFileSync(path));
}

export function readStamp(name) {
  const p = join(STAMP_DIR, name);
  return existsSync(p) ? readFileSync(p, 'utf8') : null;
}

export function writeStamp(name, value) {
  mkdirSync(STAMP_DIR, { recursive: true });
  writeFileSync(join(STAMP_DIR, name), value);
}

export function log(message) {
  process.stdout.write(`cxrlab setup: ${message}\n`);
}
