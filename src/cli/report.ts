// The terminal form of a held-out split's evaluation: confusion matrix, per-class rates, bootstrap
// intervals, and the per-source table (external test sources marked).
import { CLASS_NAMES } from '../data/classes';
import type { SplitEvaluation } from '../run/evaluate';

const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : 'n/a');
const num = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');

export function formatEvaluation(e: SplitEvaluation): string[] {
  const name = e.split === 'val' ? 'validation' : 'test';
  const lines = [`${name} confusion matrix (rows = true, columns = predicted)`, `  ${''.padEnd(10)}${CLASS_NAMES.map((c) => c.padStart(10)).join('')}`];
  e.confusion.forEach((row, i) => lines.push(`  ${(CLASS_NAMES[i] as string).padEnd(10)}${row.map((v) => String(v).padStart(10)).join('')}`));
  const { unit, units, resamples } = e.intervals;
  lines.push(`${name} report (${e.n} images; 95% bootstrap intervals over ${resamples} resamples of ${units} ${unit === 'group' ? 'patients' : 'images'})`);
  for (const c of e.report.perClass) {
    lines.push(`  ${c.name.padEnd(10)} sensitivity ${pct(c.sensitivity).padStart(6)}  specificity ${pct(c.specificity).padStart(6)}  PPV ${pct(c.ppv).padStart(6)}  AUC ${num(c.auc)}  (n=${c.support})`);
  }
  for (const [metric, ci] of Object.entries(e.intervals.intervals)) lines.push(`  ${metric.padEnd(18)} ${num(ci.estimate)} [${num(ci.lower)}, ${num(ci.upper)}]`);
  lines.push(`  ECE ${num(e.calibration.ece)}`);
  if (e.perSource.length > 1 || e.external.length > 0) {
    lines.push(`  per source:`);
    for (const g of e.perSource) {
      const tag = e.external.includes(String(g.key)) ? ' (external)' : '';
      const figures = g.status === 'insufficient' ? 'too few images for a report' : `accuracy ${pct(g.report.accuracy)}  macro-F1 ${num(g.report.macro.f1)}`;
      lines.push(`    ${`${String(g.key)}${tag}`.padEnd(22)} n=${String(g.n).padEnd(5)} ${figures}${g.reasons.length ? ` (${g.reasons.join('; ')})` : ''}`);
    }
  }
  return lines;
}
