// The tracking spool: an append-only JSON-lines journal of the tracking operations a run could not
// deliver to MLflow, `<run folder>/mlflow-spool.jsonl`, and their replay in order — by the tracker after
// each epoch and at the end of the run, or by `cxrlab sync`. The first line is a header naming the
// tracking server and the run; then come the operations, each with an id, and markers appended after the
// fact: `done` once the server accepted an operation (a later replay skips it), `failed` once the server
// refused it with a 4xx (reported, never retried), `run` and `model` once the run or a LoggedModel got
// its id. Delivery is safe to repeat when a `done` marker is missing (a crash between the server's answer
// and the marker): metric points already on the server are not sent again, params carry the same value,
// tags, artifacts and statuses overwrite, dataset inputs are deduplicated by the server, a LoggedModel is
// looked up by the key it was tagged with before one is created, and a run by its name and start time;
// an image keeps the file names fixed when it was recorded (overwritten, not added again), and a model
// version is looked up by the key it was tagged with before one is registered.
// Order is kept (the final status goes last). The file exists only while something is undelivered: the
// tracker writes it when a delivery first fails, and it is removed once everything has been delivered.
// A line torn by a crash at the end of the file is ignored with a warning and cut off before the next append.
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DataError } from '../errors';
import type { DatasetInput, KeyValue, Metric, RunStatus } from '../mlflow-client';

/** The journal's file name inside the run folder; `mlflow-spool-<id>.jsonl` holds one set aside by a later run. */
export const SPOOL_FILE = 'mlflow-spool.jsonl';
/** Matches every journal file name (the run's own and those set aside). */
export const SPOOL_FILE_PATTERN = /^mlflow-spool(-[0-9a-f]+)?\.jsonl$/;
/** The LoggedModel tag that identifies the model operation that created it. */
export const MODEL_KEY_TAG = 'cxrlab.modelKey';
/** The model version tag that identifies the register operation that created it. */
export const REGISTER_KEY_TAG = 'cxrlab.registerKey';

const VERSION = 1;

/** A tracking operation as the journal stores it. Paths are relative to the journal's folder, or absolute. */
export type SpoolOp =
  | { op: 'create-run'; experimentName: string; runName: string; startTime: number; tags: KeyValue[] }
  | { op: 'metrics'; metrics: Metric[] }
  | { op: 'params'; params: KeyValue[] }
  | { op: 'tags'; tags: KeyValue[] }
  | { op: 'inputs'; datasets: DatasetInput[] }
  /** A file or folder uploaded under `artifactPath` ('' = the run's artifact root). */
  | { op: 'artifacts'; path: string; artifactPath: string }
  /** A model folder logged as a LoggedModel of the run; `key` is unique to this operation. */
  | { op: 'model'; path: string; name: string; modelType: string; key: string }
  /**
   * A PNG logged as an image of the run under `key` (MLflow's `+` layout). `timestamp` and `uuid` are fixed when
   * the operation is recorded, so the file names are too: a repeated delivery overwrites them, never adds a copy.
   */
  | { op: 'image'; path: string; key: string; step: number; timestamp: number; uuid: string }
  /**
   * The LoggedModel of the model operation with key `modelKey` registered as the next version of registered
   * model `name`; the version is tagged with `key` (REGISTER_KEY_TAG), so a repeated delivery finds it.
   */
  | { op: 'register'; name: string; modelKey: string; key: string }
  | { op: 'status'; status: RunStatus; endTime?: number };

export type SpoolOpKind = SpoolOp['op'];
const OP_KINDS: readonly SpoolOpKind[] = ['create-run', 'metrics', 'params', 'tags', 'inputs', 'artifacts', 'model', 'image', 'register', 'status'];

export interface SpoolRecord {
  id: number;
  op: SpoolOp;
}

/** The run a journal belongs to, once the server has named it. */
export interface RunRef {
  runId: string;
  experimentId: string;
  artifactUri: string;
}

/** A LoggedModel created for a model operation. */
export interface ModelRef {
  modelId: string;
  artifactUri: string;
}

interface Header {
  t: 'journal';
  version: number;
  journalId: string;
  trackingUri: string;
  runId: string | null;
  experimentId: string | null;
  artifactUri: string | null;
  created: number;
}

type Line =
  | Header
  | ({ t: 'op'; id: number } & SpoolOp)
  | { t: 'done'; ids: number[] }
  | { t: 'failed'; id: number; error: string }
  | ({ t: 'run' } & RunRef)
  | ({ t: 'model'; id: number } & ModelRef);

/** Options of Spool.create. */
export interface NewSpoolOptions {
  trackingUri: string;
  /** The run, when it exists already (a resumed run); null while it still has to be created. */
  runId: string | null;
  /** Where relative paths point (the run folder). Set again by persist(). */
  baseDir?: string;
  /** Problems writing the file. Defaults to console.warn. */
  warn?: (message: string) => void;
}

export const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

// JSON has no NaN or ±Infinity: metric values are written as the strings MLflow's JSON uses.
const encodeNumbers = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value);
const decodeNumber = (value: unknown): number =>
  value === 'NaN' ? Number.NaN : value === 'Infinity' ? Number.POSITIVE_INFINITY : value === '-Infinity' ? Number.NEGATIVE_INFINITY : (value as number);
const serialize = (line: Line) => `${JSON.stringify(line, encodeNumbers)}\n`;

/** `abs` relative to `base` when it lies inside it ('/'-separated), else `abs` itself. */
function relativeTo(base: string | null, abs: string): string {
  if (!base) return abs;
  const rel = relative(base, abs);
  return rel && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel) ? rel.split(sep).join('/') : abs;
}

/** The journal of one run: kept in memory until persist() gives it a file, appended to that file from then on. */
export class Spool {
  private header: Header;
  private readonly ops = new Map<number, SpoolOp>();
  private readonly done = new Set<number>();
  private readonly failures = new Map<number, string>();
  private readonly models = new Map<number, ModelRef>();
  /** Ids that may have reached the server already: read from a file, or a delivery of them failed in this process. */
  private readonly maybeSent = new Set<number>();
  private nextId = 1;
  private file: string | null = null;
  /** Set when the file ends in a torn line (cut off) or without a newline, until the next append. */
  private repair: { truncateTo: number } | { newline: true } | null = null;
  private readonly warn: (message: string) => void;
  /** Where relative paths in operations point; the journal's folder once it has a file. */
  baseDir: string | null;

  private constructor(header: Header, baseDir: string | null, warn: (message: string) => void) {
    this.header = header;
    this.baseDir = baseDir;
    this.warn = warn;
  }

  /** A new, empty journal in memory. */
  static create(options: NewSpoolOptions): Spool {
    const header: Header = {
      t: 'journal',
      version: VERSION,
      journalId: randomBytes(8).toString('hex'),
      trackingUri: options.trackingUri,
      runId: options.runId,
      experimentId: null,
      artifactUri: null,
      created: Date.now(),
    };
    return new Spool(header, options.baseDir ?? null, options.warn ?? ((m) => console.warn(m)));
  }

  /**
   * The journal in `path`, or null when there is no such file. A torn last line (a crash while writing it)
   * is ignored with a warning; any other unreadable line is an error.
   * @throws DataError naming the file and line when the journal cannot be read safely.
   */
  static read(path: string, warn: (message: string) => void = (m) => console.warn(m)): Spool | null {
    if (!existsSync(path)) return null;
    const text = readFileSync(path, 'utf8');
    const rows = text.split('\n');
    const endsWithNewline = text.endsWith('\n');
    if (endsWithNewline) rows.pop();
    let spool: Spool | null = null;
    let offset = 0;
    for (const [i, row] of rows.entries()) {
      const last = i === rows.length - 1;
      let line: Line;
      try {
        line = JSON.parse(row) as Line;
        if (!line || typeof line !== 'object' || typeof line.t !== 'string') throw new Error('not a journal record');
        if (line.t === 'op' && line.op === 'metrics' && Array.isArray(line.metrics)) line.metrics = line.metrics.map((m) => ({ ...m, value: decodeNumber(m.value) }));
      } catch (err) {
        if (last && !endsWithNewline && spool) {
          warn(`tracking: ignoring the incomplete last line of ${path} (written when the process stopped): ${errorMessage(err)}`);
          spool.repair = { truncateTo: offset };
          break;
        }
        throw new DataError(path, `line ${i + 1} is not a journal record (${errorMessage(err)}); only a torn last line is ignored. Fix or remove that line, then run \`cxrlab sync\` again`);
      }
      if (!spool) {
        if (line.t !== 'journal' || line.version !== VERSION || typeof line.trackingUri !== 'string') {
          throw new DataError(path, `line 1 must be the journal header {"t":"journal","version":${VERSION},…}, received ${JSON.stringify(row.slice(0, 120))}`);
        }
        spool = new Spool(line, dirname(path), warn);
      } else {
        spool.apply(line, path, i + 1);
      }
      offset += Buffer.byteLength(row, 'utf8') + 1;
      if (last && !endsWithNewline && spool.repair === null) spool.repair = { newline: true };
    }
    if (!spool) throw new DataError(path, `the journal is empty; expected a header line {"t":"journal",…}`);
    for (const id of spool.ops.keys()) spool.maybeSent.add(id);
    spool.file = path;
    return spool;
  }

  private apply(line: Line, path: string, lineNo: number): void {
    const bad = (what: string) => new DataError(path, `line ${lineNo}: ${what}, received ${JSON.stringify(line).slice(0, 160)}`);
    switch (line.t) {
      case 'op':
        if (!Number.isSafeInteger(line.id) || !OP_KINDS.includes(line.op)) throw bad(`expected an operation with an integer id and op one of ${OP_KINDS.join(', ')}`);
        {
          const { t: _t, id, ...op } = line;
          this.ops.set(id, op as SpoolOp);
          this.nextId = Math.max(this.nextId, id + 1);
        }
        return;
      case 'done':
        if (!Array.isArray(line.ids)) throw bad('expected "ids": [ … ]');
        for (const id of line.ids) this.done.add(id);
        return;
      case 'failed':
        this.failures.set(line.id, String(line.error));
        return;
      case 'run':
        this.setRun(line);
        return;
      case 'model':
        this.models.set(line.id, { modelId: line.modelId, artifactUri: line.artifactUri });
        return;
      default:
        throw bad(`expected a record of type op, done, failed, run or model`);
    }
  }

  /** The journal file, or null while the journal lives in memory only. */
  get path(): string | null {
    return this.file;
  }

  get journalId(): string {
    return this.header.journalId;
  }

  get trackingUri(): string {
    return this.header.trackingUri;
  }

  /** The run's id, or null while the run still has to be created. */
  get runId(): string | null {
    return this.header.runId;
  }

  /** The run's id, experiment and artifact root, once known. */
  get run(): RunRef | null {
    const { runId, experimentId, artifactUri } = this.header;
    return runId && experimentId && artifactUri ? { runId, experimentId, artifactUri } : null;
  }

  /** Operations neither delivered nor refused, in the order they were recorded. */
  pending(): SpoolRecord[] {
    return [...this.ops.entries()].filter(([id]) => !this.done.has(id) && !this.failures.has(id)).sort((a, b) => a[0] - b[0]).map(([id, op]) => ({ id, op }));
  }

  /** Operations the server refused, with its answer. */
  failed(): { record: SpoolRecord; error: string }[] {
    return [...this.failures.entries()].flatMap(([id, error]) => {
      const op = this.ops.get(id);
      return op ? [{ record: { id, op }, error }] : [];
    });
  }

  /** Whether the operation may have reached the server already (then its delivery checks before sending). */
  maybeDelivered(id: number): boolean {
    return this.maybeSent.has(id);
  }

  /** The LoggedModel created for a model operation, if any. */
  modelOf(id: number): ModelRef | undefined {
    return this.models.get(id);
  }

  /** Records an operation; returns its id. */
  append(op: SpoolOp): number {
    const id = this.nextId++;
    this.ops.set(id, op);
    this.write({ t: 'op', id, ...op });
    return id;
  }

  /** Notes that these operations may have reached the server (an attempt to send them failed). */
  markMaybeDelivered(ids: readonly number[]): void {
    for (const id of ids) this.maybeSent.add(id);
  }

  markDone(ids: readonly number[]): void {
    for (const id of ids) this.done.add(id);
    this.write({ t: 'done', ids: [...ids] });
  }

  markFailed(id: number, error: string): void {
    this.failures.set(id, error);
    this.write({ t: 'failed', id, error });
  }

  recordRun(ref: RunRef): void {
    this.setRun(ref);
    this.write({ t: 'run', ...ref });
  }

  recordModel(id: number, ref: ModelRef): void {
    this.models.set(id, ref);
    this.write({ t: 'model', id, ...ref });
  }

  private setRun(ref: RunRef): void {
    this.header = { ...this.header, runId: ref.runId, experimentId: ref.experimentId, artifactUri: ref.artifactUri };
  }

  /** `path` as an operation stores it: relative to the journal's folder when inside it, else absolute. */
  refer(path: string): string {
    return relativeTo(this.baseDir, resolve(path));
  }

  /** An operation's path on this machine. */
  locate(path: string): string {
    return isAbsolute(path) ? path : resolve(this.baseDir ?? process.cwd(), path);
  }

  /**
   * Writes the journal to `path` — the header, the operations not yet delivered and what is known of them —
   * and appends to that file from then on. Relative paths of earlier operations keep pointing where they did.
   */
  persist(path: string): void {
    const base = dirname(resolve(path));
    const kept = [...this.pending(), ...this.failed().map((f) => f.record)].sort((x, y) => x.id - y.id);
    const lines: Line[] = [this.header];
    for (const { id, op } of kept) {
      const rebased: SpoolOp = 'path' in op ? { ...op, path: relativeTo(base, this.locate(op.path)) } : op;
      this.ops.set(id, rebased);
      lines.push({ t: 'op', id, ...rebased });
      const model = this.models.get(id);
      if (model) lines.push({ t: 'model', id, ...model });
      const error = this.failures.get(id);
      if (error !== undefined) lines.push({ t: 'failed', id, error });
    }
    this.baseDir = base;
    writeFileSync(path, lines.map(serialize).join(''));
    this.file = path;
    this.repair = null;
  }

  /** Forgets delivered operations (a journal in memory only; a file keeps its lines). */
  compact(): void {
    if (this.file) return;
    for (const id of this.done) {
      this.ops.delete(id);
      this.models.delete(id);
      this.maybeSent.delete(id);
    }
    this.done.clear();
  }

  /** Deletes the journal file (everything was delivered). */
  remove(): void {
    if (this.file) rmSync(this.file, { force: true });
    this.file = null;
  }

  private write(line: Line): void {
    const file = this.file;
    if (!file) return;
    try {
      if (this.repair && 'truncateTo' in this.repair && statSync(file).size > this.repair.truncateTo) truncateSync(file, this.repair.truncateTo);
      const prefix = this.repair && 'newline' in this.repair ? '\n' : '';
      appendFileSync(file, `${prefix}${serialize(line)}`);
      this.repair = null;
    } catch (err) {
      this.file = null;
      this.warn(`tracking: cannot write the journal ${file} (${errorMessage(err)}); its records are kept in memory until the run ends`);
    }
  }
}

/** Every journal file in a folder (the run's own first). */
export function spoolFilesIn(dir: string, names: readonly string[]): string[] {
  return names
    .filter((n) => SPOOL_FILE_PATTERN.test(n))
    .sort((a, b) => (a === SPOOL_FILE ? -1 : b === SPOOL_FILE ? 1 : a.localeCompare(b)))
    .map((n) => join(dir, n));
}

/** A short description of an operation for messages, e.g. `metrics loss, accuracy (step 3)`. */
export function describeOp(op: SpoolOp): string {
  switch (op.op) {
    case 'create-run':
      return `the creation of run ${JSON.stringify(op.runName)} in experiment ${JSON.stringify(op.experimentName)}`;
    case 'metrics': {
      const keys = [...new Set(op.metrics.map((m) => m.key))];
      const steps = [...new Set(op.metrics.map((m) => m.step))];
      return `metrics ${keys.slice(0, 4).join(', ')}${keys.length > 4 ? `, … (${keys.length} keys)` : ''} (step ${steps.length === 1 ? steps[0] : `${Math.min(...steps)}–${Math.max(...steps)}`})`;
    }
    case 'params':
      return `${op.params.length} param(s) ${op.params.slice(0, 3).map((p) => p.key).join(', ')}${op.params.length > 3 ? ', …' : ''}`;
    case 'tags':
      return `tag(s) ${op.tags.map((t) => t.key).join(', ')}`;
    case 'inputs':
      return `dataset input(s) ${op.datasets.map((d) => d.dataset.name).join(', ')}`;
    case 'artifacts':
      return `artifact ${op.path}`;
    case 'model':
      return `the model ${op.path}`;
    case 'image':
      return `image ${op.key} (${op.path})`;
    case 'register':
      return `the registration of the model as ${JSON.stringify(op.name)}`;
    case 'status':
      return `status ${op.status}`;
  }
}
