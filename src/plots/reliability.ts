// A reliability diagram as a plotly figure: per confidence bin, the accuracy against the mean confidence
// (top label), bar widths as the bins, the count on hover, the diagonal of perfect calibration, ECE in the title.
import type { CalibrationReport } from '../eval/calibration';
import type { Figure } from './figure';

export function reliabilityFigure(calib: CalibrationReport, title = 'Reliability diagram'): Figure {
  const bins = calib.reliability.filter((b) => b.count > 0);
  return {
    data: [
      {
        type: 'bar',
        name: 'accuracy',
        x: bins.map((b) => (b.lower + b.upper) / 2),
        y: bins.map((b) => b.accuracy),
        width: bins.map((b) => b.upper - b.lower),
        customdata: bins.map((b) => [b.count, b.meanConfidence]),
        hovertemplate: 'confidence %{customdata[1]:.3f}: accuracy %{y:.3f} (%{customdata[0]} images)<extra></extra>',
        marker: { color: '#4c78a8', line: { color: '#fff', width: 1 } },
      },
      {
        type: 'scatter',
        mode: 'markers',
        name: 'mean confidence',
        x: bins.map((b) => b.meanConfidence),
        y: bins.map((b) => b.accuracy),
        marker: { color: '#e45756', size: 7 },
        hoverinfo: 'skip',
      },
      { type: 'scatter', mode: 'lines', name: 'perfectly calibrated', x: [0, 1], y: [0, 1], line: { dash: 'dot', color: '#999' }, hoverinfo: 'skip' },
    ],
    layout: {
      title: { text: `${title} (ECE ${calib.ece.toFixed(3)}, n=${calib.n})` },
      height: 420,
      width: 480,
      bargap: 0,
      xaxis: { title: { text: 'confidence (top-label probability)' }, range: [0, 1] },
      yaxis: { title: { text: 'accuracy' }, range: [0, 1.02] },
      legend: { x: 0.02, y: 0.98 },
    },
  };
}
