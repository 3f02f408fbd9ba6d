// Paths and small process helpers the tests share: the project root, the venv, the cxr-dev images.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const VENV = resolve(ROOT, process.env.CXRLAB_VENV ?? '.venv');
export const VENV_BIN = join(VENV, 'bin');
export const OUTPUT_DIR = join(ROOT, 'test-output');

/** The real chest X-rays used by integration tests (CXRLAB_DATA overrides; never copied into the repo). */
export const CXR_DEV = resolve(process.env.CXRLAB_DATA ?? join(ROOT, '..', 'shared', 'data', 'cxr-dev'));

export function requireCxrDev(): string {
  if (!existsSync(CXR_DEV)) throw new Error(`the cxr-dev images are missing at ${CXR_DEV}; set CXRLAB_DATA`);
  return CXR_DEV;
}

export interface Completed {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCommand(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Completed {
  const res = spawnSync(cmd, args, {
    cwd: options.cwd ?? ROOT,
    // Runs are not logged to MLflow unless a test asks for it (tracking tests pass their own env).
    env: options.env ?? { ...process.env, CXRLAB_TRACKING: process.env.CXRLAB_TRACKING ?? '0' },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw res.error;
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** A fresh temporary folder, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cxrlab-${prefix}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
