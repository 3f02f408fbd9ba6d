// bench/tracking-overhead: what logging a training run to MLflow costs the training loop. Starts a real MLflow
// server (the embedded one, from the venv, on a fresh temp store; or --tracking-uri), then trains the default
// experiment (seed-004 on cxr-dev) through runExperiment, tracking off and on in turns (same seed: the same
// training), and measures from outside the tracker — through a callback registered after the tracker's and a
// timing fetch given to the MLflow client — without changing the library.
//
// The last line is `overhead=<percent>%`, defined over the tracked runs' epochs 2 and later (all epochs when a
// run has one) as 100 × (B_callback + B_background) ÷ T:
//   T            Σ epoch wall time: one epoch's onEpochBegin to the next's (the last: to onTrainEnd), as a callback
//                after the tracker's sees it: training, validation and every epoch-end callback, tracking's included.
//   B_callback   Σ time the loop waits in the tracker's onEpochEnd: from the moment the tracker stamps the epoch's
//                metrics (their `timestamp`, Date.now() as its callback starts, read back from the log-batch request
//                it sends) to the moment the next callback starts. 1 ms resolution.
//   B_background Σ main-thread time of the tracker's background work in those epochs: each delivery whose request
//                starts inside an epoch counts the process CPU time of one delivery through the tracker (the epoch's
//                own metrics, sent in the background while the next epoch trains, and each system-metrics sample),
//                and each system-metrics delivery also one sample (CPU, memory, disk, network, nvidia-smi), both
//                measured in a calibration at the end (an upper bound: the process's CPU time also counts its other
//                threads). The training loop yields to the event loop between batches, so these run during the
//                epoch, between its batches.
// Also printed, not in the headline: the same epochs' wall time with tracking off (paired runs, median of the
// per-repeat differences: a check whose noise on a busy machine is larger than the effect), the MLflow server's CPU
// time during the epochs (on a small machine it competes with training), and the one-off costs before epoch 1
// (create the run, params, dataset input) and after training (evaluation metrics, artifact and LoggedModel uploads,
// final status).
// Before measuring, the bench waits (at most --settle seconds, 300 by default, 0 with --quick) until the fresh server's
// processes are idle: with MLflow 3's job runner on (MLFLOW_SERVER_ENABLE_JOB_EXECUTION=true), its huey consumers go on
// starting for minutes after /health answers, and that start-up is not what a run costs.
// usage: npm run bench:tracking -- [--quick] [--epochs 4] [--repeats 2] [--size 150] [--data <dir>] [--tracking-uri <uri>]
//        [--settle <s>] [--calibration <deliveries>] [--trace <file.json>: every request and epoch mark, as JSON]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadExperiment } from '../../src/config/load';
import type { ExperimentConfig } from '../../src/config/schema';
import { type ExperimentResult, runExperiment } from '../../src/experiment';
import { type FetchLike, type MlflowClient, createMlflowClient } from '../../src/mlflow-client';
import { DEFAULT_EXPERIMENT, venvDir } from '../../src/project-paths';
import { ensureEmbeddedServer, stopEmbeddedServer } from '../../src/tracking/embedded-server';
import { gpuSampler } from '../../src/tracking/gpu-metrics';
import { startRunTracker } from '../../src/tracking/run-tracker';
import { systemSampler } from '../../src/tracking/system-metrics';
import type { TrainingCallback } from '../../src/train/callbacks/callback';
import { describeMachine } from '../lib/machine';
import { median, quantile } from '../lib/stats';

const EXPERIMENT_NAME = 'tracking-overhead';
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

// ---- the MLflow requests the tracker makes, timed by the fetch the client is given ----

type RequestKind = 'epoch' | 'system' | 'eval' | 'upload' | 'other';

interface TimedRequest {
  kind: RequestKind;
  method: string;
  path: string;
  /** performance.now() when fetch was called and when the response headers arrived. */
  start: number;
  end: number;
  /** Epoch-end metrics: their steps and Date.now() stamp (the tracker's callback start). */
  steps: number[];
  stamp: number | null;
  bytes: number;
  /** The HTTP status, or the error's message when no answer came. */
  status: number | string;
}

interface LoggedMetric {
  key: string;
  step?: number;
  timestamp?: number;
}

function headerValue(headers: RequestInit['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  return new Headers(headers).get(name) ?? undefined;
}

function classify(url: string, init: RequestInit | undefined): Omit<TimedRequest, 'start' | 'end' | 'status'> {
  const method = init?.method ?? 'GET';
  const path = new URL(url).pathname;
  const bytes = Number(headerValue(init?.headers, 'content-length') ?? (typeof init?.body === 'string' ? Buffer.byteLength(init.body) : 0));
  const base = { method, path, steps: [] as number[], stamp: null as number | null, bytes };
  if (method === 'PUT' && path.includes('/artifacts/')) return { kind: 'upload', ...base };
  if (!path.endsWith('/runs/log-batch') || typeof init?.body !== 'string') return { kind: 'other', ...base };
  let metrics: LoggedMetric[];
  try {
    metrics = ((JSON.parse(init.body) as { metrics?: LoggedMetric[] }).metrics ?? []).filter((m) => typeof m.key === 'string');
  } catch {
    return { kind: 'other', ...base };
  }
  if (!metrics.length) return { kind: 'other', ...base };
  if (metrics.every((m) => m.key.startsWith('system/'))) return { kind: 'system', ...base };
  const stamps = metrics.filter((m) => !m.key.startsWith('system/')).map((m) => m.timestamp ?? Number.NaN).filter(Number.isFinite);
  const stamp = stamps.length ? Math.min(...stamps) : null;
  if (metrics.some((m) => m.key === 'loss')) {
    const steps = [...new Set(metrics.filter((m) => m.key === 'loss').map((m) => m.step ?? -1))];
    return { kind: 'epoch', ...base, steps, stamp };
  }
  return { kind: 'eval', ...base, stamp };
}

function timingFetch(into: TimedRequest[]): FetchLike {
  return async (url, init) => {
    const info = classify(url, init);
    const start = performance.now();
    let status: number | string = 'no answer';
    try {
      const res = await globalThis.fetch(url, init);
      status = res.status;
      return res;
    } catch (err) {
      status = err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err);
      throw err;
    } finally {
      into.push({ ...info, start, end: performance.now(), status });
    }
  };
}

// ---- the MLflow server's CPU time (its process group), from /proc ----

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface GroupStats {
  processes: number;
  /** utime + stime since each process started, ms: in all, and per pid. */
  cpuMs: number;
  perPid: Map<number, number>;
  /** Sum of resident set sizes (shared pages counted in each process), MiB. */
  rssMiB: number;
}

/** CPU time and memory of every process in the group `pgid`; NaN when /proc cannot be read. */
function groupStats(pgid: number | null): GroupStats {
  const none = { processes: 0, cpuMs: Number.NaN, perPid: new Map<number, number>(), rssMiB: Number.NaN };
  if (pgid === null) return none;
  let ticks = 0;
  let pages = 0;
  let processes = 0;
  const perPid = new Map<number, number>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || fields[0] === 'Z') continue;
      processes++;
      const own = Number(fields[11]) + Number(fields[12]);
      ticks += own;
      perPid.set(Number(entry), (own * 1000) / CLOCK_TICKS);
      pages += Number(fields[21]);
    }
  } catch {
    return none;
  }
  return { processes, cpuMs: (ticks * 1000) / CLOCK_TICKS, perPid, rssMiB: (pages * 4096) / 2 ** 20 };
}

const groupCpuMs = (pgid: number | null): number => groupStats(pgid).cpuMs;

/**
 * CPU time the group used between two snapshots, ms: a process that started in between counts in full; one that
 * exited is left out (its last CPU time is unknown), so a restart makes this an undercount. NaN without snapshots.
 */
function cpuBetween(a: GroupStats, b: GroupStats): number {
  if (!Number.isFinite(a.cpuMs) || !Number.isFinite(b.cpuMs)) return Number.NaN;
  let ms = 0;
  for (const [pid, cpu] of b.perPid) ms += cpu - (a.perPid.get(pid) ?? 0);
  return ms;
}

/** Processes of the group that exited and started between two snapshots. */
function churn(a: GroupStats, b: GroupStats): { exited: number; started: number } {
  return { exited: [...a.perPid.keys()].filter((p) => !b.perPid.has(p)).length, started: [...b.perPid.keys()].filter((p) => !a.perPid.has(p)).length };
}

/** Waits until the server's processes use under 5 % of a core over 5 s, at most `maxSeconds` (see the header). */
async function settle(pgid: number, maxSeconds: number): Promise<{ seconds: number; quiet: boolean }> {
  const t0 = performance.now();
  let last = groupCpuMs(pgid);
  while (performance.now() - t0 < maxSeconds * 1000) {
    await new Promise((r) => setTimeout(r, 5000));
    const now = groupCpuMs(pgid);
    if (now - last < 250) return { seconds: (performance.now() - t0) / 1000, quiet: true };
    last = now;
  }
  return { seconds: (performance.now() - t0) / 1000, quiet: false };
}

// ---- one training run, observed by a callback after the tracker's ----

interface EpochMeasure {
  epoch: number;
  ms: number;
  imagesPerSecond: number;
  /** Time in the tracker's onEpochEnd (tracked runs), ms. */
  callbackMs: number;
  /** Wall time of that epoch's log-batch request (the attempt that was answered), ms. */
  requestMs: number;
  /** System-metrics deliveries whose request started inside this epoch. */
  background: number;
  /** Per-epoch metrics deliveries (sent in the background) whose request started inside this epoch. */
  epochDeliveries: number;
  /** Whether one of them is the run's first (whose sample spawns nvidia-smi even where it is missing). */
  backgroundFirst: boolean;
  /** Metrics requests in this epoch that failed and were sent again, and the time from each to its retry, ms. */
  retries: number;
  retryMs: number;
  serverCpuMs: number;
  /** performance.now() at this epoch's onEpochBegin and the next's (or onTrainEnd), for --trace. */
  from: number;
  to: number;
}

interface RunMeasure {
  tracked: boolean;
  repeat: number;
  epochs: EpochMeasure[];
  /** Tracked runs: from the progress line before "MLflow run: …" (the data summary) to it: create run, params, dataset input, tracking.json. */
  startMs: number;
  /** Tracked runs: from the evaluation metrics' stamp to runExperiment's return (metrics, uploads, LoggedModel, status). */
  finishMs: number;
  finishRequests: TimedRequest[];
  trainingMs: number;
  /** Server processes that exited and started during the epochs (with the job runner on, it restarts huey consumers that exit). */
  serverChurn: { exited: number; started: number };
  warnings: string[];
  /** runExperiment's progress messages with their performance.now(), for --trace. */
  logs: { at: number; message: string }[];
}

async function measureRun(
  config: ExperimentConfig,
  o: { tracked: boolean; repeat: number; client: MlflowClient; requests: TimedRequest[]; serverPid: number | null },
): Promise<RunMeasure> {
  const beginPerf: number[] = [];
  const endDate: number[] = [];
  const cpuAtBegin: GroupStats[] = [];
  let trainEndPerf = Number.NaN;
  let cpuAtTrainEnd = groupStats(null);
  const logs: { at: number; message: string }[] = [];
  const observer: TrainingCallback = {
    onEpochBegin(epoch) {
      cpuAtBegin[epoch] = groupStats(o.serverPid);
      beginPerf[epoch] = performance.now();
    },
    onEpochEnd(epoch) {
      endDate[epoch] = Date.now();
    },
    onTrainEnd() {
      trainEndPerf = performance.now();
      cpuAtTrainEnd = groupStats(o.serverPid);
    },
  };
  const firstRequest = o.requests.length;
  const warnings: string[] = [];
  const originalWarn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
  let result: ExperimentResult;
  let returnDate: number;
  try {
    result = await runExperiment(config, {
      log: (message) => logs.push({ at: performance.now(), message }),
      callbacks: [observer],
      ...(o.tracked ? { tracking: { client: o.client, experimentName: EXPERIMENT_NAME } } : {}),
    });
    returnDate = Date.now();
  } finally {
    console.warn = originalWarn;
  }
  const requests = o.requests.slice(firstRequest);
  const firstSystem = requests.find((r) => r.kind === 'system');
  const epochs: EpochMeasure[] = result.history.map((h, epoch) => {
    const from = beginPerf[epoch] as number;
    const to = beginPerf[epoch + 1] ?? trainEndPerf;
    const own = requests.findLast((r) => r.kind === 'epoch' && r.steps.includes(epoch)); // the delivered attempt
    const background = requests.filter((r) => r.kind === 'system' && r.start >= from && r.start < to);
    const failed = requests.filter((r) => (r.kind === 'epoch' || r.kind === 'system') && r.start >= from && r.start < to && !(typeof r.status === 'number' && r.status < 500));
    const retryMs = sum(failed.map((f) => (requests.find((q) => q.start > f.start && q.kind === f.kind && q.path === f.path)?.start ?? f.end) - f.start));
    return {
      epoch,
      ms: to - from,
      imagesPerSecond: h.images_per_second,
      callbackMs: own?.stamp != null && endDate[epoch] !== undefined ? (endDate[epoch] as number) - own.stamp : Number.NaN,
      requestMs: own ? own.end - own.start : Number.NaN,
      background: background.length,
      epochDeliveries: requests.filter((r) => r.kind === 'epoch' && r.start >= from && r.start < to).length,
      backgroundFirst: firstSystem !== undefined && background.includes(firstSystem),
      retries: failed.length,
      retryMs,
      serverCpuMs: cpuBetween(cpuAtBegin[epoch] as GroupStats, cpuAtBegin[epoch + 1] ?? cpuAtTrainEnd),
      from,
      to,
    };
  });
  let startMs = Number.NaN;
  const announced = logs.findIndex((l) => l.message.startsWith('MLflow run'));
  if (announced > 0) startMs = (logs[announced] as { at: number }).at - (logs[announced - 1] as { at: number }).at;
  const evalRequest = requests.find((r) => r.kind === 'eval' && r.start >= trainEndPerf);
  const finishRequests = evalRequest ? requests.filter((r) => r.start >= evalRequest.start) : [];
  return {
    tracked: o.tracked,
    repeat: o.repeat,
    epochs,
    startMs,
    finishMs: evalRequest?.stamp != null ? returnDate - evalRequest.stamp : Number.NaN,
    finishRequests,
    trainingMs: trainEndPerf - (beginPerf[0] as number),
    serverChurn: cpuAtBegin[0] ? churn(cpuAtBegin[0], cpuAtTrainEnd) : { exited: 0, started: 0 },
    warnings,
    logs,
  };
}

// ---- calibration: the main-thread cost of one background system-metrics delivery ----

interface Calibration {
  samples: number;
  sampleMs: number;
  gpuFirstMs: number;
  gpuMs: number;
  gpuFound: boolean;
  deliveryWallMs: number;
  deliveryCpuMs: number;
  /** sampleMs + gpuMs + deliveryCpuMs */
  perDeliveryMs: number;
}

/**
 * Main-thread time of an epoch's background deliveries: each system-metrics one a sample and a delivery (the
 * run's first also spawns nvidia-smi), each per-epoch metrics one a delivery.
 */
const backgroundMs = (e: EpochMeasure, c: Calibration): number =>
  e.background * c.perDeliveryMs + e.epochDeliveries * c.deliveryCpuMs + (e.backgroundFirst ? c.gpuFirstMs - c.gpuMs : 0);

async function calibrate(client: MlflowClient, n: number): Promise<Calibration> {
  const sample = systemSampler(process.cwd());
  const sampleTimes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    sample();
    sampleTimes.push(performance.now() - t0);
  }
  // The synchronous part of one nvidia-smi round (spawning it); the first call of a sampler tries, later ones
  // return at once when it is missing.
  const gpu = gpuSampler();
  const gpuTimes: number[] = [];
  let gpuFound = false;
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    const pending = gpu();
    gpuTimes.push(performance.now() - t0);
    gpuFound = Object.keys(await pending).length > 0 || gpuFound;
  }
  const tracker = await startRunTracker({ client, experimentName: `${EXPERIMENT_NAME}-calibration`, runName: 'calibration', systemMetrics: false });
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n + 3; i++) {
    const values = sample();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await tracker.logMetrics(values, i);
    const t1 = performance.now();
    const used = process.cpuUsage(c0);
    if (i < 3) continue; // warm-up
    wall.push(t1 - t0);
    cpu.push((used.user + used.system) / 1000);
  }
  await tracker.finish('FINISHED');
  const sampleMs = median(sampleTimes);
  const gpuMs = median(gpuTimes.slice(1));
  const deliveryCpuMs = median(cpu);
  return {
    samples: n,
    sampleMs,
    gpuFirstMs: gpuTimes[0] as number,
    gpuMs,
    gpuFound,
    deliveryWallMs: median(wall),
    deliveryCpuMs,
    perDeliveryMs: sampleMs + gpuMs + deliveryCpuMs,
  };
}

// ---- report ----

const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');
const pct = (x: number, digits = 1): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(digits)} %` : 'n/a');
const share = (x: number, digits = 1): string => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)} %` : 'n/a');

/** Epochs 2 and later (the steady state), or all when a run has one. */
const steady = (run: RunMeasure): EpochMeasure[] => (run.epochs.length > 1 ? run.epochs.slice(1) : run.epochs);

function printEpoch(run: RunMeasure, e: EpochMeasure): void {
  const label = `r${run.repeat + 1} ${run.tracked ? 'on ' : 'off'}`;
  const t = run.tracked;
  console.log(
    `${label.padEnd(8)}${String(e.epoch + 1).padStart(6)}${fmt(e.ms / 1000, 2).padStart(9)}${fmt(e.imagesPerSecond).padStart(8)}` +
      `${(t ? fmt(e.callbackMs, 0) : '-').padStart(13)}${(t ? fmt(e.requestMs) : '-').padStart(12)}${(t ? String(e.background) : '-').padStart(12)}${fmt(e.serverCpuMs, 0).padStart(15)}`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      epochs: { type: 'string' },
      repeats: { type: 'string' },
      size: { type: 'string' },
      data: { type: 'string', default: process.env.CXRLAB_DATA },
      'tracking-uri': { type: 'string' },
      calibration: { type: 'string' },
      settle: { type: 'string' },
      trace: { type: 'string' },
    },
  });
  const quick = values.quick;
  const epochs = Number(values.epochs ?? (quick ? 2 : 4));
  const repeats = Number(values.repeats ?? (quick ? 1 : 2));
  const size = Number(values.size ?? (quick ? 64 : 150));
  const calibrationN = Number(values.calibration ?? (quick ? 10 : 40));
  if (!(epochs >= 1 && repeats >= 1 && size >= 32)) throw new Error('--epochs and --repeats must be at least 1, --size at least 32');
  const interval = Number(process.env.MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL) || 10;

  const work = mkdtempSync(join(tmpdir(), 'cxrlab-bench-tracking-'));
  const stateDir = join(work, 'mlflow');
  /** The server this bench started (the leader of its process group), until it is stopped. */
  let serverPid: number | null = null;
  const killServer = (): void => {
    if (serverPid === null) return;
    try {
      process.kill(-serverPid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    serverPid = null;
  };
  // SIGTERM first (stopEmbeddedServer); the job runner's consumers can take half a minute to go, so SIGKILL after 15 s.
  const cleanup = async (): Promise<void> => {
    if (serverPid !== null) {
      stopEmbeddedServer(stateDir);
      const deadline = performance.now() + 15_000;
      while (groupStats(serverPid).processes > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      killServer();
    }
    rmSync(work, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killServer();
      rmSync(work, { recursive: true, force: true });
      process.exit(130);
    });
  }
  try {
    const config = await loadExperiment(DEFAULT_EXPERIMENT, {
      ...(values.data ? { dataDir: resolve(values.data) } : {}),
      overrides: [`name=${EXPERIMENT_NAME}`, `train.epochs=${epochs}`, `data.imageSize=${size}`, `output.dir=${join(work, 'runs')}`],
    });
    const dataDesc = values.data ? resolve(values.data) : 'cxr-dev (experiments/default.yaml)';
    console.log(
      `tracking-overhead: seed-004 ${size}x${size}x3, batch ${config.train.batchSize}, ${epochs} epochs, ${repeats} repeat(s) of tracking off/on; data ${dataDesc}; ` +
        `system metrics every ${interval} s; ${describeMachine()}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    );

    let uri = values['tracking-uri'];
    /** The process group whose CPU time is measured: the server's, when this bench started it. */
    let measuredPid: number | null = null;
    if (!uri) {
      const t0 = performance.now();
      process.env.MLFLOW_DISABLE_TELEMETRY ??= 'true';
      process.env.DO_NOT_TRACK ??= 'true';
      const server = await ensureEmbeddedServer({ stateDir, venv: venvDir(), timeoutSeconds: 300 });
      uri = server.uri;
      serverPid = server.pid;
      measuredPid = server.pid;
      console.log(`MLflow server ${uri} (fresh sqlite store, pid ${server.pid}) answered after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const maxSettle = Number(values.settle ?? (quick ? 0 : 300));
      if (maxSettle > 0) {
        const settled = await settle(server.pid, maxSettle);
        const g = groupStats(server.pid);
        console.log(
          `  ${settled.quiet ? 'idle' : 'still busy'} ${settled.seconds.toFixed(0)} s later: ${g.processes} server processes, ` +
            `${(g.cpuMs / 1000).toFixed(1)} s CPU since start, RSS ${g.rssMiB.toFixed(0)} MiB (shared pages counted per process)`,
        );
      }
    } else {
      console.log(`MLflow server ${uri} (given; its CPU time is not measured)`);
    }
    const requests: TimedRequest[] = [];
    // The client's own log: its retries (a 5xx answer or a connection error, then a wait of 500 ms, doubled each time).
    const clientLog: string[] = [];
    const client = createMlflowClient({ trackingUri: uri, fetch: timingFetch(requests), log: (m) => clientLog.push(m) });

    console.log(`\n${'run'.padEnd(8)}${'epoch'.padStart(6)}${'time s'.padStart(9)}${'img/s'.padStart(8)}${'callback ms'.padStart(13)}${'request ms'.padStart(12)}${'background'.padStart(12)}${'server CPU ms'.padStart(15)}`);
    const runs: RunMeasure[] = [];
    for (let r = 0; r < repeats; r++) {
      for (const tracked of r % 2 === 0 ? [false, true] : [true, false]) {
        const run = await measureRun(config, { tracked, repeat: r, client, requests, serverPid: measuredPid });
        runs.push(run);
        for (const e of run.epochs) printEpoch(run, e);
        for (const w of run.warnings) console.log(`  warning: ${w}`);
        const { exited, started } = run.serverChurn;
        if (exited || started) console.log(`  server: ${exited} process(es) exited and ${started} started during these epochs (their CPU time before exiting is not counted)`);
        for (const m of clientLog.splice(0)) console.log(`  retry: ${m}`);
      }
    }

    if (measuredPid !== null && runs.some((x) => x.serverChurn.exited + x.serverChurn.started > 0)) {
      let log = '';
      try {
        log = readFileSync(join(stateDir, 'server.log'), 'utf8');
      } catch {
        /* no log */
      }
      const notable = log.split('\n').filter((l) => /error|exception|traceback|killed|exit/i.test(l));
      console.log(`server.log: ${notable.length} line(s) about errors or exits${notable.length ? `; the last:\n${notable.slice(-5).map((l) => `  ${l.slice(0, 200)}`).join('\n')}` : ''}`);
    }
    const calibration = await calibrate(createMlflowClient({ trackingUri: uri }), calibrationN);
    if (values.trace) {
      const trace = { runs: runs.map(({ finishRequests: _f, ...run }) => run), requests, calibration };
      writeFileSync(values.trace, `${JSON.stringify(trace, null, 1)}\n`);
    }

    const on = runs.filter((x) => x.tracked);
    const off = runs.filter((x) => !x.tracked);
    const onEpochs = on.flatMap(steady);
    const offEpochs = off.flatMap(steady);
    const totalMs = sum(onEpochs.map((e) => e.ms));
    const callbackMs = sum(onEpochs.map((e) => e.callbackMs));
    const deliveries = sum(onEpochs.map((e) => e.background));
    const firstDeliveries = onEpochs.filter((e) => e.backgroundFirst).length;
    const bgMs = sum(onEpochs.map((e) => backgroundMs(e, calibration)));
    const overhead = (100 * (callbackMs + bgMs)) / totalMs;
    const paired = Array.from({ length: repeats }, (_, r) => {
      const m = (tracked: boolean) => median(steady(runs.find((x) => x.repeat === r && x.tracked === tracked) as RunMeasure).map((e) => e.ms));
      return m(true) / m(false) - 1;
    });
    // Half the interquartile range of a tracking-off run's epochs over their median: the noise the paired check sits in.
    const spread = median(
      off.flatMap((x) => {
        const ms = steady(x).map((e) => e.ms);
        return ms.length > 1 ? [(quantile(ms, 0.75) - quantile(ms, 0.25)) / 2 / median(ms)] : [];
      }),
    );
    const cores = cpus().length;
    const serverShare = (es: EpochMeasure[]) => sum(es.map((e) => e.serverCpuMs)) / (sum(es.map((e) => e.ms)) * cores);
    const callbacks = onEpochs.map((e) => e.callbackMs);
    const which = onEpochs.length === on.reduce((n, x) => n + x.epochs.length, 0) ? 'all epochs' : 'epochs 2+';

    console.log(`\nper epoch (tracked runs, ${which}: ${onEpochs.length} epochs, ${(totalMs / 1000).toFixed(1)} s)`);
    console.log(`  epoch time, tracking off / on (median)       ${fmt(median(offEpochs.map((e) => e.ms)) / 1000, 2)} s / ${fmt(median(onEpochs.map((e) => e.ms)) / 1000, 2)} s`);
    console.log(`  on vs off, paired by repeat                   ${pct(median(paired))} (${paired.map((p, r) => `repeat ${r + 1}: ${pct(p)}`).join(', ')}); epochs of one run vary by ±${fmt(100 * spread)} %`);
    console.log(`  tracker onEpochEnd (median / max)             ${fmt(median(callbacks))} / ${fmt(Math.max(...callbacks), 0)} ms (its request ${fmt(median(onEpochs.map((e) => e.requestMs)))} ms); ${fmt(callbackMs, 0)} ms in all`);
    const retries = sum(onEpochs.map((e) => e.retries));
    if (retries) {
      const retryMs = sum(onEpochs.map((e) => e.retryMs));
      console.log(
        `    of which waiting to resend a failed request  ${fmt(retryMs, 0)} ms (${retries} request(s)); without it overhead would be ${fmt((100 * (callbackMs - retryMs + sum(onEpochs.map((e) => backgroundMs(e, calibration))))) / totalMs, 2)} %`,
      );
    }
    console.log(
      `  background deliveries                         ${deliveries} system-metrics × ${fmt(calibration.perDeliveryMs, 2)} ms main thread` +
        ` + ${sum(onEpochs.map((e) => e.epochDeliveries))} epoch metrics × ${fmt(calibration.deliveryCpuMs, 2)} ms` +
        `${firstDeliveries ? ` + ${firstDeliveries} × ${fmt(calibration.gpuFirstMs - calibration.gpuMs)} ms for a run's first nvidia-smi spawn` : ''} = ${fmt(bgMs)} ms in all`,
    );
    console.log(`  MLflow server CPU during epochs, on / off     ${fmt(median(onEpochs.map((e) => e.serverCpuMs)), 0)} / ${fmt(median(offEpochs.map((e) => e.serverCpuMs)), 0)} ms per epoch (${fmt(100 * serverShare(onEpochs), 2)} % / ${fmt(100 * serverShare(offEpochs), 2)} % of ${cores} cores)`);
    console.log('one-off (tracked runs, median)');
    const finishUploads = on.map((x) => x.finishRequests.filter((q) => q.kind === 'upload'));
    console.log(`  start: create run, params, dataset input      ${fmt(median(on.map((x) => x.startMs)), 0)} ms`);
    console.log(
      `  finish: eval metrics, artifacts, model, status ${fmt(median(on.map((x) => x.finishMs)) / 1000, 2)} s: ${fmt(median(on.map((x) => x.finishRequests.length)), 0)} requests, ` +
        `${fmt(median(finishUploads.map((u) => u.length)), 0)} uploads of ${fmt(median(finishUploads.map((u) => sum(u.map((q) => q.bytes)))) / 2 ** 20, 2)} MiB; ` +
        `${share(median(on.map((x) => x.finishMs / x.trainingMs)))} of the run's training time`,
    );
    console.log(
      `calibration (after the runs, ${calibration.samples} deliveries): one system sample ${fmt(calibration.sampleMs, 2)} ms; nvidia-smi ${calibration.gpuFound ? 'found' : 'absent'}, ` +
        `spawn ${fmt(calibration.gpuFirstMs, 2)} ms first, ${fmt(calibration.gpuMs, 2)} ms later; tracker.logMetrics ${fmt(calibration.deliveryWallMs, 2)} ms wall, ${fmt(calibration.deliveryCpuMs, 2)} ms CPU`,
    );
    console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`overhead=${overhead.toFixed(2)}%`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
