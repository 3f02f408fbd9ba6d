// Step "python": the project's virtual environment (MLflow, JupyterLab, nbclient, plotly, TensorFlow)
// installed from the hash-locked python/requirements*.txt with uv (pip as the fallback).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, VENV, VENV_PYTHON, SetupError, fileHash, hash, log, readStamp, run, writeStamp } from './util.mjs';

const UV_VERSION = '0.13.9';
const STEP = 'python';

/** `gpu` when asked for (CXRLAB_DEVICE=gpu) or when `nvidia-smi` lists a GPU and nothing says `cpu`. */
export function chosenDevice() {
  const asked = (process.env.CXRLAB_DEVICE ?? 'auto').toLowerCase();
  if (asked === 'cpu' || asked === 'gpu') return asked;
  if (asked !== 'auto') {
    throw new SetupError('device', `CXRLAB_DEVICE must be one of auto, cpu, gpu. Received: ${asked}`, 'unset it or pick one of the three');
  }
  try {
    const out = run('device', 'nvidia-smi', ['-L'], { capture: true });
    return /GPU \d+:/.test(out) ? 'gpu' : 'cpu';
  } catch {
    return 'cpu';
  }
}

function systemPython() {
  const python = process.env.CXRLAB_PYTHON ?? 'python3';
  const version = run(STEP, python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
    capture: true,
    remedy: 'install Python 3.10-3.12 with its venv module, or point CXRLAB_PYTHON at one',
  }).trim();
  const [major, minor] = version.split('.').map(Number);
  if (major !== 3 || minor < 10 || minor > 12) {
    throw new SetupError(STEP, `${python} is Python ${version}; TensorFlow 2.21 needs 3.10-3.12`, 'point CXRLAB_PYTHON at a Python 3.10-3.12');
  }
  return { python, version };
}

export function ensurePythonEnv({ device, force }) {
  const lock = join(ROOT, 'python', device === 'gpu' ? 'requirements-gpu.txt' : 'requirements.txt');
  const { python, version } = systemPython();
  const stamp = hash(fileHash(lock), version, VENV);
  if (!force && readStamp('python') === stamp && existsSync(VENV_PYTHON)) {
    log(`python: ${VENV} is up to date`);
    return;
  }
  log(`python: creating ${VENV} (Python ${version}, ${device}) from ${lock}`);
  rmSync(VENV, { recursive: true, force: true });
  try {
    run(STEP, python, ['-m', 'venv', VENV], { remedy: 'install the venv module (Debian: apt-get install python3-venv)' });
    installLocked(lock);
  } catch (err) {
    rmSync(VENV, { recursive: true, force: true }); // never leave a half-installed venv behind
    throw err;
  }
  writeStamp('python', stamp);
}

function installLocked(lock) {
  const remedy = 'check that PyPI is reachable (or a mirror is configured for pip/uv), then rerun `npm run setup`';
  const quiet = { remedy, env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' } };
  try {
    run(STEP, VENV_PYTHON, ['-m', 'pip', 'install', '-q', `uv==${UV_VERSION}`], quiet);
  } catch {
    log('python: uv could not be installed; falling back to pip (several minutes)');
    run(STEP, VENV_PYTHON, ['-m', 'pip', 'install', '-q', '--no-compile', '--require-hashes', '-r', lock], quiet);
    return;
  }
  const uv = join(VENV, 'bin', 'uv');
  run(STEP, uv, ['pip', 'install', '--python', VENV_PYTHON, '--require-hashes', '-r', lock], quiet);
}
