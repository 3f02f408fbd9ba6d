// "Did the monitored metric improve?" in one place, for early stopping, ReduceLROnPlateau and
// checkpoint-best (Keras' MonitorCallback): the mode follows the metric's name unless given.
import { ConfigError } from '../../errors';
import type { EpochLogs } from './callback';

export interface MonitorOptions {
  /** Metric to watch. Defaults to `val_loss`. */
  monitor?: string;
  /** `min`, `max`, or `auto` (max for names containing `acc`, else min). Defaults to `auto`. */
  mode?: 'min' | 'max' | 'auto';
  /** Smallest change that counts as an improvement. Defaults to 0. */
  minDelta?: number;
}

export class Monitor {
  readonly metric: string;
  private readonly sign: 1 | -1;
  private readonly minDelta: number;
  best = Number.NaN;

  constructor(options: MonitorOptions = {}) {
    this.metric = options.monitor ?? 'val_loss';
    const mode = options.mode ?? 'auto';
    this.sign = mode === 'max' || (mode === 'auto' && this.metric.includes('acc')) ? 1 : -1;
    this.minDelta = Math.abs(options.minDelta ?? 0);
  }

  /** Reads the metric from an epoch's logs; a missing metric is an error naming the available ones. */
  value(logs: EpochLogs): number {
    const v = logs[this.metric];
    if (typeof v !== 'number' || Number.isNaN(v)) {
      throw new ConfigError('callbacks', [
        `\`monitor\` is '${this.metric}', which this run does not log. Available: ${Object.keys(logs).join(', ')}`,
      ]);
    }
    return v;
  }

  /** True (and remembers it) when `logs` beat the best value so far by more than minDelta. */
  improved(logs: EpochLogs): boolean {
    const v = this.value(logs);
    if (Number.isNaN(this.best) || this.sign * (v - this.best) > this.minDelta) {
      this.best = v;
      return true;
    }
    return false;
  }
}
