// The `cxrlab` command line: argv → config → experiment → printed result. The only place that reads
// CXRLAB_* variables for the run and the only place that sets the exit code.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadExperiment, parseExperiment } from '../config/load';
import type { ExperimentConfig } from '../config/schema';
import type { SplitPaths } from '../run/data';
import { CLASS_NAMES } from '../data/classes';
import { ConfigError, CxrlabError } from '../errors';
import { type ExperimentHooks, runExperiment } from '../experiment';
import { describeBackend } from '../native/backend-info';
import { DEFAULT_EXPERIMENT, EMBEDDED_MLFLOW_DIR, venvDir } from '../project-paths';
import { describeFastPath } from '../native/fast';
import { loadTrainedModel } from '../predict/load-model';
import { listInputs, predictFiles } from '../predict/predict-files';
import { servePredictions } from '../serve/server';
import { ensureEmbeddedServer, stopEmbeddedServer } from '../tracking/embedded-server';
import { defaultTracking } from '../tracking/resolve';
import { progressBar } from '../train/callbacks';
import { dataCommand } from './data';
import { syncCommand } from './sync';
import { formatEvaluation } from './report';
import { sweepCommand } from './sweep';
import { parseTagFlags } from './tags';


const USAGE = `usage: cxrlab <command>

commands:
  train [experiment.yaml] [--set key=value ...] [--tag key=value ...] [--register <name>]
                            train and evaluate (default: experiments/default.yaml);
                            --set overrides any field, e.g. --set train.epochs=5;
                            --tag adds an MLflow tag to the new run; --register registers the
                            finished run's model as the next version of <name> in the model registry
  train --resume <run folder>
                            continue a stopped or killed run from its last completed epoch
  rerun <mlflow-run-id> [--set key=value ...]
                            run a logged run's config again as a new run (same split, tagged
                            cxrlab.rerunOf); CXRLAB_DATA points at the data if it moved
  sweep <sweep.yaml> [--workers N] [--dry-run]
                            grid or seeded random search over config keys: one parent MLflow run,
                            one child run per trial (N at a time in worker processes);
                            --dry-run lists the trials
  data [experiment.yaml | folder] [--json] [--set key=value ...]
                            index the dataset and split it as a run would: counts per class,
                            source and split, skipped files with reasons, the overlap proof
  predict <run | model | mlflow-run-id> <image|folder>... [--json]
                            class, probabilities and latency per image; a run id fetches the run's
                            logged model from MLflow once (cached in .cxrlab/cache/models/<run id>/);
                            unreadable files are reported and the rest still predicted (exit 1 only if none could be)
  serve <run | model | mlflow-run-id> [--port 8080] [--host 127.0.0.1]
                            HTTP service: POST /predict (image body), GET /healthz, GET / (upload page)
  sync <run folder>... [--all <runs dir>]
                            deliver what runs could not log to MLflow while the server was away
                            (their mlflow-spool.jsonl) to the run's server (MLFLOW_TRACKING_URI
                            if set); exit 1 if anything is still undelivered
  info                      print the compute backend
  ui [--stop]               the MLflow UI: MLFLOW_TRACKING_URI, or the embedded local server
                            (started on first use; --stop stops it)

environment:
  CXRLAB_DATA           a class-per-folder dataset to use instead of the experiment's data sources
  MLFLOW_TRACKING_URI   MLflow server for the runs (default: the embedded local server);
                        MLFLOW_TRACKING_USERNAME/PASSWORD/TOKEN, MLFLOW_EXPERIMENT_NAME as in Python
  CXRLAB_TRACKING=0     do not log runs to MLflow`;

async function train(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      set: { type: 'string', multiple: true, default: [] },
      resume: { type: 'string' },
      tag: { type: 'string', multiple: true, default: [] },
      register: { type: 'string' },
    },
  });
  if (values.resume && values.tag.length) throw new ConfigError('cxrlab train', ['--tag applies to a new run; a resumed run keeps its MLflow run and tags']);
  if (values.resume && values.register !== undefined) throw new ConfigError('cxrlab train', ['--register applies to a new run; a resumed run keeps its config.json']);
  const tags = parseTagFlags(values.tag);
  if (values.resume && (positionals.length || values.set.length)) {
    throw new ConfigError('cxrlab train', ['--resume <run folder> takes the run\'s own config.json; give no experiment file or --set with it']);
  }
  const resumeDir = values.resume ? resolve(values.resume) : undefined;
  const path = resumeDir ? join(resumeDir, 'config.json') : resolve(positionals[0] ?? DEFAULT_EXPERIMENT);
  const config = await loadExperiment(path, {
    // The name as given (a --set value is read as YAML: `123` would be a number).
    overrides: [...values.set, ...(values.register !== undefined ? [`tracking.registeredModel=${JSON.stringify(values.register)}`] : [])],
    ...(process.env.CXRLAB_DATA ? { dataDir: process.env.CXRLAB_DATA } : {}),
  });
  await trainConfig(config, path, { ...(resumeDir ? { resumeDir } : {}), ...(tags.length ? { tags } : {}) });
}

/** `cxrlab rerun <run-id>`: the logged config and split, downloaded from MLflow, run again. */
async function rerun(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { set: { type: 'string', multiple: true, default: [] } } });
  const runId = positionals[0];
  if (!runId || positionals.length > 1) throw new ConfigError('cxrlab rerun', ['usage: cxrlab rerun <mlflow-run-id> [--set key=value ...]']);
  const tracking = await defaultTracking((m) => console.log(`cxrlab: ${m}`));
  if (!tracking) throw new ConfigError('cxrlab rerun', ['rerun reads the run from MLflow; unset CXRLAB_TRACKING=0']);
  const run = await tracking.client.getRun(runId);
  const download = async (file: string) => JSON.parse((await tracking.client.downloadArtifact(run.info.artifact_uri, file)).toString('utf8')) as unknown;
  const source = `MLflow run ${runId} config.json`;
  const config = parseExperiment(await download('config.json'), source, {
    overrides: values.set,
    ...(process.env.CXRLAB_DATA ? { dataDir: process.env.CXRLAB_DATA } : {}),
  });
  const split = (await download('split.json')) as SplitPaths;
  await trainConfig(config, source, { tracking, rerunOf: { runId, split } });
}

async function trainConfig(config: ExperimentConfig, path: string, extra: Partial<ExperimentHooks>): Promise<void> {
  console.log(`cxrlab: ${describeBackend()}`);
  console.log(`cxrlab: fast path ${describeFastPath()}`);
  console.log(`cxrlab: experiment ${config.name} (${path}), model ${config.model.name}, ${config.train.epochs} epoch(s)`);
  const started = performance.now();
  // Ctrl-C or SIGTERM stops after the current batch and still writes the run; a second one exits at once.
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) process.exit(130);
    console.error(`\ncxrlab: ${signal}: stopping after this batch (again to quit now)`);
    abort.abort(signal === 'SIGINT' ? 'interrupted' : 'terminated');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const tracking = extra.tracking ?? (await defaultTracking((m) => console.log(`cxrlab: ${m}`)));
    const result = await runExperiment(config, {
      log: (m) => console.log(`cxrlab: ${m}`),
      callbacks: [progressBar({ stream: process.stdout })],
      signal: abort.signal,
      ...extra,
      ...(tracking ? { tracking } : {}),
    });
    for (const e of result.test ? [result.validation, result.test] : [result.validation]) for (const line of formatEvaluation(e)) console.log(`cxrlab: ${line}`);
    console.log(
      `cxrlab: not a diagnostic device${result.test?.external.length ? '' : '; no external test set: every held-out image comes from the training sources (add a source with `split: test`)'}`,
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`cxrlab: run folder ${result.runDir}`);
    if (result.mlflow) console.log(`cxrlab: MLflow run ${result.mlflow.url}`);
    console.log(
      `cxrlab: result val_accuracy=${result.valAccuracy.toFixed(4)}${result.test ? ` test_accuracy=${result.test.accuracy.toFixed(4)}` : ''} throughput=${result.imagesPerSecond.toFixed(1)} img/s total=${seconds.toFixed(1)} s`,
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function predict(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  const [modelPath, ...inputs] = positionals;
  if (!modelPath || inputs.length === 0) throw new ConfigError('cxrlab predict', ['usage: cxrlab predict <run folder | model folder | mlflow-run-id> <image | folder>... [--json]']);
  const trained = await loadTrainedModel(modelPath, { log: (m) => console.error(`cxrlab: ${m}`) });
  try {
    const results = await predictFiles(trained, await listInputs(inputs.map((i) => resolve(i))));
    if (values.json) console.log(JSON.stringify(results, null, 2));
    else {
      console.log(['file', 'class', ...CLASS_NAMES, 'ms'].join('\t'));
      for (const r of results) {
        if ('error' in r) console.error(`cxrlab: ${r.error}`);
        else console.log([r.path, r.label, ...CLASS_NAMES.map((c) => r.probabilities[c].toFixed(4)), r.latencyMs.toFixed(1)].join('\t'));
      }
    }
    const failed = results.filter((r) => 'error' in r).length;
    if (failed) console.error(`cxrlab: ${failed} of ${results.length} file(s) could not be predicted`);
    return results.length > 0 && failed === results.length ? 1 : 0;
  } finally {
    trained.model.dispose();
  }
}

async function serve(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' } },
  });
  if (positionals.length !== 1) throw new ConfigError('cxrlab serve', ['usage: cxrlab serve <run folder | model folder | mlflow-run-id> [--port 8080] [--host 127.0.0.1]']);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('cxrlab serve', [`--port must be 0-65535. Received: ${values.port}`]);
  const trained = await loadTrainedModel(positionals[0] as string, { log: (m) => console.log(`cxrlab: ${m}`) });
  const service = await servePredictions(trained, { host: values.host, port });
  console.log(`cxrlab: serving ${trained.source} at ${service.url} (POST /predict, GET /healthz, upload page at /)`);
  await new Promise<void>((done) => {
    const stop = () => void service.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  trained.model.dispose();
}

async function ui(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { stop: { type: 'boolean', default: false } } });
  if (values.stop) {
    console.log(stopEmbeddedServer(EMBEDDED_MLFLOW_DIR) ? 'cxrlab: stopped the embedded MLflow server' : 'cxrlab: no embedded MLflow server was running');
    return;
  }
  if (process.env.MLFLOW_TRACKING_URI) {
    console.log(`cxrlab: MLflow UI: ${process.env.MLFLOW_TRACKING_URI} (from MLFLOW_TRACKING_URI)`);
    return;
  }
  const server = await ensureEmbeddedServer({ stateDir: EMBEDDED_MLFLOW_DIR, venv: venvDir(), log: (m) => console.log(`cxrlab: ${m}`) });
  console.log(`cxrlab: MLflow UI: ${server.uri}${server.started ? '' : ' (already running)'}`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train':
        await train(rest);
        return 0;
      case 'data':
        await dataCommand(rest);
        return 0;
      case 'sweep':
        return await sweepCommand(rest);
      case 'sync':
        await syncCommand(rest);
        return 0;
      case 'rerun':
        await rerun(rest);
        return 0;
      case 'predict':
        return await predict(rest);
      case 'serve':
        await serve(rest);
        return 0;
      case 'ui':
        await ui(rest);
        return 0;
      case 'info':
        console.log(describeBackend());
        console.log(`fast path: ${describeFastPath()}`);
        return 0;
      case undefined:
      case '-h':
      case '--help':
        console.log(USAGE);
        return command ? 0 : 2;
      default:
        console.error(`cxrlab: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof CxrlabError) {
      console.error(`cxrlab: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
