// A dataset index and its split, summarised: a JSON-able object and its plain-text form (counts per
// class, source and split; skipped files with reasons; the overlap proof), for `cxrlab data` and run logs.
import { CLASS_NAMES } from './classes';
import { type ClassCounts, classTotal, type IndexCounts, indexCounts, type SplitPart, splitCounts } from './counts';
import type { IndexSplit } from './group-split';
import type { DatasetIndex, SkipReason, SplitName } from './index-entry';
import { SPLIT_NAMES } from './index-entry';
import { describeOverlap, type OverlapReport } from './overlap';

export interface DataSummary {
  index: IndexCounts;
  skippedFiles: { path: string; reason: SkipReason; detail: string | null }[];
  /** Used files with something worth knowing (e.g. an extension that does not match the content). */
  notes: { path: string; note: string }[];
  warnings: string[];
  split: {
    options: IndexSplit['options'];
    given: SplitName[];
    groups: number;
    parts: Record<SplitName, SplitPart>;
    relocated: number;
    overlap: OverlapReport;
    warnings: string[];
  } | null;
}

export function dataSummary(index: DatasetIndex, split?: IndexSplit): DataSummary {
  return {
    index: indexCounts(index.entries),
    skippedFiles: index.entries.flatMap((e) => (e.reason === null ? [] : [{ path: e.path, reason: e.reason, detail: e.detail }])),
    notes: index.entries.flatMap((e) => (e.status === 'ok' && e.note !== null ? [{ path: e.path, note: e.note }] : [])),
    warnings: index.warnings,
    split: split
      ? {
          options: split.options,
          given: split.given,
          groups: split.groups,
          parts: splitCounts(split),
          relocated: split.relocated.length,
          overlap: split.overlap,
          warnings: split.warnings,
        }
      : null,
  };
}

/** A fixed-width table: a header row, then rows; the first column left-aligned, the others right-aligned. */
function table(rows: readonly (readonly (string | number)[])[]): string[] {
  const widths = (rows[0] ?? []).map((_, k) => Math.max(...rows.map((r) => String(r[k] ?? '').length)));
  return rows.map((r) => r.map((v, k) => (k === 0 ? String(v).padEnd(widths[k] as number) : String(v).padStart(widths[k] as number))).join('  ').trimEnd());
}

const classRow = (name: string, c: ClassCounts): (string | number)[] => [name, ...CLASS_NAMES.map((k) => c[k]), classTotal(c)];

export function formatDataSummary(summary: DataSummary): string {
  const { index } = summary;
  const lines = [`data: ${index.found} files found, ${index.used} used, ${index.skipped} skipped`];
  lines.push(
    ...table([
      ['source', ...CLASS_NAMES, 'total'],
      ...Object.entries(index.perSource).map(([s, c]) => classRow(s, c)),
      classRow('all', index.perClass),
    ]).map((l) => `  ${l}`),
  );
  if (summary.split) {
    const sp = summary.split;
    const o = sp.options;
    lines.push(
      `split: seed ${o.seed}, strata ${o.stratifyBy.join(' × ')}, ${o.allowOverlap ? 'image by image (allowOverlap)' : `${sp.groups} patient/content groups`}, ` +
        `valFraction ${o.valFraction}, testFraction ${o.testFraction}${sp.given.length ? `, given by the data: ${sp.given.join(', ')}` : ''}`,
    );
    // A test row only when there is a test split (asked for, or given by the data).
    const shown = SPLIT_NAMES.filter((s) => s !== 'test' || o.testFraction > 0 || sp.parts.test.total > 0);
    lines.push(...table([['split', ...CLASS_NAMES, 'total'], ...shown.map((s) => classRow(s, sp.parts[s].perClass))]).map((l) => `  ${l}`));
    const sources = [...new Set(shown.flatMap((s) => Object.keys(sp.parts[s].perSource)))].sort();
    if (sources.length > 1) {
      lines.push(
        ...table([
          ['split × source', ...CLASS_NAMES, 'total'],
          ...shown.flatMap((s) => sources.flatMap((src) => {
            const c = sp.parts[s].perSource[src];
            return c ? [classRow(`${s} ${src}`, c)] : [];
          })),
        ]).map((l) => `  ${l}`),
      );
    }
    if (sp.relocated > 0) lines.push(`  ${sp.relocated} file(s) of train/ folders placed in val or test (carved from them, or with their patient)`);
    const ov = sp.overlap;
    lines.push(
      `overlap: ${ov.patients.length} patient(s) and ${ov.hashes.length} content hash(es) shared between splits ` +
        `(${ov.patientsChecked} patients, ${ov.hashesChecked} hashes checked; ${ov.withoutPatientId} image(s) without a patient id)`,
    );
    lines.push(...describeOverlap(ov).map((l) => `  ${l}`));
    lines.push(...sp.warnings.map((w) => `warning: ${w}`));
  }
  if (summary.skippedFiles.length > 0) {
    const byReason = Object.entries(index.skippedByReason).map(([r, n]) => `${r} ${n}`).join(', ');
    lines.push(`skipped (${byReason}):`, ...summary.skippedFiles.map((f) => `  ${f.path}: ${f.reason}${f.detail ? ` — ${f.detail}` : ''}`));
  }
  if (summary.notes.length > 0) lines.push('notes:', ...summary.notes.map((n) => `  ${n.path}: ${n.note}`));
  lines.push(...summary.warnings.map((w) => `warning: ${w}`));
  return `${lines.join('\n')}\n`;
}
