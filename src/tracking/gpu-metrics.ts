// GPU system metrics under MLflow's own names (system/gpu_<i>_utilization_percentage, …_memory_usage_
// megabytes / _percentage, …_power_usage_watts / _percentage), read from `nvidia-smi` where there is one.
// MLflow reads NVML through pynvml; nvidia-smi reports the same NVML figures and needs no native module.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type GpuMetrics = Record<string, number>;

export const NVIDIA_SMI_QUERY = ['--query-gpu=index,memory.used,memory.total,utilization.gpu,power.draw,power.limit', '--format=csv,noheader,nounits'];

const MIB_TO_MB = 1.048576;

/** Parses nvidia-smi's CSV rows (index, MiB used, MiB total, % busy, W drawn, W limit); `[N/A]` fields are left out. */
export function parseNvidiaSmi(csv: string): GpuMetrics {
  const metrics: GpuMetrics = {};
  for (const line of csv.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const [index, used, total, busy, watts, limit] = line.split(',').map((f) => Number(f.trim()));
    if (!Number.isInteger(index)) continue;
    const put = (name: string, value: number | undefined): void => {
      if (value !== undefined && Number.isFinite(value)) metrics[`system/gpu_${index}_${name}`] = value;
    };
    put('memory_usage_megabytes', used === undefined ? undefined : used * MIB_TO_MB);
    put('memory_usage_percentage', used !== undefined && total ? Math.round((1000 * used) / total) / 10 : undefined);
    put('utilization_percentage', busy);
    put('power_usage_watts', watts);
    put('power_usage_percentage', watts !== undefined && limit ? (100 * watts) / limit : undefined);
  }
  return metrics;
}

/** Whether `command` (a path, or a name looked up on PATH) is a file: spawning one that is not there still forks the process. */
function findable(command: string, path = process.env.PATH ?? ''): boolean {
  if (command.includes('/')) return existsSync(command);
  return path.split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/**
 * A sampler that runs nvidia-smi; where it is not found it never spawns (forking a large training
 * process blocks it for tens of ms), and after it fails once it returns {} without trying again.
 */
export function gpuSampler(command = process.env.CXRLAB_NVIDIA_SMI ?? 'nvidia-smi'): () => Promise<GpuMetrics> {
  let available = findable(command);
  return () =>
    new Promise((done) => {
      if (!available) return done({});
      execFile(command, NVIDIA_SMI_QUERY, { timeout: 5000 }, (err, stdout) => {
        if (err) {
          available = false;
          return done({});
        }
        done(parseNvidiaSmi(stdout));
      });
    });
}
