// One training run in MLflow: created with the system tags the Python client sets (mlflow.user,
// mlflow.source.*, git commit), per-epoch metrics through a training callback (step = epoch, Keras'
// names), and a finish that uploads the run folder, logs its Grad-CAM PNGs as MLflow images (the UI's
// image cards), logs the model as an MLflow 3 LoggedModel, registers it in the model registry when asked,
// and sets FINISHED / FAILED / KILLED. Tracking never stops training: every record goes through the run's
// spool (spool.ts). While the server is away — also at the start, when the run cannot be created yet — records
// wait in the journal `<spoolDir>/mlflow-spool.jsonl`, are retried in the background after each epoch and
// once more at the end; what is still undelivered then stays on disk for `cxrlab sync <run folder>`.
// A record the server refuses (4xx) is reported through `warn` and not retried.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, renameSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Dataset, KeyValue, Metric, MlflowClient, RunStatus } from '../mlflow-client';
import type { EpochLogs, TrainingCallback } from '../train/callbacks/callback';
import { SPOOL_FILE, SPOOL_FILE_PATTERN, Spool, type SpoolOp, type SpoolRecord, describeOp } from './spool';
import { type Registration, mlflowDelivery } from './spool-delivery';
import { isTransientError, replaySpool } from './spool-replay';
import { startSystemMetrics } from './system-metrics';

export interface TrackerOptions {
  client: MlflowClient;
  experimentName: string;
  runName: string;
  /** Continue this MLflow run (a resumed training run) instead of creating one. */
  runId?: string;
  /** Extra tags (e.g. mlflow.note.content). */
  tags?: KeyValue[];
  /** Warnings about tracking problems. Defaults to console.warn. */
  warn?: (message: string) => void;
  /** Log MLflow's system metrics (system/…) while the run lasts. Defaults to true. */
  systemMetrics?: boolean;
  /**
   * Folder of the journal of undelivered records, normally the run folder: `<spoolDir>/mlflow-spool.jsonl`
   * is written when a record cannot be delivered and removed once everything is. A journal already there
   * for the same run (a resumed run) is continued. Without spoolDir, undelivered records wait in memory
   * and are written to the folder given to finish().
   */
  spoolDir?: string;
  /**
   * Longest wait, in ms, for one delivery attempt while the server is away — at the start and in finish();
   * the attempt goes on in the background after that. Defaults to 60 000.
   */
  retryWaitMs?: number;
  /**
   * Register the run's model (the LoggedModel finish() logs) as the next version of this registered model —
   * for a FINISHED run only. Through the journal like every record, so a registration made while the server
   * is away happens at `cxrlab sync`.
   */
  registeredModel?: string;
  /** Progress lines (e.g. `registered cxr version 3`). Defaults to console.log. */
  log?: (message: string) => void;
  /** Called (and awaited) once the model is registered by this tracker; an error it throws is only reported. */
  onRegistered?: (registration: Registration) => void | Promise<void>;
}

export interface RunTracker {
  /** The MLflow run id; '' while the server has been away since the start (the run is created when it answers). */
  readonly runId: string;
  /** '' until the server has named the run's experiment. */
  readonly experimentId: string;
  /** The run's page in the MLflow UI; '' while the run does not exist yet. */
  readonly url: string;
  /** The journal of undelivered records on disk, or null when there is none. */
  readonly spoolPath: string | null;
  /** The model version finish() registered, or null (none asked, or not delivered yet). */
  readonly registered: Registration | null;
  logParams(params: KeyValue[]): Promise<void>;
  logMetrics(values: Record<string, number | undefined>, step: number): Promise<void>;
  logDataset(dataset: Dataset, context: string): Promise<void>;
  /**
   * Per-epoch metrics, step = epoch (0-based, as Keras autolog logs them), journaled and sent in the background
   * (training does not wait for the server); retries journaled records after each epoch.
   */
  callback(): TrainingCallback;
  /** Waits until every journaled record is delivered, or the server is found away. */
  flush(): Promise<void>;
  /**
   * Uploads `runDir` (without model/, checkpoints/ and journals), logs each PNG of `runDir/gradcam/` as an image
   * (see gradcamImageKey) at the step of the last logged metrics, logs `runDir/model` as a LoggedModel and
   * registers it (see registeredModel), sets the status. Never throws for tracking problems: what cannot be
   * delivered stays in the journal (see `warn`).
   */
  finish(status: RunStatus, runDir?: string): Promise<void>;
}

function gitCommit(cwd: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
  } catch {
    return null;
  }
}

/** The tags MLflow's Python client adds itself (REST runs/create adds none of them). */
export function systemTags(env: NodeJS.ProcessEnv = process.env): KeyValue[] {
  const source = process.argv[1] ?? 'node';
  const inKernel = /tslab/.test(source);
  const tags: KeyValue[] = [
    { key: 'mlflow.user', value: env.MLFLOW_TRACKING_USERNAME ?? userInfo().username },
    { key: 'mlflow.source.name', value: inKernel ? 'notebook (tslab)' : basename(source) },
    { key: 'mlflow.source.type', value: inKernel ? 'NOTEBOOK' : 'LOCAL' },
  ];
  const commit = gitCommit(process.cwd());
  if (commit) tags.push({ key: 'mlflow.source.git.commit', value: commit });
  return tags;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The run folder's Grad-CAM overlays (src/explain/gallery.ts writes `gradcam/<class>/<right|wrong>-<image>-as-<predicted>.png`). */
export const GRADCAM_DIR = 'gradcam';
/** Longest image key gradcamImageKey makes: the file name MLflow writes adds about 80 characters to it. */
const MAX_IMAGE_KEY = 160;

/**
 * The MLflow image key of a Grad-CAM PNG, from its path below `gradcam/`: `covid/right-p1-as-covid.png` →
 * `gradcam.covid.right-p1-as-covid`. Folders are joined with `.` (a `/` in an image key breaks the UI's image
 * cards on some MLflow versions), characters image keys do not allow (and `+`, `%`, which the file layout uses)
 * become `_`, and the key is cut to 160 characters.
 */
export function gradcamImageKey(relPath: string): string {
  const parts = relPath.replace(/\.png$/i, '').split(/[\\/]+/).filter(Boolean);
  return ['gradcam', ...parts].join('.').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, MAX_IMAGE_KEY);
}

/** The PNGs below `dir`, as sorted '/'-separated paths relative to it (none when `dir` is missing). */
async function pngsIn(dir: string): Promise<string[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.png$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1).split(sep).join('/'))
    .sort();
}

/** Waits for `work` at most `ms`; true when it finished in time. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([work.then(() => true), new Promise<false>((done) => (timer = setTimeout(() => done(false), ms)))]);
  clearTimeout(timer);
  return finished;
}

/**
 * The journal to continue (one in `spoolDir` with pending records of this run), or a new one. A journal of
 * another run or server is moved aside to `mlflow-spool-<id>.jsonl`, where `cxrlab sync` still finds it.
 */
function openSpool(options: TrackerOptions, warn: (m: string) => void): { spool: Spool; continued: boolean } {
  const trackingUri = options.client.trackingUri;
  const fresh = () => ({
    spool: Spool.create({ trackingUri, runId: options.runId ?? null, ...(options.spoolDir ? { baseDir: resolve(options.spoolDir) } : {}), warn }),
    continued: false,
  });
  if (!options.spoolDir) return fresh();
  const file = join(options.spoolDir, SPOOL_FILE);
  const aside = (id: string) => join(options.spoolDir as string, `mlflow-spool-${id}.jsonl`);
  let existing: Spool | null;
  try {
    existing = Spool.read(file, warn);
  } catch (err) {
    const moved = aside(randomBytes(8).toString('hex'));
    renameSync(file, moved);
    warn(`tracking: ${message(err)}; the journal is moved to ${moved} and this run starts a new one`);
    return fresh();
  }
  if (!existing) return fresh();
  const pending = existing.pending();
  if (!pending.length && !existing.failed().length) {
    existing.remove();
    return fresh();
  }
  const sameRun =
    existing.trackingUri === trackingUri &&
    (options.runId ? existing.runId === options.runId : existing.runId !== null || pending[0]?.op.op === 'create-run');
  if (sameRun && pending.length) return { spool: existing, continued: true };
  const moved = aside(existing.journalId);
  renameSync(file, moved);
  const what = existing.runId ? `run ${existing.runId}` : 'a run not created yet';
  warn(`tracking: ${file} holds ${pending.length} undelivered and ${existing.failed().length} refused record(s) of ${what} at ${existing.trackingUri}; it is moved to ${moved} (\`cxrlab sync ${options.spoolDir}\` delivers it)`);
  return fresh();
}

export async function startRunTracker(options: TrackerOptions): Promise<RunTracker> {
  const { client } = options;
  const uri = client.trackingUri;
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const waitMs = options.retryWaitMs ?? 60_000;
  const spoolFile = options.spoolDir ? join(options.spoolDir, SPOOL_FILE) : null;
  const log = options.log ?? ((m: string) => console.log(m));
  let registered: Registration | null = null;
  const deliver = mlflowDelivery(client, {
    onRegistered: async (r) => {
      registered = r;
      log(`registered ${r.name} version ${r.version}${r.status === 'READY' ? '' : ` (${r.status})`}`);
      try {
        await options.onRegistered?.(r);
      } catch (err) {
        warn(`tracking: after registering ${r.name} version ${r.version}: ${message(err)}`);
      }
    },
  });
  /** The highest step given to logMetrics: the step the run's images are logged at. */
  let lastStep = 0;
  const { spool, continued } = openSpool(options, warn);
  /** False from a failed delivery until a retry has delivered every journaled record. */
  let online = true;
  /** Why the run could not be created (a refusal, not an absence): nothing more is sent. */
  let blocked: unknown = null;
  let draining: Promise<void> | null = null;
  /** The record that creates or reopens the run, and the server's refusal of it: startRunTracker throws that. */
  let startRecord = 0;
  let startRefusal: unknown = null;
  let started = false;

  const persist = (path: string): void => {
    try {
      spool.persist(path);
    } catch (err) {
      warn(`tracking: cannot write the journal ${path} (${message(err)}); undelivered records are kept in memory only`);
    }
  };

  const wentAway = (err: unknown): void => {
    if (spoolFile && !spool.path) persist(spoolFile);
    if (online) {
      const kept = spool.path ? `kept in ${spool.path}` : 'kept in memory';
      warn(
        blocked === null
          ? `tracking: cannot log to ${uri} (${message(err)}); training goes on, and the records are ${kept} and sent again after each epoch`
          : `tracking: ${uri} refused to create the run (${message(err)}); training goes on, and the records are ${kept} for \`cxrlab sync\``,
      );
    }
    online = false;
  };

  const refused = (record: SpoolRecord, err: unknown): void => {
    if (record.id === startRecord && !started) {
      startRefusal = err;
      return;
    }
    warn(`tracking: ${uri} refused ${describeOp(record.op)}: ${message(err)}; it is not sent again`);
  };

  /** One delivery pass over the journal at a time; callers join the pass in progress. */
  const drain = (): Promise<void> => {
    draining ??= (async () => {
      try {
        for (;;) {
          const { interruption } = await replaySpool(spool, deliver, { onFailed: refused });
          if (interruption !== null) {
            if (!isTransientError(interruption)) blocked = interruption;
            if (started || blocked === null) wentAway(interruption);
            return;
          }
          if (!spool.pending().length) {
            if (!online) warn(`tracking: ${uri} answers again; the journaled records of run ${spool.runId} are delivered`);
            online = true;
            spool.compact();
            return;
          }
        }
      } catch (err) {
        warn(`tracking: delivering to ${uri} failed unexpectedly: ${message(err)}`);
      } finally {
        draining = null;
      }
    })();
    return draining;
  };

  /**
   * Journals a record and, while the server answers, delivers it. 'bounded' waits up to retryWaitMs (a
   * server that stops answering is then treated as away); 'background' returns once the record is
   * journaled (the per-epoch metrics: training never waits on the server); finish() waits for everything.
   */
  const submit = async (op: SpoolOp, wait: 'background' | 'bounded' | 'full' = 'bounded'): Promise<void> => {
    spool.append(op);
    if (!online) return;
    if (wait === 'full') return drain();
    const answered = within(drain(), waitMs).then((ok) => {
      if (!ok) wentAway(new Error(`no answer within ${waitMs / 1000} s`));
    });
    if (wait === 'bounded') await answered;
  };

  const retryInBackground = (): void => {
    if (!online && blocked === null) void drain();
  };

  if (!spool.runId && !spool.pending().some((r) => r.op.op === 'create-run')) {
    startRecord = spool.append({
      op: 'create-run',
      experimentName: options.experimentName,
      runName: options.runName,
      startTime: Date.now(),
      tags: [{ key: 'mlflow.runName', value: options.runName }, ...systemTags(), ...(options.tags ?? [])],
    });
  } else if (options.runId || continued) {
    startRecord = spool.append({ op: 'status', status: 'RUNNING' });
  }
  if (!(await within(drain(), waitMs))) wentAway(new Error(`no answer within ${waitMs / 1000} s`));
  if (blocked !== null) throw blocked;
  if (startRefusal !== null) throw startRefusal;
  started = true;

  const metricsOf = (values: Record<string, number | undefined>, step: number): Metric[] => {
    const timestamp = Date.now();
    return Object.entries(values).flatMap(([key, value]) => (typeof value === 'number' && Number.isFinite(value) ? [{ key, value, timestamp, step }] : []));
  };

  /** Logged metrics (not system metrics) also move the step the run's images are logged at. */
  const recordMetrics = async (values: Record<string, number | undefined>, step: number, wait: 'background' | 'bounded'): Promise<void> => {
    if (Number.isSafeInteger(step)) lastStep = Math.max(lastStep, step);
    const metrics = metricsOf(values, step);
    if (metrics.length) await submit({ op: 'metrics', metrics }, wait);
  };

  const system =
    options.systemMetrics === false
      ? null
      : startSystemMetrics((metrics, step) => submit({ op: 'metrics', metrics: metricsOf(metrics, step) }, 'background'), { diskPath: process.cwd() });

  const reportLeftovers = (runDir: string | undefined): void => {
    const pending = spool.pending().length;
    const failed = spool.failed().length;
    if (!pending && !failed) {
      spool.remove();
      return;
    }
    const target = spool.path ?? spoolFile ?? (runDir ? join(runDir, SPOOL_FILE) : null);
    if (!spool.path && target) persist(target);
    const run = spool.runId ? `run ${spool.runId}` : `run ${JSON.stringify(options.runName)} (not created yet)`;
    const where = spool.path;
    if (!where) {
      warn(`tracking: ${pending + failed} record(s) of ${run} could not be delivered to ${uri} and are lost: give finish() the run folder or set spoolDir to keep them`);
      return;
    }
    if (pending) {
      const why = blocked !== null ? `the run could not be created: ${message(blocked)}` : 'the server does not answer';
      warn(`tracking: ${pending} record(s) of ${run} are not delivered to ${uri} yet (${why}); they are kept in ${where}. Run \`cxrlab sync ${dirname(where)}\` to deliver them`);
    }
    if (failed) warn(`tracking: ${failed} record(s) of ${run} were refused by ${uri} (reported above); they are kept in ${where}`);
  };

  const tracker: RunTracker = {
    get runId() {
      return spool.runId ?? '';
    },
    get experimentId() {
      return spool.run?.experimentId ?? '';
    },
    get url() {
      const run = spool.run;
      if (run) return `${uri}/#/experiments/${run.experimentId}/runs/${run.runId}`;
      return spool.runId ? `${uri}/#/runs/${spool.runId}` : '';
    },
    get spoolPath() {
      return spool.path;
    },
    get registered() {
      return registered;
    },
    async logParams(params) {
      await submit({ op: 'params', params });
    },
    logMetrics: (values, step) => recordMetrics(values, step, 'bounded'),
    async logDataset(dataset, context) {
      await submit({ op: 'inputs', datasets: [{ dataset, tags: [{ key: 'mlflow.data.context', value: context }] }] });
    },
    async flush() {
      if (online && blocked === null) await drain();
    },
    callback() {
      return {
        async onEpochEnd(epoch: number, logs: EpochLogs) {
          await recordMetrics({ ...logs }, epoch, 'background');
          retryInBackground();
        },
      };
    },
    async finish(status, runDir) {
      try {
        await system?.stop();
        if (runDir) {
          spool.baseDir ??= resolve(runDir);
          const entries = (await readdir(runDir)).sort();
          for (const name of entries) {
            if (name === 'model' || name === 'checkpoints' || SPOOL_FILE_PATTERN.test(name)) continue;
            const path = join(runDir, name);
            await submit({ op: 'artifacts', path: spool.refer(path), artifactPath: statSync(path).isDirectory() ? name : '' }, 'full');
          }
          const keys = new Set<string>();
          for (const rel of await pngsIn(join(runDir, GRADCAM_DIR))) {
            const base = gradcamImageKey(rel);
            let key = base;
            for (let n = 2; keys.has(key); n++) key = `${base.slice(0, MAX_IMAGE_KEY - String(n).length - 1)}-${n}`;
            keys.add(key);
            const path = spool.refer(join(runDir, GRADCAM_DIR, ...rel.split('/')));
            await submit({ op: 'image', path, key, step: lastStep, timestamp: Date.now(), uuid: randomUUID() }, 'full');
          }
          const name = options.registeredModel;
          if (existsSync(join(runDir, 'model', 'model.json'))) {
            const modelKey = randomBytes(12).toString('hex');
            await submit({ op: 'model', path: spool.refer(join(runDir, 'model')), name: 'model', modelType: 'tfjs-layers', key: modelKey }, 'full');
            if (name !== undefined && status === 'FINISHED') await submit({ op: 'register', name, modelKey, key: randomBytes(12).toString('hex') }, 'full');
            else if (name !== undefined) warn(`tracking: the model of a ${status} run is not registered as ${JSON.stringify(name)} (only FINISHED runs are)`);
          } else if (name !== undefined) {
            warn(`tracking: ${join(runDir, 'model', 'model.json')} is missing, so no model is registered as ${JSON.stringify(name)}`);
          }
        }
        await submit({ op: 'status', status, endTime: Date.now() }, 'full');
        if (!online && blocked === null) await within(drain(), waitMs);
        reportLeftovers(runDir);
      } catch (err) {
        warn(`tracking: finishing run ${spool.runId ?? '(not created)'} at ${uri} failed: ${message(err)}`);
      }
    },
  };

  return tracker;
}
