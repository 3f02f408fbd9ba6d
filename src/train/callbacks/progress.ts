// A terminal progress bar per epoch: batches done, ETA, running loss and accuracy. Redraws one line
// on a TTY; writes one summary line per epoch otherwise (CI logs stay readable).
import type { BatchLogs, EpochLogs, TrainingCallback, TrainingContext } from './callback';

export interface ProgressOptions {
  /** Where to write. Defaults to process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Bar width in characters. Defaults to 24. */
  width?: number;
}

const fmt = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(4));

export function progressBar(options: ProgressOptions = {}): TrainingCallback {
  const stream = options.stream ?? process.stderr;
  const width = options.width ?? 24;
  let started = 0;
  let seen = 0;
  let lossSum = 0;
  let accSum = 0;
  return {
    onEpochBegin() {
      started = performance.now();
      seen = lossSum = accSum = 0;
    },
    onBatchEnd(epoch: number, logs: BatchLogs, ctx: TrainingContext) {
      if (!stream.isTTY) return;
      seen += logs.size;
      lossSum += logs.loss * logs.size;
      accSum += logs.accuracy * logs.size;
      const done = logs.batch + 1;
      const filled = Math.round((width * done) / ctx.batchesPerEpoch);
      const elapsed = (performance.now() - started) / 1000;
      const eta = (elapsed / done) * (ctx.batchesPerEpoch - done);
      stream.write(
        `\repoch ${epoch + 1}/${ctx.epochs} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${ctx.batchesPerEpoch} ` +
          `ETA ${eta.toFixed(0)}s loss ${fmt(lossSum / seen)} accuracy ${fmt(accSum / seen)}`,
      );
    },
    onEpochEnd(epoch: number, logs: EpochLogs, ctx: TrainingContext) {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      stream.write(
        `${stream.isTTY ? '\r\x1b[K' : ''}epoch ${epoch + 1}/${ctx.epochs} ${seconds}s loss ${fmt(logs.loss)} accuracy ${fmt(logs.accuracy)} ` +
          `val_loss ${fmt(logs.val_loss)} val_accuracy ${fmt(logs.val_accuracy)} lr ${logs.lr.toExponential(2)} (${logs.images_per_second.toFixed(1)} img/s${logs.input_wait_fraction !== undefined && logs.input_wait_fraction >= 0.05 ? `, ${(100 * logs.input_wait_fraction).toFixed(0)} % waiting for data` : ''})\n`,
      );
    },
  };
}
