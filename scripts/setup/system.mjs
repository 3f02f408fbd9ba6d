// Step "system": Debian packages the test suite needs beyond Node and Python — Chromium for the
// browser tests. Installed with apt-get when missing and this user may (root); otherwise the step
// says what to install. CXRLAB_CHROMIUM points at another Chromium; CXRLAB_SKIP_APT=1 skips apt.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { log, run } from './util.mjs';

const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

export function ensureSystemPackages() {
  const chromium = process.env.CXRLAB_CHROMIUM;
  if (chromium ? existsSync(chromium) : onPath('chromium')) {
    log('system: chromium is installed');
    return;
  }
  const canApt = process.getuid?.() === 0 && onPath('apt-get') && process.env.CXRLAB_SKIP_APT !== '1';
  if (!canApt) {
    log('system: chromium is missing; the browser tests need it (Debian: sudo apt-get install chromium, or set CXRLAB_CHROMIUM)');
    return;
  }
  log('system: installing chromium with apt-get (for the browser tests; about a minute)');
  const remedy = 'install it by hand (apt-get install chromium) or set CXRLAB_CHROMIUM to a Chromium binary';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('system', 'apt-get', ['update', '-qq'], { capture: true, remedy, env });
  run('system', 'apt-get', ['install', '-y', '-qq', 'chromium'], { capture: true, remedy, env });
}
