// `--tag key=value` (repeatable): extra MLflow tags for the new run of `cxrlab train`, e.g. the
// `mlflow.parentRunId` and `cxrlab.trial` a sweep gives its worker processes. Every problem is listed.
import { ConfigError } from '../errors';
import { type KeyValue, keyProblem } from '../mlflow-client';

export function parseTagFlags(items: readonly string[]): KeyValue[] {
  const problems: string[] = [];
  const tags = new Map<string, string>();
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      problems.push(`--tag expects key=value, e.g. --tag team=radiology. Received: ${item}`);
      continue;
    }
    const key = item.slice(0, eq);
    const problem = keyProblem(key);
    if (problem) problems.push(`--tag ${item}: ${problem}`);
    else if (tags.has(key)) problems.push(`--tag ${item}: the tag ${key} is given twice`);
    else tags.set(key, item.slice(eq + 1));
  }
  if (problems.length) throw new ConfigError('--tag', problems);
  return [...tags].map(([key, value]) => ({ key, value }));
}
