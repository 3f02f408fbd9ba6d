// One-vs-rest ROC curves of a classification report as a plotly figure: one line per class with its AUC
// in the legend, and the chance diagonal.
import type { ClassificationReport } from '../eval/report';
import type { Figure } from './figure';

export function rocFigure(report: ClassificationReport, title = 'ROC curves (one vs rest)'): Figure {
  const curves = report.perClass.flatMap((c) =>
    c.roc
      ? [{
          type: 'scatter',
          mode: 'lines',
          name: `${c.name} (AUC ${Number.isFinite(c.auc) ? c.auc.toFixed(3) : 'n/a'}, n=${c.support})`,
          x: c.roc.fpr,
          y: c.roc.tpr,
          line: { shape: 'hv' },
          hovertemplate: `${c.name}: FPR %{x:.3f}, TPR %{y:.3f}<extra></extra>`,
        }]
      : [],
  );
  return {
    data: [...curves, { type: 'scatter', mode: 'lines', name: 'chance', x: [0, 1], y: [0, 1], line: { dash: 'dot', color: '#999' }, hoverinfo: 'skip' }],
    layout: {
      title: { text: title },
      height: 420,
      width: 520,
      xaxis: { title: { text: 'false positive rate (1 − specificity)' }, range: [0, 1] },
      yaxis: { title: { text: 'true positive rate (sensitivity)' }, range: [0, 1.02] },
      legend: { x: 0.45, y: 0.05 },
    },
  };
}
