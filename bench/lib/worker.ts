// A long-lived benchmark worker process spoken to over stdio, one JSON line per request. Lets a bench
// run several variants (Node or Python) side by side, one step each per round, so all of them see the
// same background load on a noisy machine.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface WorkerSpec {
  /** Short label printed in the tables. */
  name: string;
  command: string;
  args: string[];
  /** Added to this process's environment, or used alone when `replaceEnv` is set. */
  env?: NodeJS.ProcessEnv;
  replaceEnv?: boolean;
}

export class BenchWorker {
  readonly name: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private stderrTail = '';

  constructor(spec: WorkerSpec) {
    this.name = spec.name;
    this.child = spawn(spec.command, spec.args, {
      env: spec.replaceEnv ? spec.env : { ...process.env, ...spec.env },
      stdio: 'pipe',
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000);
    });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  /** Waits for the next JSON line; a line that is not JSON (library chatter) is skipped. */
  async read<T>(): Promise<T> {
    for (;;) {
      const next = await this.lines.next();
      if (next.done) throw new Error(`worker ${this.name} exited early:\n${this.stderrTail}`);
      if (next.value.startsWith('{')) return JSON.parse(next.value) as T;
    }
  }

  async request<T>(command: string): Promise<T> {
    this.child.stdin.write(`${command}\n`);
    return this.read<T>();
  }

  /** Peak resident memory of the worker so far (Linux VmHWM), in MiB; NaN where it cannot be read. */
  peakRssMb(): number {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
      return kb ? Number(kb) / 1024 : Number.NaN;
    } catch {
      return Number.NaN;
    }
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}
