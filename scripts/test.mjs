// `npm test`: builds dist/ (notebooks import the built package) and type-checks src/, test/ and bench/
// (the project's TypeScript: node_modules/.bin/tsc is tslab's bundled 5.0), then runs every test/**/*.test.ts
// with Node's test runner, one file at a time (tfjs-node and the MLflow/Jupyter processes are heavy
// on two cores). Then the real-server MLflow suite runs again with each server's backend store on a
// throwaway PostgreSQL cluster (CXRLAB_TEST_BACKEND=postgres): the set-up a team shares.
// Extra arguments are passed to the runner, e.g. `npm test -- --test-name-pattern=split`.
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

/** Test files whose MLflow servers (test/helpers/mlflow-server.ts) follow CXRLAB_TEST_BACKEND. */
const POSTGRES_SUITE = [
  'test/tracking/run-logging.test.ts',
  'test/tracking/sync.test.ts',
  'test/tracking/parallel-runs.test.ts',
  'test/tracking/registry.test.ts',
  'test/sweep/sweep-mlflow.test.ts',
  'test/cli/predict-run-id.test.ts',
];

const runTests = (files, env = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...process.argv.slice(2), ...files], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

const status = runTests(testFiles(join(ROOT, 'test')).sort());
if (status !== 0) process.exit(status);
console.log(`\nThe real-server MLflow suite again, on PostgreSQL backend stores: ${POSTGRES_SUITE.join(' ')}`);
process.exit(runTests(POSTGRES_SUITE, { CXRLAB_TEST_BACKEND: 'postgres' }));
