// The worker side of the bench protocol (see worker.ts): announce readiness with some facts, then time
// one step per `step` line and answer {"ms", "loss"}. Imports nothing of cxrlab, so a worker that
// measures stock tfjs-node can use it without cxrlab's environment defaults.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface WorkerArgs {
  dataDir: string;
  batch: number;
  size: number;
  /** A zoo model name, e.g. `seed-004`. */
  model: string;
}

export function workerArgs(): WorkerArgs {
  const [dataDir, batch, size, model] = process.argv.slice(2);
  if (!dataDir || !batch || !size || !model) throw new Error('usage: <worker> <data-dir> <batch> <size> <model>');
  return { dataDir, batch: Number(batch), size: Number(size), model };
}

/** The bench's random batch: `x` [batch, size, size, 3] and one-hot `y` [batch, 3], as float32. */
export function readBatch({ dataDir, batch, size }: WorkerArgs): { x: Float32Array; y: Float32Array } {
  const floats = (file: string) => new Float32Array(readFileSync(join(dataDir, file)).buffer.slice(0));
  return { x: floats('x.f32').subarray(0, batch * size * size * 3), y: floats('y.f32').subarray(0, batch * 3) };
}

export async function serveSteps(ready: object, step: () => Promise<number>): Promise<void> {
  console.log(JSON.stringify({ ready: true, ...ready }));
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() !== 'step') break;
    const t0 = performance.now();
    const loss = await step();
    console.log(JSON.stringify({ ms: performance.now() - t0, loss }));
  }
  process.exit(0);
}
