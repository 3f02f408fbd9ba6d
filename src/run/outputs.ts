// A run's evaluation files: report.json (every held-out split's evaluation and the shortcut audit), the
// training curves, and per split the confusion matrix (HTML + PNG), ROC curves and reliability diagram
// (HTML, plotly, offline); model-card.md. `<kind>.html` is the validation split's, `<kind>-test.html` the test's.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLASS_NAMES } from '../data/classes';
import { confusionFigure } from '../plots/confusion';
import { confusionPng } from '../plots/confusion-png';
import { trainingCurves } from '../plots/curves';
import { figureHtml } from '../plots/html';
import { reliabilityFigure } from '../plots/reliability';
import { rocFigure } from '../plots/roc';
import { writeJson } from './dir';
import { type ModelCardInput, modelCard } from './model-card';

/** Everything the model card needs is everything the files need. */
export type RunOutputs = ModelCardInput;

export async function writeRunOutputs(o: RunOutputs): Promise<void> {
  const { runDir } = o;
  const [validation, test] = [o.evaluations.find((e) => e.split === 'val'), o.evaluations.find((e) => e.split === 'test')];
  await writeJson(runDir, 'report.json', { ...(validation ? { val: validation } : {}), ...(test ? { test } : {}), ...(o.audit ? { shortcutAudit: o.audit } : {}) });
  await writeFile(join(runDir, 'curves.html'), figureHtml(trainingCurves(o.history, `${o.config.name}: training curves`), 'training curves'));
  for (const e of o.evaluations) {
    const [name, suffix] = e.split === 'val' ? ['Validation', ''] : ['Test', '-test'];
    await writeFile(join(runDir, `confusion${suffix}.html`), figureHtml(confusionFigure(e.confusion, CLASS_NAMES, `${name} confusion matrix`), 'confusion matrix'));
    await writeFile(join(runDir, `confusion${suffix}.png`), await confusionPng(e.confusion, CLASS_NAMES, `${name} confusion matrix`));
    await writeFile(join(runDir, `roc${suffix}.html`), figureHtml(rocFigure(e.report, `${name} ROC curves (one vs rest)`), 'ROC curves'));
    await writeFile(join(runDir, `reliability${suffix}.html`), figureHtml(reliabilityFigure(e.calibration, `${name} reliability`), 'reliability diagram'));
  }
  await writeFile(join(runDir, 'model-card.md'), modelCard(o));
}
