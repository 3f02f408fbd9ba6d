// The leak check of a split: patients (by source and id) and file contents (sha256) found in more than one
// split. Computed from the assignment alone, so it checks the splitter rather than trusting it.
import type { IndexEntry, SplitName } from './index-entry';
import { SPLIT_NAMES } from './index-entry';

export interface OverlapFile {
  split: SplitName;
  path: string;
}

export interface PatientOverlap {
  source: string;
  patientId: string;
  files: OverlapFile[];
}

export interface HashOverlap {
  sha256: string;
  files: OverlapFile[];
}

export interface OverlapReport {
  /** Patients with images in more than one split. */
  patients: PatientOverlap[];
  /** Contents (identical bytes) found in more than one split. */
  hashes: HashOverlap[];
  /** Distinct (source, patient id) pairs checked. */
  patientsChecked: number;
  /** Distinct contents checked. */
  hashesChecked: number;
  /** Images with no patient id: each is its own patient, so only the hash check covers them. */
  withoutPatientId: number;
  /** No patient and no content in two splits. */
  clean: boolean;
}

/** The key patients are grouped by: ids are only unique within their source. */
export function patientKey(entry: Pick<IndexEntry, 'source' | 'patientId'>): string | null {
  return entry.patientId === null ? null : `${entry.source}\u0000${entry.patientId}`;
}

export function overlapReport(assigned: Iterable<{ entry: IndexEntry; split: SplitName }>): OverlapReport {
  const byPatient = new Map<string, { source: string; patientId: string; files: OverlapFile[] }>();
  const byHash = new Map<string, OverlapFile[]>();
  let withoutPatientId = 0;
  for (const { entry, split } of assigned) {
    const file = { split, path: entry.path };
    const key = patientKey(entry);
    if (key === null) withoutPatientId++;
    else {
      const p = byPatient.get(key) ?? { source: entry.source, patientId: entry.patientId as string, files: [] };
      p.files.push(file);
      byPatient.set(key, p);
    }
    if (entry.sha256 === null) continue;
    const same = byHash.get(entry.sha256);
    if (same) same.push(file);
    else byHash.set(entry.sha256, [file]);
  }
  const straddles = (files: readonly OverlapFile[]): boolean => new Set(files.map((f) => f.split)).size > 1;
  const order = (files: OverlapFile[]): OverlapFile[] =>
    files.sort((a, b) => SPLIT_NAMES.indexOf(a.split) - SPLIT_NAMES.indexOf(b.split) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const patients = [...byPatient.values()].filter((p) => straddles(p.files)).map((p) => ({ ...p, files: order(p.files) }));
  const hashes = [...byHash].filter(([, files]) => straddles(files)).map(([sha256, files]) => ({ sha256, files: order(files) }));
  return {
    patients,
    hashes,
    patientsChecked: byPatient.size,
    hashesChecked: byHash.size,
    withoutPatientId,
    clean: patients.length === 0 && hashes.length === 0,
  };
}

/** One line per overlap, e.g. `patient ieee/331: train a.png, val b.png`. */
export function describeOverlap(report: OverlapReport): string[] {
  const files = (fs: readonly OverlapFile[]): string => fs.map((f) => `${f.split} ${f.path}`).join(', ');
  return [
    ...report.patients.map((p) => `patient ${p.source}/${p.patientId}: ${files(p.files)}`),
    ...report.hashes.map((h) => `content ${h.sha256.slice(0, 12)}: ${files(h.files)}`),
  ];
}
