// A figure as a self-contained HTML page (plotly.js inlined), for run artifacts that must work offline
// and in MLflow's sandboxed artifact preview.
import { readFileSync } from 'node:fs';
import type { Figure } from './figure';

let plotlySource: string | null = null;

function plotlyJs(): string {
  plotlySource ??= readFileSync(require.resolve('plotly.js-dist-min'), 'utf8');
  return plotlySource;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

export function figureHtml(figure: Figure, title: string): string {
  // </script> inside the JSON would end the script element early.
  const json = JSON.stringify(figure).replace(/<\/script/gi, '<\\/script');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<script>${plotlyJs()}</script></head>
<body style="margin:0"><div id="figure"></div>
<script>const f = ${json}; Plotly.newPlot('figure', f.data, f.layout, Object.assign({ responsive: true }, f.config));</script>
</body></html>
`;
}
