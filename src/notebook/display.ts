// Rich output in the tslab kernel: plotly figures as a multi-MIME bundle (the plotly JSON as an object,
// which JupyterLab's plotly renderer needs, plus a text fallback), PNG images, Markdown, live-updating displays, and a
// training callback that redraws the curves after every epoch. The only module that talks to tslab.
import { randomBytes } from 'node:crypto';
import type { Figure } from '../plots/figure';
import { trainingCurves } from '../plots/curves';
import type { EpochLogs, TrainingCallback } from '../train/callbacks/callback';

type WriteDisplayData = (data: { data: Record<string, unknown>; metadata: object; transient: { display_id?: string } }, update: boolean) => void;

const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** tslab's display writer for the running cell, or null outside a tslab kernel. */
function writer(): WriteDisplayData | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('tslab/dist/jupyter') as { lastWriteDisplayData: WriteDisplayData | null }).lastWriteDisplayData;
  } catch {
    return null;
  }
}

export interface LiveDisplay {
  /** Replaces the output of this display with `figure`. */
  update(figure: Figure): void;
}

/** A display that later calls replace in place; outside a tslab kernel it does nothing. */
export function liveDisplay(): LiveDisplay {
  const id = randomBytes(8).toString('hex');
  let shown = false;
  return {
    update(figure) {
      const write = writer();
      if (!write) return;
      const title = (figure.layout.title as { text?: string } | undefined)?.text ?? 'figure';
      const text = `<plotly figure: ${title}>`;
      // JupyterLab hands an update to the existing renderer, and the plotly renderer ignores updates once
      // it has drawn; a text-only update in between makes JupyterLab build a fresh plotly renderer.
      if (shown) write({ data: { 'text/plain': text }, metadata: {}, transient: { display_id: id } }, true);
      write({ data: { [PLOTLY_MIME]: figure, 'text/plain': text }, metadata: {}, transient: { display_id: id } }, shown);
      shown = true;
    },
  };
}

/** Shows a plotly figure in the current cell. */
export function showFigure(figure: Figure): void {
  if (!writer()) throw new Error('showFigure needs the tslab kernel (a notebook cell)');
  liveDisplay().update(figure);
}

/** Shows a PNG (e.g. from imageGridPng or overlayPng) in the current cell. */
export function showPng(png: Uint8Array, alt = 'image'): void {
  const write = writer();
  if (!write) throw new Error('showPng needs the tslab kernel (a notebook cell)');
  write({ data: { 'image/png': Buffer.from(png).toString('base64'), 'text/plain': `<${alt}>` }, metadata: {}, transient: {} }, false);
}

/** Shows Markdown (e.g. a run's model card) rendered in the current cell. */
export function showMarkdown(markdown: string): void {
  const write = writer();
  if (!write) throw new Error('showMarkdown needs the tslab kernel (a notebook cell)');
  write({ data: { 'text/markdown': markdown, 'text/plain': markdown }, metadata: {}, transient: {} }, false);
}

/** A training callback that redraws loss and accuracy curves in place after each epoch. */
export function liveCurves(title?: string): TrainingCallback {
  const display = liveDisplay();
  const history: EpochLogs[] = [];
  return {
    onResume(previous) {
      history.push(...previous);
    },
    onEpochEnd(_epoch, logs) {
      history.push(logs);
      display.update(trainingCurves(history, title));
    },
  };
}

/** The signals handed out since the last interrupt; one SIGINT listener serves them all. */
const awaitingInterrupt = new Set<AbortController>();

function onInterrupt(): void {
  process.off('SIGINT', onInterrupt);
  const controllers = [...awaitingInterrupt];
  awaitingInterrupt.clear();
  for (const controller of controllers) controller.abort('kernel interrupted');
}

/**
 * An AbortSignal that fires on the kernel's next interrupt (SIGINT), for `runExperiment(…, { signal })`:
 * tslab only stops waiting for an interrupted cell (its run goes on in the background), so training must
 * stop itself. Every signal handed out before an interrupt fires on it; the one listener behind them is
 * removed then (re-running a cell does not pile up SIGINT listeners). Node runs the listener only when
 * its event loop turns, so the training loop must yield to it between batches.
 */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  if (awaitingInterrupt.size === 0) process.on('SIGINT', onInterrupt);
  awaitingInterrupt.add(controller);
  return controller.signal;
}

/**
 * `key=value` overrides from the CXRLAB_SET variable (separated by `;`), so a runner such as the test
 * harness can shrink a notebook's run without editing it. Empty when unset.
 */
export function overridesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.CXRLAB_SET ?? '').split(';').map((s) => s.trim()).filter(Boolean);
}
