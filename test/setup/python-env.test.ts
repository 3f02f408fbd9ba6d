import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { VENV_BIN, runCommand } from '../helpers/project';

test('the venv has the pinned MLflow, JupyterLab, nbclient, plotly and TensorFlow', () => {
  const probe = [
    'import importlib.metadata as m',
    'for p in ["mlflow", "jupyterlab", "nbclient", "nbconvert", "plotly"]: print(p, m.version(p))',
    'import tensorflow as tf; print("tensorflow", tf.__version__)',
  ].join('\n');
  const res = runCommand(join(VENV_BIN, 'python'), ['-c', probe], { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
  assert.equal(res.status, 0, res.stderr);
  const versions = Object.fromEntries(res.stdout.trim().split('\n').map((l) => l.split(' ')));
  assert.equal(versions.mlflow, '3.17.2');
  assert.equal(versions.jupyterlab, '4.6.6');
  assert.equal(versions.nbclient, '0.11.0');
  assert.equal(versions.plotly, '7.1.0');
  assert.equal(versions.tensorflow, '2.21.0');
});

test('jupyter kernelspec list shows the TypeScript (tslab) kernel', () => {
  const res = runCommand(join(VENV_BIN, 'jupyter'), ['kernelspec', 'list', '--json']);
  assert.equal(res.status, 0, res.stderr);
  const specs = JSON.parse(res.stdout).kernelspecs as Record<string, { spec: { argv: string[]; display_name: string } }>;
  assert.ok(specs.tslab, `kernels: ${Object.keys(specs).join(', ')}`);
  assert.equal(specs.tslab.spec.display_name, 'TypeScript');
  assert.equal(specs.tslab.spec.argv[0], process.execPath, 'the kernel starts this node by absolute path');
});
