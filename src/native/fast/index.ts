// cxrlab's fast training path: native TensorFlow kernels in place of tfjs' generic gradient ops.
// Each replacement proves itself on tiny tensors first and keeps the stock route when it fails.
// CXRLAB_FAST_PATH=0 turns the whole path off (for comparisons and debugging); CXRLAB_FAST_OFF=<names>
// (comma-separated, e.g. batch-norm) turns single ops off.
import { tf } from '../tf';
import { adamUpdateOp } from './adam-update';
import { batchNormOp } from './batch-norm';
import { convBiasOp } from './conv-bias';
import type { FastOp } from './fast-op';
import { meanGradOp } from './mean-grad';
import { mklMaxPoolOp } from './mkl-max-pool';
import { reluGradOp } from './relu-grad';

export interface FastOpStatus {
  name: string;
  /** `on`: installed; `fallback`: its self-test failed and the stock route stays; `off`: disabled. */
  status: 'on' | 'fallback' | 'off';
  reason?: string;
}

const FAST_OPS: readonly FastOp[] = [reluGradOp, mklMaxPoolOp, convBiasOp, batchNormOp, meanGradOp, adamUpdateOp];
let report: FastOpStatus[] | null = null;
let uninstallers: (() => void)[] = [];

/** Installs every fast op whose self-test passes; idempotent. Returns what is on. */
export function enableFastPath(): readonly FastOpStatus[] {
  if (report) return report;
  if (process.env.CXRLAB_FAST_PATH === '0' || tf.getBackend() !== 'tensorflow') {
    const reason = process.env.CXRLAB_FAST_PATH === '0' ? 'CXRLAB_FAST_PATH=0' : `backend is ${tf.getBackend()}`;
    report = FAST_OPS.map((op) => ({ name: op.name, status: 'off', reason }));
    return report;
  }
  const off = new Set((process.env.CXRLAB_FAST_OFF ?? '').split(',').map((n) => n.trim()).filter(Boolean));
  report = FAST_OPS.map((op): FastOpStatus => {
    if (off.has(op.name)) return { name: op.name, status: 'off', reason: 'CXRLAB_FAST_OFF' };
    let failure: string | null;
    try {
      failure = op.selfTest();
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    if (failure) return { name: op.name, status: 'fallback', reason: failure };
    uninstallers.push(op.install());
    return { name: op.name, status: 'on' };
  });
  return report;
}

/** Puts every stock op back (the next enableFastPath() installs them again). */
export function disableFastPath(): void {
  for (const undo of uninstallers.reverse()) undo();
  uninstallers = [];
  report = null;
}

export function describeFastPath(statuses: readonly FastOpStatus[] = enableFastPath()): string {
  return statuses.map((s) => `${s.name}=${s.status}${s.reason && s.status === 'fallback' ? ` (${s.reason})` : ''}`).join(' ');
}
