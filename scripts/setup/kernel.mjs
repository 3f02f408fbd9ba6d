// Step "kernel": registers the tslab TypeScript kernel inside the venv, so the venv's Jupyter
// (npm run lab, nbclient in tests) finds it. The kernel spec names node and tslab by absolute path:
// Jupyter may be started from a shell whose PATH has neither.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, VENV, VENV_PYTHON, hash, log, readStamp, run, writeStamp } from './util.mjs';

const STEP = 'kernel';
const KERNELS = ['tslab', 'jslab'];

export function ensureKernel({ force }) {
  const tslab = join(ROOT, 'node_modules', 'tslab', 'bin', 'tslab');
  const stamp = hash(tslab, process.execPath, VENV);
  const specs = KERNELS.map((k) => join(VENV, 'share', 'jupyter', 'kernels', k, 'kernel.json'));
  if (!force && readStamp('kernel') === stamp && specs.every((s) => existsSync(s))) {
    log('kernel: tslab kernel is registered');
    return;
  }
  run(STEP, process.execPath, [tslab, 'install', `--python=${VENV_PYTHON}`, `--prefix=${VENV}`, `--binary=${tslab}`], {
    capture: true,
    remedy: 'check that the venv has jupyter_client (`npm run setup` recreates it)',
  });
  for (const spec of specs) {
    const json = JSON.parse(readFileSync(spec, 'utf8'));
    json.argv = [process.execPath, ...json.argv];
    writeFileSync(spec, `${JSON.stringify(json, null, 2)}\n`);
  }
  log(`kernel: registered tslab in ${join(VENV, 'share', 'jupyter', 'kernels')}`);
  writeStamp('kernel', stamp);
}
