// The classification report per value of a grouping key (data source, view, site), each group
// flagged when it is too small, or lacks classes, for its numbers to mean what they seem to.
import { ConfigError } from '../errors';
import { checkEvalData, indexGroups } from './inputs';
import type { EvalData } from './inputs';
import { checkReportOptions, reportOf, type ClassificationReport, type ReportOptions } from './report';

export interface GroupReportOptions extends ReportOptions {
  /** One key per image: the group it belongs to (e.g. its data source). */
  groups: ArrayLike<string | number>;
  /** Groups with fewer images get no report, only their counts. Default 10. */
  minImages?: number;
  /** Classes with fewer images in a group make it 'partial'. Default 5. */
  minClassSupport?: number;
}

export const DEFAULT_MIN_IMAGES = 10;
export const DEFAULT_MIN_CLASS_SUPPORT = 5;

/**
 * - 'ok': at least minImages images and minClassSupport of every class;
 * - 'partial': enough images, but some class has fewer than minClassSupport — the report is there,
 *   and `reasons` says which of its numbers rest on few (or no) images; with the default
 *   undefinedInAverages 'nan', an absent class makes the macro averages NaN instead of a mean over
 *   the classes that happen to be present;
 * - 'insufficient': fewer than minImages images — no report.
 */
export type GroupReport =
  | { readonly status: 'ok' | 'partial'; readonly key: string | number; readonly n: number; readonly support: readonly number[]; readonly reasons: readonly string[]; readonly report: ClassificationReport }
  | { readonly status: 'insufficient'; readonly key: string | number; readonly n: number; readonly support: readonly number[]; readonly reasons: readonly string[] };

/** One entry per group key, in order of first appearance. */
export function reportByGroup(data: EvalData, groupOptions: GroupReportOptions): Map<string | number, GroupReport> {
  const source = 'reportByGroup';
  const options = groupOptions ?? ({} as Partial<GroupReportOptions>);
  const { policy, epsilon } = checkReportOptions(options, source);
  const d = checkEvalData(data, { classNames: options.classNames, source });
  const minImages = options.minImages ?? DEFAULT_MIN_IMAGES;
  const minClassSupport = options.minClassSupport ?? DEFAULT_MIN_CLASS_SUPPORT;
  const issues: string[] = [];
  if (!Number.isInteger(minImages) || minImages < 1) issues.push(`\`minImages\` must be a positive integer. Received: ${String(minImages)}`);
  if (!Number.isInteger(minClassSupport) || minClassSupport < 0) issues.push(`\`minClassSupport\` must be a non-negative integer. Received: ${String(minClassSupport)}`);
  if (issues.length) throw new ConfigError(source, issues);
  const index = indexGroups(options.groups as ArrayLike<string | number>, d.n, 'groups', source);

  const out = new Map<string | number, GroupReport>();
  index.keys.forEach((key, g) => {
    const members = index.members.subarray(index.offsets[g] as number, index.offsets[g + 1] as number);
    const n = members.length;
    const yTrue = new Int32Array(n);
    const yPred = new Int32Array(n);
    const probs = new Float64Array(n * d.k);
    const support = new Array<number>(d.k).fill(0);
    members.forEach((i, j) => {
      yTrue[j] = d.yTrue[i] as number;
      yPred[j] = d.yPred[i] as number;
      probs.set(d.probs.subarray(i * d.k, (i + 1) * d.k), j * d.k);
      support[yTrue[j] as number]! += 1;
    });
    if (n < minImages) {
      out.set(key, { status: 'insufficient', key, n, support, reasons: [`${n} images (< minImages ${minImages}): no report`] });
      return;
    }
    const reasons: string[] = [];
    support.forEach((s, c) => {
      const name = d.classNames[c] as string;
      if (s === 0) {
        reasons.push(`${name} is absent: its recall, F1 and AUC are undefined, and averages over classes are ${policy === 'nan' ? 'NaN' : `not comparable with groups that have it (undefinedInAverages '${policy}')`}`);
      } else if (s < minClassSupport) {
        reasons.push(`${name} has ${s} image${s === 1 ? '' : 's'} (< minClassSupport ${minClassSupport}): its per-class numbers rest on ${s === 1 ? 'one image' : `${s} images`}`);
      }
    });
    const report = reportOf({ yTrue, yPred, probs, n, k: d.k, classNames: d.classNames }, { policy, epsilon, rocCurves: options.rocCurves ?? true });
    out.set(key, { status: reasons.length ? 'partial' : 'ok', key, n, support, reasons, report });
  });
  return out;
}
