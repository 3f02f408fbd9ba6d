import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calibration, classificationReport } from '../../src/eval';
import { reliabilityFigure } from '../../src/plots/reliability';
import { rocFigure } from '../../src/plots/roc';

const data = {
  yTrue: Int32Array.from([0, 0, 1, 1, 2, 2, 0, 1]),
  probs: Float32Array.from([0.8, 0.1, 0.1, 0.6, 0.3, 0.1, 0.2, 0.7, 0.1, 0.1, 0.8, 0.1, 0.1, 0.2, 0.7, 0.3, 0.3, 0.4, 0.3, 0.3, 0.4, 0.2, 0.5, 0.3]),
};

test('the ROC figure has one curve per class with its AUC, plus the chance line', () => {
  const report = classificationReport(data, { rocCurves: true });
  const fig = rocFigure(report);
  assert.equal(fig.data.length, 4);
  assert.match(String(fig.data[0]?.name), /^covid \(AUC \d\.\d{3}, n=3\)$/);
  const curve = report.perClass[0]?.roc;
  assert.deepEqual(fig.data[0]?.x, curve?.fpr);
  assert.deepEqual(fig.data[0]?.y, curve?.tpr);
  assert.equal(fig.data[3]?.name, 'chance');
});

test('the reliability figure shows the non-empty bins and the ECE', () => {
  const calib = calibration(data, { bins: 5 });
  const fig = reliabilityFigure(calib);
  const nonEmpty = calib.reliability.filter((b) => b.count > 0);
  assert.deepEqual(fig.data[0]?.y, nonEmpty.map((b) => b.accuracy));
  assert.match(String((fig.layout.title as { text: string }).text), new RegExp(`ECE ${calib.ece.toFixed(3)}, n=8`));
});
