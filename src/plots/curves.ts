// Training curves: loss and accuracy per epoch, training beside validation, as one plotly figure.
import type { EpochLogs } from '../train/callbacks/callback';
import type { Figure } from './figure';

const line = (name: string, x: number[], y: (number | undefined)[], axis: '' | '2', dash: boolean, color: string) => ({
  type: 'scatter',
  mode: 'lines+markers',
  name,
  x,
  y: y.map((v) => v ?? null),
  xaxis: `x${axis}`,
  yaxis: `y${axis}`,
  line: { color, dash: dash ? 'dash' : 'solid' },
});

export function trainingCurves(history: readonly EpochLogs[], title = 'Training curves'): Figure {
  const epochs = history.map((_, i) => i + 1);
  return {
    data: [
      line('loss', epochs, history.map((h) => h.loss), '', false, '#1f77b4'),
      line('val_loss', epochs, history.map((h) => h.val_loss), '', true, '#1f77b4'),
      line('accuracy', epochs, history.map((h) => h.accuracy), '2', false, '#d62728'),
      line('val_accuracy', epochs, history.map((h) => h.val_accuracy), '2', true, '#d62728'),
    ],
    layout: {
      title: { text: title },
      height: 360,
      grid: { rows: 1, columns: 2, pattern: 'independent' },
      xaxis: { title: { text: 'epoch' }, dtick: 1 },
      yaxis: { title: { text: 'loss' } },
      xaxis2: { title: { text: 'epoch' }, dtick: 1 },
      yaxis2: { title: { text: 'accuracy' }, range: [0, 1] },
      legend: { orientation: 'h' },
    },
  };
}
