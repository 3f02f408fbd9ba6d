// System metrics under MLflow's own names (mlflow/system_metrics), so the UI's system-metrics view
// fills in for cxrlab runs: CPU and memory use, disk use of the run's folder, network traffic. Sampled
// every MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL seconds (default 10), step = 0, 1, 2, … per round,
// and once more when the run ends; GPU metrics from nvidia-smi where there is one (gpu-metrics.ts).
import { readFileSync, statfsSync } from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';
import { type GpuMetrics, gpuSampler } from './gpu-metrics';

export type SystemMetrics = Record<string, number>;

function cpuTimes(): { idle: number; total: number } {
  return cpus().reduce(
    (acc, c) => {
      const t = c.times;
      return { idle: acc.idle + t.idle, total: acc.total + t.user + t.nice + t.sys + t.idle + t.irq };
    },
    { idle: 0, total: 0 },
  );
}

/** Bytes received and sent by all interfaces but loopback (Linux /proc/net/dev), or null elsewhere. */
function networkBytes(): { rx: number; tx: number } | null {
  try {
    return readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .slice(2)
      .map((l) => l.trim().split(/[:\s]+/))
      .filter((f) => f[0] && f[0] !== 'lo')
      .reduce((acc, f) => ({ rx: acc.rx + Number(f[1] ?? 0), tx: acc.tx + Number(f[9] ?? 0) }), { rx: 0, tx: 0 });
  } catch {
    return null;
  }
}

const MB = 1024 * 1024;

/** Samples the machine; each call reports CPU use since the previous call. */
export function systemSampler(diskPath: string): () => SystemMetrics {
  let last = cpuTimes();
  const net0 = networkBytes();
  return () => {
    const now = cpuTimes();
    const busy = now.total - last.total - (now.idle - last.idle);
    const cpu = now.total > last.total ? (100 * busy) / (now.total - last.total) : 0;
    last = now;
    const used = totalmem() - freemem();
    const metrics: SystemMetrics = {
      'system/cpu_utilization_percentage': cpu,
      'system/system_memory_usage_megabytes': used / MB,
      'system/system_memory_usage_percentage': (100 * used) / totalmem(),
    };
    try {
      const fs = statfsSync(diskPath);
      const total = fs.blocks * fs.bsize;
      const free = fs.bavail * fs.bsize;
      Object.assign(metrics, {
        'system/disk_usage_megabytes': (total - free) / MB,
        'system/disk_available_megabytes': free / MB,
        'system/disk_usage_percentage': (100 * (total - free)) / total,
      });
    } catch {
      /* no disk figures for this path */
    }
    const net = networkBytes();
    if (net && net0) {
      Object.assign(metrics, { 'system/network_receive_megabytes': (net.rx - net0.rx) / MB, 'system/network_transmit_megabytes': (net.tx - net0.tx) / MB });
    }
    return metrics;
  };
}

/** Logs a sample every interval until stopped; `stop()` logs a last sample and waits for it. */
export function startSystemMetrics(
  log: (metrics: SystemMetrics, step: number) => Promise<void>,
  options: { diskPath: string; intervalSeconds?: number; gpu?: () => Promise<GpuMetrics> },
): { stop(): Promise<void> } {
  const sample = systemSampler(options.diskPath);
  const gpu = options.gpu ?? gpuSampler();
  const seconds = options.intervalSeconds ?? (Number(process.env.MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL) || 10);
  let step = 0;
  let chain = Promise.resolve();
  const round = () => {
    const s = step++;
    chain = chain.then(async () => log({ ...sample(), ...(await gpu()) }, s)).catch(() => {});
  };
  const timer = setInterval(round, seconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      round();
      await chain;
    },
  };
}
