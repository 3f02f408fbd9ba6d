// A real JupyterLab server for browser tests, started the way `npm run lab` starts it (scripts/lab.mjs:
// the venv's jupyter on notebooks/), plus a free loopback port, a random token, autosave off (a test
// must never rewrite the committed notebooks), and the environment the kernels get.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { freePort } from '../../src/util/net';
import { ROOT, VENV_BIN, tempDir } from './project';

export interface JupyterServer {
  url: string;
  token: string;
  stop(): Promise<void>;
}

export async function startJupyterLab(env: NodeJS.ProcessEnv = {}): Promise<JupyterServer> {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const settings = tempDir('jlab-settings');
  const docmanager = join(settings, '@jupyterlab', 'docmanager-extension');
  mkdirSync(docmanager, { recursive: true });
  writeFileSync(join(docmanager, 'plugin.jupyterlab-settings'), JSON.stringify({ autosave: false }));
  const notifications = join(settings, '@jupyterlab', 'apputils-extension');
  mkdirSync(notifications, { recursive: true });
  writeFileSync(join(notifications, 'notification.jupyterlab-settings'), JSON.stringify({ fetchNews: 'false', checkForUpdates: false }));
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'scripts', 'lab.mjs'), '--no-browser', `--port=${port}`, '--ServerApp.ip=127.0.0.1', `--IdentityProvider.token=${token}`],
    {
      env: {
        ...process.env,
        ...env,
        JUPYTERLAB_SETTINGS_DIR: settings,
        JUPYTER_RUNTIME_DIR: tempDir('jlab-runtime'),
        PATH: [VENV_BIN, dirname(process.execPath), process.env.PATH].join(delimiter),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr?.on('data', (c: Buffer) => void (log = (log + c.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`${url}/api/status?token=${token}`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill();
      throw new Error(`JupyterLab did not start on ${url}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    token,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
