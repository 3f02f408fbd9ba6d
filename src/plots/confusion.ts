// A confusion matrix as a plotly heat map: rows are true classes, columns predictions; each cell shows
// its count and its share of the true class (row-normalised colour, so rare classes stay readable).
import type { Figure } from './figure';

export function confusionFigure(matrix: readonly (readonly number[])[], classNames: readonly string[], title = 'Confusion matrix'): Figure {
  const rowShare = matrix.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total ? v / total : 0));
  });
  const text = matrix.map((row, i) => row.map((v, j) => `${v}<br>${((rowShare[i]?.[j] ?? 0) * 100).toFixed(0)}%`));
  return {
    data: [
      {
        type: 'heatmap',
        z: rowShare,
        x: [...classNames],
        y: [...classNames],
        text,
        texttemplate: '%{text}',
        hovertemplate: 'true %{y}, predicted %{x}: %{text}<extra></extra>',
        colorscale: 'Blues',
        zmin: 0,
        zmax: 1,
        showscale: false,
      },
    ],
    layout: {
      title: { text: title },
      height: 380,
      width: 440,
      xaxis: { title: { text: 'predicted' }, side: 'bottom' },
      yaxis: { title: { text: 'true' }, autorange: 'reversed' },
    },
  };
}
