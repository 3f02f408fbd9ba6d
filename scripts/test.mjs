// `npm test`: builds dist/ (notebooks import the built package), then runs every test/**/*.test.ts
// with Node's test runner, one file at a time (tfjs-node and the MLflow/Jupyter processes are heavy
// on two cores). Extra arguments are passed to the runner, e.g. `npm test -- --test-name-pattern=split`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './setup/util.mjs';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'helpers' || e.name === 'fixtures' ? [] : testFiles(p);
    return e.name.endsWith('.test.ts') ? [relative(ROOT, p)] : [];
  });
}

const build = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const files = testFiles(join(ROOT, 'test')).sort();
const args = ['--import', 'tsx', '--test', '--test-concurrency=1', ...process.argv.slice(2), ...files];
const res = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
process.exit(res.status ?? 1);
