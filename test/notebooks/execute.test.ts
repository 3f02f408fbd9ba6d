import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OUTPUT_DIR, ROOT, VENV_BIN, requireCxrDev, runCommand } from '../helpers/project';

interface Output {
  output_type: string;
  text?: string | string[];
  ename?: string;
}

/** Executes one notebook with nbclient on the tslab kernel; returns every cell's text output. */
function execute(name: string): string {
  const out = join(OUTPUT_DIR, 'notebooks', name);
  const res = runCommand(join(VENV_BIN, 'python'), [join(ROOT, 'test', 'helpers', 'run_notebook.py'), join(ROOT, 'notebooks', name), out]);
  assert.equal(res.status, 0, `${name} failed:\n${res.stderr.slice(-3000)}`);
  const nb = JSON.parse(readFileSync(out, 'utf8')) as { cells: { outputs?: Output[] }[] };
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  assert.ok(!outputs.some((o) => o.output_type === 'error'), 'a cell raised');
  return outputs.map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? ''))).join('');
}

test('00-quickstart runs on the tslab kernel against the built package', () => {
  requireCxrDev();
  const text = execute('00-quickstart.ipynb');
  assert.match(text, /backend=tensorflow tensorflow=2\.21\./);
  assert.match(text, /file_count/, 'the DataFrame of class counts is printed');
  assert.match(text, /images: 219/);
});
