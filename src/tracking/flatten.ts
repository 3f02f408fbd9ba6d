// A nested config as MLflow params: dotted keys in a stable order, values as strings (arrays as JSON).
import type { KeyValue } from '../mlflow-client';

export function flattenParams(value: unknown, prefix = ''): KeyValue[] {
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object' || Array.isArray(value)) {
    return [{ key: prefix, value: typeof value === 'string' ? value : JSON.stringify(value) }];
  }
  return Object.keys(value as object)
    .sort()
    .flatMap((k) => flattenParams((value as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k));
}
