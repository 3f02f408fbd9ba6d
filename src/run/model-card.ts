// A run's model card (Markdown): what the model is, what it was trained and evaluated on, how the split
// was made and the proof it does not leak, every held-out metric with its interval, per source, the
// shortcut audit, intended use, and the plain statement that it is not a diagnostic device.
import type { ExperimentConfig } from '../config/schema';
import { CLASS_NAMES } from '../data/classes';
import { dataSources } from '../data/config';
import type { SplitName } from '../data/index-entry';
import type { EpochLogs } from '../train/fit';
import type { RunData } from './data';
import type { SplitEvaluation } from './evaluate';
import type { ShortcutAudit } from './shortcut-audit';

export interface ModelCardInput {
  config: ExperimentConfig;
  runDir: string;
  data: RunData;
  history: readonly EpochLogs[];
  parameters: number;
  evaluations: readonly SplitEvaluation[];
  audit?: ShortcutAudit;
  mlflowUrl?: string;
}

const num = (v: number, digits = 3): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : 'n/a');
const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
const table = (header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] => [
  row(header),
  row(header.map((_, i) => (i === 0 ? '---' : '---:'))),
  ...rows.map(row),
];

/** Sources that lack a class another source has: a model can then tell the class by the source. */
function confoundedSources(data: RunData): string[] {
  const perSource = data.summary.index.perSource;
  return Object.entries(perSource)
    .filter(([, counts]) => CLASS_NAMES.some((c) => counts[c] === 0))
    .map(([s, counts]) => `${s} (no ${CLASS_NAMES.filter((c) => counts[c] === 0).join(', ')})`);
}

function dataSection(input: ModelCardInput): string[] {
  const { config, data } = input;
  const { index, split } = data.summary;
  const lines = ['## Data', ''];
  for (const s of dataSources(config.data)) {
    lines.push(`- **${s.name}**: ${s.kind === 'csv' ? `metadata CSV ${s.csv}` : `class folders ${s.dir}`}${s.split !== 'auto' ? ` (all images in the ${s.split} split)` : ''}`);
  }
  lines.push('', `${index.found} files found, ${index.used} used, ${index.skipped} skipped${index.skipped ? ` (${Object.entries(index.skippedByReason).map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}.`, '');
  lines.push(...table(['source', ...CLASS_NAMES, 'total'], Object.entries(index.perSource).map(([s, c]) => [s, ...CLASS_NAMES.map((k) => c[k]), CLASS_NAMES.reduce((n, k) => n + c[k], 0)])));
  if (split) {
    const o = split.options;
    const parts = (['train', 'val', 'test'] as SplitName[]).filter((s) => split.parts[s].total > 0);
    lines.push(
      '',
      '### Split',
      '',
      `Seeded (experiment seed ${config.seed}), stratified by ${o.stratifyBy.join(' × ')}, ` +
        (o.allowOverlap ? 'image by image (overlap allowed by the config). ' : `whole groups of images dealt together (${split.groups} groups: one patient, or identical file contents). `) +
        `Validation fraction ${o.valFraction}, test fraction ${o.testFraction}${split.given.length ? `; given by the data: ${split.given.join(', ')}` : ''}.`,
      '',
      ...table(['split', ...CLASS_NAMES, 'total'], parts.map((s) => [s, ...CLASS_NAMES.map((k) => split.parts[s].perClass[k]), split.parts[s].total])),
      '',
      `**Overlap proof**: ${split.overlap.patients.length} patient(s) and ${split.overlap.hashes.length} file content(s) shared between splits ` +
        `(${split.overlap.patientsChecked} patients and ${split.overlap.hashesChecked} contents checked; ${split.overlap.withoutPatientId} image(s) without a patient id).`,
    );
  }
  return lines;
}

function evaluationSection(e: SplitEvaluation): string[] {
  const name = e.split === 'val' ? 'Validation' : 'Test';
  const ci = e.intervals;
  const lines = [
    `### ${name} (${e.n} images${e.external.length ? `; external sources: ${e.external.join(', ')}` : ''})`,
    '',
    `95 % intervals: percentile bootstrap, ${ci.resamples} resamples of ${ci.units} ${ci.unit === 'group' ? 'patients' : 'images'}, seed ${ci.seed}.`,
    '',
    ...table(
      ['metric', 'estimate', '95 % interval'],
      Object.entries(ci.intervals).map(([m, v]) => [m, num(v.estimate), `${num(v.lower)} – ${num(v.upper)}`]),
    ),
    '',
    ...table(
      ['class', 'support', 'sensitivity', 'specificity', 'PPV', 'NPV', 'F1', 'AUC'],
      e.report.perClass.map((c) => [c.name, c.support, pct(c.sensitivity), pct(c.specificity), pct(c.ppv), pct(c.npv), num(c.f1), num(c.auc)]),
    ),
    '',
    `Calibration: expected calibration error ${num(e.calibration.ece)} (top label, ${e.calibration.bins} bins).`,
  ];
  if (e.perSource.length > 0) {
    lines.push(
      '',
      ...table(
        ['source', 'images', 'accuracy', 'macro-F1', 'notes'],
        e.perSource.map((g) => [
          `${String(g.key)}${e.external.includes(String(g.key)) ? ' (external)' : ''}`,
          g.n,
          g.status === 'insufficient' ? 'n/a' : pct(g.report.accuracy),
          g.status === 'insufficient' ? 'n/a' : num(g.report.macro.f1),
          g.reasons.join('; ') || '',
        ]),
      ),
    );
  }
  for (const note of [...e.intervals.notes, ...e.report.notes]) lines.push('', `- ${note}`);
  return ['', ...lines];
}

function auditSection(audit: ShortcutAudit | undefined): string[] {
  if (!audit) return ['', '## Shortcut audit', '', 'Not run (`evaluation.shortcutAudit: false`).'];
  const lines = ['', '## Shortcut audit', '', audit.summary];
  if (audit.probes.length) {
    lines.push(
      '',
      ...table(
        ['within class', 'images', 'sources', 'probe accuracy', 'majority baseline', 'probe AUC'],
        audit.probes.map((p) => [p.className, p.n, p.sources.join(' / '), pct(p.accuracy), pct(p.baseline), num(p.auc)]),
      ),
    );
  }
  return lines;
}

export function modelCard(input: ModelCardInput): string {
  const { config, history } = input;
  const t = config.train;
  const held = input.evaluations.map((e) => e.split);
  const external = input.evaluations.flatMap((e) => e.external);
  const confounded = confoundedSources(input.data);
  const lines = [
    `# Model card: ${config.name}`,
    '',
    `Run folder \`${input.runDir}\`${input.mlflowUrl ? `; MLflow run ${input.mlflowUrl}` : ''}.`,
    '',
    '> **Not a diagnostic device.** This model is a research artefact. It has not been validated for clinical use and must not be used to diagnose, ' +
      'triage or treat anyone. Reviews of COVID-19 chest X-ray models (Roberts et al. 2021; DeGrave et al. 2021) found that such models often learn ' +
      'the source of an image rather than the disease and fail on other hospitals\' images.',
    '',
    '## Model',
    '',
    `- Architecture: \`${config.model.name}\`${config.model.backbone ? ` (backbone ${config.model.backbone})` : ''}, ${input.parameters.toLocaleString('en')} parameters, ` +
      `input ${config.data.imageSize}×${config.data.imageSize}×${config.data.channels}, classes ${CLASS_NAMES.join(', ')}.`,
    `- Training: ${history.length} epoch(s) of ${t.epochs}${t.fineTune.epochs ? ` + ${t.fineTune.epochs} fine-tuning` : ''}, ${t.optimizer} at learning rate ${t.learningRate}, ` +
      `batch ${t.batchSize}, label smoothing ${t.labelSmoothing}, class weights ${typeof t.classWeights === 'string' ? t.classWeights : 'explicit'}` +
      `${Object.keys(config.augment).length ? `, augmentation ${JSON.stringify(config.augment)}` : ', no augmentation'}.`,
    '',
    '## Intended use',
    '',
    'Comparing training and evaluation choices for chest X-ray classification (COVID-19 / pneumonia / normal) on research datasets; teaching. ' +
      'Out of scope: any decision about a patient.',
    '',
    ...dataSection(input),
    '',
    '## Results',
    ...input.evaluations.flatMap(evaluationSection),
    ...auditSection(input.audit),
    '',
    '## Caveats',
    '',
    external.length
      ? `- External test sources (${[...new Set(external)].join(', ')}) were never used for training or model selection; their figures are the ones to trust most.`
      : `- No external test set: every held-out image (${held.join(', ')}) comes from the training sources, so these figures say little about other hospitals. Add a source with \`split: test\`.`,
    ...(confounded.length ? [`- Sources confounded with classes: ${confounded.join('; ')}. The model can score well by recognising the source; read the per-source tables and the shortcut audit.`] : []),
    '- The validation split chose the checkpoint and the early-stopping epoch; its figures are optimistic. Report the test split.',
    '',
  ];
  return lines.join('\n');
}
