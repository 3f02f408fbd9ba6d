import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { launchBrowser } from '../helpers/browser';
import { startJupyterLab } from '../helpers/jupyter-server';
import { OUTPUT_DIR, ROOT, requireCxrDev, tempDir } from '../helpers/project';

const SCREENSHOTS = join(OUTPUT_DIR, 'screenshots');

test('`npm run lab` lists the notebooks; JupyterLab opens 03-train, the TypeScript kernel runs it, and plotly charts render', async () => {
  requireCxrDev();
  const notebook = join(ROOT, 'notebooks', '03-train.ipynb');
  const original = readFileSync(notebook, 'utf8');
  const runs = tempDir('lab-runs');
  const lab = await startJupyterLab({ CXRLAB_TRACKING: '0', CXRLAB_SET: `train.epochs=2;data.imageSize=48;evaluation.gradcamPerClass=0;output.dir=${runs}` });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${lab.url}/lab/tree/03-train.ipynb?token=${lab.token}`);
    await page.locator('.jp-Notebook').first().waitFor({ timeout: 120_000 });
    // The file browser shows notebooks/, every notebook in it.
    for (const name of readdirSync(join(ROOT, 'notebooks')).filter((f) => f.endsWith('.ipynb'))) {
      await page.locator('.jp-DirListing-itemText', { hasText: name }).first().waitFor({ timeout: 30_000 });
    }
    // The kernel indicator names the TypeScript kernel once it has started.
    await page.getByText('TypeScript', { exact: false }).first().waitFor({ timeout: 120_000 });
    await page.locator('.jp-Notebook').first().click();
    await page.getByRole('menuitem', { name: 'Run', exact: true }).click();
    await page.getByText('Run All Cells', { exact: true }).click();
    const plots = page.locator('.js-plotly-plot');
    await plots.nth(1).waitFor({ timeout: 300_000 });
    await page.getByText(/run folder: /).first().waitFor({ timeout: 120_000 });
    assert.equal(await page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"] :text("Error")').count(), 0);
    // The live curve is briefly replaced while it is redrawn (see liveDisplay), so wait for the drawn state.
    const drawn = await page
      .waitForFunction("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2", null, { timeout: 60_000 })
      .then(() => true, () => false);
    assert.ok(drawn, `training curves and the confusion matrix are drawn as plotly SVG (plots now: ${await plots.count()})`);
    // The live curve was redrawn after the last epoch: its x axis reaches epoch 2.
    const curvePoints = await plots.first().locator('.scatterlayer .trace').first().locator('.point').count();
    assert.equal(curvePoints, 2, 'the training curve shows both epochs');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await plots.first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'jupyterlab-03-train.png'), fullPage: false });
  } finally {
    await browser.close();
    await lab.stop();
    if (readFileSync(notebook, 'utf8') !== original) writeFileSync(notebook, original); // never leave outputs in the repo
  }
});
