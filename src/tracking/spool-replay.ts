// Replaying a tracking journal in order: pending operations in groups (consecutive metrics together),
// each group marked done once delivered; a transient failure (server away) stops the replay with the
// rest pending, a final one (4xx) marks the group failed — split to find the one refused record.
import { isMlflowError } from '../mlflow-client';
import { errorMessage, type Spool, type SpoolRecord } from './spool';

/**
 * Whether a failed delivery is worth trying again later: the server could not be reached (after the
 * client's own retries), answered 5xx (not 501/505), 408 or 429. Any other answer is final.
 */
export function isTransientError(err: unknown): boolean {
  if (!isMlflowError(err)) return false;
  if (err.kind === 'connection') return true;
  const status = err.status ?? 0;
  return err.kind === 'response' && ((status >= 500 && status !== 501 && status !== 505) || status === 408 || status === 429);
}

/** Sends a group of operations: several `metrics` operations in a row, or one of any other kind. */
export type Deliver = (records: SpoolRecord[], spool: Spool) => Promise<void>;

/** Options of replaySpool. */
export interface ReplayOptions {
  /** Called for each operation the server refused (it is marked failed and not retried). */
  onFailed?: (record: SpoolRecord, error: unknown) => void;
  /** Metric points sent in one group. Defaults to 5000. */
  maxMetricsPerGroup?: number;
}

/** What one replay did. */
export interface ReplayResult {
  delivered: SpoolRecord[];
  failed: { record: SpoolRecord; error: unknown }[];
  /** Why the replay stopped early (the server is away, or the run could not be created), or null. */
  interruption: unknown;
}

function nextGroup(pending: SpoolRecord[], alone: ReadonlySet<number>, maxMetrics: number): SpoolRecord[] {
  const first = pending[0];
  if (!first) return [];
  if (first.op.op !== 'metrics' || alone.has(first.id)) return [first];
  const group: SpoolRecord[] = [];
  let points = 0;
  for (const r of pending) {
    if (r.op.op !== 'metrics' || alone.has(r.id) || (group.length && points + r.op.metrics.length > maxMetrics)) break;
    group.push(r);
    points += r.op.metrics.length;
  }
  return group;
}

/**
 * Delivers the pending operations in order, marking each done. It stops at the first transient failure
 * (the rest stay pending) and at a run that cannot be created; an operation the server refuses otherwise
 * is marked failed, reported through onFailed, and the replay goes on.
 */
export async function replaySpool(spool: Spool, deliver: Deliver, options: ReplayOptions = {}): Promise<ReplayResult> {
  const result: ReplayResult = { delivered: [], failed: [], interruption: null };
  const alone = new Set<number>();
  for (;;) {
    const group = nextGroup(spool.pending(), alone, options.maxMetricsPerGroup ?? 5000);
    if (!group.length) return result;
    const ids = group.map((r) => r.id);
    try {
      await deliver(group, spool);
    } catch (err) {
      // Part of it may have reached the server (a lost answer, the first requests of a split batch).
      spool.markMaybeDelivered(ids);
      const first = group[0] as SpoolRecord;
      if (isTransientError(err) || first.op.op === 'create-run') {
        result.interruption = err;
        return result;
      }
      if (group.length > 1) {
        // One of the group was refused: send them one by one to find it.
        for (const id of ids) alone.add(id);
        continue;
      }
      spool.markFailed(first.id, errorMessage(err));
      result.failed.push({ record: first, error: err });
      options.onFailed?.(first, err);
      continue;
    }
    spool.markDone(ids);
    result.delivered.push(...group);
  }
}
