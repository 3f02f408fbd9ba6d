// MLflow's key rules and size limits in one place (mlflow/utils/validation.py of 3.17.2), the checks
// the client makes before sending, and the split of one logical log-batch into requests the server
// accepts. Lengths count Unicode code points, as Python's len() does.
import type { KeyValue, Metric } from './types';

/** Metrics per `runs/log-batch` request. */
export const MAX_METRICS_PER_BATCH = 1000;
/** Params per request, and separately tags per request (the server checks each kind on its own). */
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
/** Metrics + params + tags per request. */
export const MAX_ENTITIES_PER_BATCH = 1000;
/**
 * Bytes of JSON per log-batch request (MLflow's MAX_BATCH_LOG_REQUEST_SIZE). The 3.17.2 server compares it with
 * the number of top-level keys of the parsed body, so it does not enforce it; the client keeps to it anyway.
 */
export const MAX_BATCH_LOG_REQUEST_SIZE = 1_000_000;
/** Datasets per `runs/log-inputs` request. */
export const MAX_DATASETS_PER_BATCH = 1000;
/** Characters of a metric, param or tag key. */
export const MAX_ENTITY_KEY_LENGTH = 250;
/** Characters of a param value. */
export const MAX_PARAM_VAL_LENGTH = 6000;
/** Characters of a run tag value. */
export const MAX_TAG_VAL_LENGTH = 8000;
/** Characters of an experiment name. */
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
/** Characters of a dataset name. */
export const MAX_DATASET_NAME_SIZE = 500;
/** Characters of a dataset digest. */
export const MAX_DATASET_DIGEST_SIZE = 36;
/** Characters of a dataset source. */
export const MAX_DATASET_SOURCE_SIZE = 65_535;
/** Characters of a dataset schema. */
export const MAX_DATASET_SCHEMA_SIZE = 1_048_575;
/** Characters of a dataset profile. */
export const MAX_DATASET_PROFILE_SIZE = 16_777_215;
/** Characters of a dataset input tag key. */
export const MAX_INPUT_TAG_KEY_SIZE = 255;
/** Characters of a dataset input tag value. */
export const MAX_INPUT_TAG_VALUE_SIZE = 500;

/** Length in Unicode code points (what MLflow's limits count). */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

// Python's `^[/\w.\- :]*$` with a str pattern: \w is every Unicode letter and number, and _.
const KEY_CHARS = /^[/\p{L}\p{N}_.\- :]*$/u;

const shown = (key: string) => JSON.stringify(charLength(key) > 60 ? `${[...key].slice(0, 60).join('')}…` : key);

/**
 * Why `key` is not a valid MLflow metric, param or tag key, or null when it is. The rules: at most 250
 * characters of letters, digits, `_ - . / :` and space, and unchanged by `posixpath.normpath` (not empty,
 * no leading `/` or `..`, no trailing `/`, no `//`, no `.` or `..` segment).
 */
export function keyProblem(key: string): string | null {
  if (typeof key !== 'string') return `a key must be a string, received ${typeof key}`;
  if (key.length === 0) return 'a key must not be empty';
  const length = charLength(key);
  if (length > MAX_ENTITY_KEY_LENGTH) return `key ${shown(key)} is ${length} characters long; the limit is ${MAX_ENTITY_KEY_LENGTH}`;
  if (!KEY_CHARS.test(key)) return `key ${shown(key)} may only contain letters, digits, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/)`;
  if (key.startsWith('/') || key.startsWith('..') || key.endsWith('/') || key.includes('//') || key.split('/').some((s) => s === '.' || s === '..')) {
    return `key ${shown(key)} must read as a normalised relative path: no leading / or .., no trailing /, no //, no . or .. segment`;
  }
  return null;
}

/** Cuts `value` to `limit` code points (what the Python client does with MLFLOW_TRUNCATE_LONG_VALUES=true). */
export function truncate(value: string, limit: number): string {
  if (value.length <= limit) return value;
  const points = [...value];
  return points.length <= limit ? value : points.slice(0, limit).join('');
}

/** Why a metric cannot be logged, or null. Values may be NaN or ±Infinity; timestamps and steps are integers. */
export function metricProblem(m: { key: string; value: unknown; timestamp?: unknown; step?: unknown }): string | null {
  const key = keyProblem(m.key);
  if (key) return key;
  if (typeof m.value !== 'number') return `metric ${shown(m.key)} must have a number value, received ${m.value === null ? 'null' : typeof m.value}`;
  if (m.timestamp !== undefined && !(typeof m.timestamp === 'number' && Number.isSafeInteger(m.timestamp) && m.timestamp >= 0)) {
    return `metric ${shown(m.key)} must have a timestamp in whole milliseconds ≥ 0, received ${String(m.timestamp)}`;
  }
  if (m.step !== undefined && !(typeof m.step === 'number' && Number.isSafeInteger(m.step))) {
    return `metric ${shown(m.key)} must have an integer step, received ${String(m.step)}`;
  }
  return null;
}

/** A metric value as JSON carries it: NaN and ±Infinity as the strings protobuf's JSON mapping uses. */
export function encodeMetricValue(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return value;
}

/** The inverse of encodeMetricValue, for values read back (`"NaN"` → NaN). */
export function decodeMetricValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number(value);
}

/** One logical batch of entries for a run. */
export interface Batch {
  metrics: Metric[];
  params: KeyValue[];
  tags: KeyValue[];
}

/** Options of chunkBatch. */
export interface ChunkOptions {
  /** Bytes of JSON per request. Defaults to MAX_BATCH_LOG_REQUEST_SIZE. */
  maxBytes?: number;
  /** Bytes kept free for the envelope (`run_id` and field names). Defaults to 1024. */
  reserveBytes?: number;
}

const bytesOf = (entry: unknown) => Buffer.byteLength(JSON.stringify(entry), 'utf8') + 1;

/**
 * Splits a batch into requests within every per-request limit — ≤1000 metrics, ≤100 params, ≤100 tags,
 * ≤1000 entries in all, ≤1 MB of JSON — keeping the order of each kind. Like the Python client, each request
 * takes the next (up to) 100 params and 100 tags and fills the rest with metrics. An empty batch gives no
 * request.
 */
export function chunkBatch(batch: Batch, options: ChunkOptions = {}): Batch[] {
  const budget = (options.maxBytes ?? MAX_BATCH_LOG_REQUEST_SIZE) - (options.reserveBytes ?? 1024);
  const sizes = {
    params: batch.params.map(bytesOf),
    tags: batch.tags.map(bytesOf),
    metrics: batch.metrics.map((m) => bytesOf({ ...m, value: encodeMetricValue(m.value) })),
  };
  const next = { params: 0, tags: 0, metrics: 0 };
  const out: Batch[] = [];
  while (next.params < batch.params.length || next.tags < batch.tags.length || next.metrics < batch.metrics.length) {
    const chunk: Batch = { metrics: [], params: [], tags: [] };
    let bytes = 0;
    let count = 0;
    const take = <K extends keyof Batch>(kind: K, kindLimit: number) => {
      const items = batch[kind] as Batch[K][number][];
      while (next[kind] < items.length && chunk[kind].length < kindLimit && count < MAX_ENTITIES_PER_BATCH) {
        const size = sizes[kind][next[kind]] as number;
        if (count > 0 && bytes + size > budget) return;
        (chunk[kind] as Batch[K][number][]).push(items[next[kind]] as Batch[K][number]);
        next[kind]++;
        bytes += size;
        count++;
      }
    };
    take('params', MAX_PARAMS_TAGS_PER_BATCH);
    take('tags', MAX_PARAMS_TAGS_PER_BATCH);
    take('metrics', MAX_METRICS_PER_BATCH);
    out.push(chunk);
  }
  return out;
}
