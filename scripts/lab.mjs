// `npm run lab`: JupyterLab from the project's venv, opened on notebooks/ with the TypeScript (tslab)
// kernel. Extra arguments go to `jupyter lab`, e.g. `npm run lab -- --no-browser --port 8890`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { ROOT, VENV } from './setup/util.mjs';

const jupyter = join(VENV, 'bin', 'jupyter');
if (!existsSync(jupyter)) {
  console.error(`cxrlab lab: ${jupyter} is missing; run \`npm ci\` (or \`npm run setup\`) first`);
  process.exit(1);
}
const PATH = [join(VENV, 'bin'), join(ROOT, 'node_modules', '.bin'), dirname(process.execPath), process.env.PATH].join(delimiter);
// Jupyter refuses to run as root (containers, CI) unless told so.
const asRoot = process.getuid?.() === 0 ? ['--allow-root'] : [];
const child = spawn(jupyter, ['lab', `--notebook-dir=${join(ROOT, 'notebooks')}`, ...asRoot, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, PATH },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
