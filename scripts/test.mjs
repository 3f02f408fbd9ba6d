// `npm test`: builds dist/ (notebooks import the built package) and type-checks src/, test/ and bench/
// (the project's TypeScript: node_modules/.bin/tsc is tslab's bundled 5.0), then runs every test/**/*.test.ts
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

const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
for (const args of [['-p', 'tsconfig.build.json'], ['-p', 'tsconfig.json', '--noEmit']]) {
  const res = spawnSync(process.execPath, [tsc, ...args], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

const files = testFiles(join(ROOT, 'test')).sort();
const args = ['--import', 'tsx', '--test', '--test-concurrency=1', ...process.argv.slice(2), ...files];
const res = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
process.exit(res.status ?? 1);
