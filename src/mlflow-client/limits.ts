// MLflow's limits and key rules (mlflow/utils/validation.py, 3.x) in one place, and the chunking of
// one logical log-batch into requests the server accepts.
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_ENTITIES_PER_BATCH = 1000;
export const MAX_ENTITY_KEY_LENGTH = 250;
export const MAX_PARAM_VAL_LENGTH = 6000;
export const MAX_TAG_VAL_LENGTH = 8000;

export interface Metric {
  key: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface Batch {
  metrics: Metric[];
  params: KeyValue[];
  tags: KeyValue[];
}

const KEY = /^[/\w.\- :]*$/;

/** Why `key` is not a valid MLflow key, or null when it is. */
export function keyProblem(key: string): string | null {
  if (key.length === 0) return 'a key must not be empty';
  if (key.length > MAX_ENTITY_KEY_LENGTH) return `key '${key.slice(0, 40)}…' is ${key.length} characters; the limit is ${MAX_ENTITY_KEY_LENGTH}`;
  if (!KEY.test(key)) return `key '${key}' may contain only letters, digits, _ - . / space and :`;
  if (key.startsWith('/') || key.includes('//') || key.split('/').some((p) => p === '..' || p === '.')) {
    return `key '${key}' must be a normalised relative path (no leading /, no //, no . or .. parts)`;
  }
  return null;
}

/** Long values are cut to the server's limit (as the Python client does), marked with '...'. */
export function truncate(value: string, limit: number): string {
  return value.length <= limit ? value : `${value.slice(0, limit - 3)}...`;
}

/** Splits a batch into requests within every per-request limit; order is kept. */
export function chunkBatch(batch: Batch): Batch[] {
  const out: Batch[] = [];
  let current: Batch = { metrics: [], params: [], tags: [] };
  const full = () =>
    current.metrics.length + current.params.length + current.tags.length >= MAX_ENTITIES_PER_BATCH;
  const flush = () => {
    if (current.metrics.length + current.params.length + current.tags.length) out.push(current);
    current = { metrics: [], params: [], tags: [] };
  };
  for (const p of batch.params) {
    if (current.params.length >= MAX_PARAMS_TAGS_PER_BATCH || full()) flush();
    current.params.push(p);
  }
  for (const t of batch.tags) {
    if (current.tags.length >= MAX_PARAMS_TAGS_PER_BATCH || full()) flush();
    current.tags.push(t);
  }
  for (const m of batch.metrics) {
    if (current.metrics.length >= MAX_METRICS_PER_BATCH || full()) flush();
    current.metrics.push(m);
  }
  flush();
  return out;
}
