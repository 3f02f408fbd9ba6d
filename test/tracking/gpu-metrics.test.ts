import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gpuSampler, NVIDIA_SMI_QUERY, parseNvidiaSmi } from '../../src/tracking/gpu-metrics';
import { startSystemMetrics } from '../../src/tracking/system-metrics';
import { tempDir } from '../helpers/project';

// Two GPUs as nvidia-smi prints them with --format=csv,noheader,nounits; the second cannot report power.
const SAMPLE = '0, 40536, 143771, 87, 412.25, 700.00\n1, 0, 81559, 0, [N/A], [N/A]\n';

test("nvidia-smi's figures become MLflow's GPU metric names; [N/A] fields are left out", () => {
  const m = parseNvidiaSmi(SAMPLE);
  assert.equal(m['system/gpu_0_utilization_percentage'], 87);
  assert.ok(Math.abs((m['system/gpu_0_memory_usage_megabytes'] as number) - 40536 * 1.048576) < 1e-9);
  assert.equal(m['system/gpu_0_memory_usage_percentage'], 28.2);
  assert.equal(m['system/gpu_0_power_usage_watts'], 412.25);
  assert.ok(Math.abs((m['system/gpu_0_power_usage_percentage'] as number) - 58.89) < 0.01);
  assert.equal(m['system/gpu_1_memory_usage_percentage'], 0);
  assert.equal('system/gpu_1_power_usage_watts' in m, false);
  assert.deepEqual(parseNvidiaSmi(''), {});
});

test('the sampler runs nvidia-smi with the query, and after one failure stops trying', async () => {
  const dir = tempDir('gpu');
  const calls = join(dir, 'calls');
  const fake = join(dir, 'nvidia-smi');
  writeFileSync(fake, `#!/bin/sh\necho "$@" >> ${calls}\nprintf '${SAMPLE.replace(/\n/g, '\\n')}'\n`);
  chmodSync(fake, 0o755);
  const sample = gpuSampler(fake);
  assert.equal((await sample())['system/gpu_0_utilization_percentage'], 87);
  const { readFileSync } = await import('node:fs');
  assert.equal(readFileSync(calls, 'utf8').trim(), NVIDIA_SMI_QUERY.join(' '));
  const missing = gpuSampler(join(dir, 'no-such-nvidia-smi'));
  assert.deepEqual(await missing(), {});
  assert.deepEqual(await missing(), {});
});

test('system metrics carry the GPU figures beside the CPU ones', async () => {
  const logged: Record<string, number>[] = [];
  const run = startSystemMetrics(async (m) => void logged.push(m), { diskPath: tempDir('gpu-disk'), intervalSeconds: 3600, gpu: async () => parseNvidiaSmi(SAMPLE) });
  await run.stop();
  assert.equal(logged.length, 1);
  assert.ok('system/cpu_utilization_percentage' in (logged[0] as object));
  assert.equal(logged[0]?.['system/gpu_0_utilization_percentage'], 87);
});
