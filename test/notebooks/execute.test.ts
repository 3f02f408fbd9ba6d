import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OUTPUT_DIR, ROOT, VENV_BIN, requireCxrDev, runCommand, tempDir } from '../helpers/project';

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
  assert.match(text, /path_count/, 'the DataFrame of class counts is printed');
  assert.match(text, /images: 219/);
});

test('03-train trains with live plotly curves and shows the confusion matrix (small settings injected)', () => {
  requireCxrDev();
  const out = join(OUTPUT_DIR, 'notebooks', '03-train.ipynb');
  const outputDir = tempDir('nb-train');
  const env = { ...process.env, CXRLAB_TRACKING: '0', CXRLAB_SET: `train.epochs=2;data.imageSize=48;evaluation.gradcamPerClass=1;output.dir=${outputDir}` };
  const res = runCommand(join(VENV_BIN, 'python'), [join(ROOT, 'test', 'helpers', 'run_notebook.py'), join(ROOT, 'notebooks', '03-train.ipynb'), out], { env });
  assert.equal(res.status, 0, `03-train failed:\n${res.stderr.slice(-3000)}`);
  const nb = JSON.parse(readFileSync(out, 'utf8')) as { cells: { outputs?: (Output & { data?: Record<string, unknown> })[] }[] };
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  assert.ok(!outputs.some((o) => o.output_type === 'error'));
  const figures = outputs.filter((o) => o.data?.['application/vnd.plotly.v1+json']);
  assert.ok(figures.length >= 2, 'a curve and a confusion matrix are displayed');
  for (const f of figures) {
    const fig = f.data!['application/vnd.plotly.v1+json'] as { data: unknown[]; layout: unknown };
    assert.equal(typeof fig, 'object', 'the plotly figure arrives as a JSON object, as the renderer needs');
    assert.ok(Array.isArray(fig.data) && fig.data.length > 0);
  }
  const curves = figures.find((f) => JSON.stringify(f.data).includes('val_loss'))!;
  const valLoss = (curves.data!['application/vnd.plotly.v1+json'] as { data: { name: string; y: number[] }[] }).data.find((t) => t.name === 'val_loss')!;
  assert.equal(valLoss.y.length, 2, 'the live curve was updated to the last epoch');
  const text = outputs.map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? ''))).join('');
  assert.match(text, /seed-004, 2 epochs, 48px/);
  assert.match(text, new RegExp(`run folder: ${outputDir}/default/`));
});
