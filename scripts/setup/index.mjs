// cxrlab's setup, run by `npm install` / `npm ci` (postinstall) and by `npm run setup`.
// Steps, each idempotent and stamped: python (venv), native (tfjs-node on TensorFlow 2.21),
// build (TypeScript → dist/), kernel (tslab in the venv's Jupyter), system (Chromium for the browser
// tests). Ends by printing the backend.
// Flags: --force (redo every step) or --force=native,kernel (redo those).
import { join } from 'node:path';
import { ensureKernel } from './kernel.mjs';
import { ensureNativeTf, verifyBackend } from './native-tf.mjs';
import { chosenDevice, ensurePythonEnv } from './python-env.mjs';
import { ensureSystemPackages } from './system.mjs';
import { ROOT, SetupError, log, run } from './util.mjs';

function forced(step) {
  const flag = process.argv.find((a) => a === '--force' || a.startsWith('--force='));
  if (!flag) return false;
  return flag === '--force' || flag.slice('--force='.length).split(',').includes(step);
}

function buildTypeScript() {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  run('build', process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    remedy: 'fix the TypeScript errors above, then `npm run build`',
  });
  log('build: dist/ is up to date');
}

function main() {
  const started = Date.now();
  const device = chosenDevice();
  ensurePythonEnv({ device, force: forced('python') });
  ensureNativeTf({ force: forced('native') });
  buildTypeScript();
  ensureKernel({ force: forced('kernel') });
  ensureSystemPackages();
  verifyBackend();
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s (device: ${device})`);
}

try {
  main();
} catch (err) {
  if (err instanceof SetupError) {
    process.stderr.write(`\ncxrlab setup failed at step "${err.step}": ${err.message}\n`);
    if (err.remedy) process.stderr.write(`  remedy: ${err.remedy}\n`);
    process.exit(1);
  }
  throw err;
}
