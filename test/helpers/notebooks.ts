// Running a notebook headlessly for the tests and reading what it showed: run_notebook.py (nbclient on
// the tslab kernel) with a failing assertion on any cell error, the printed text, the PNGs displayed,
// and the danfojs tables printed with `.print()`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { OUTPUT_DIR, ROOT, VENV_BIN, runCommand } from './project';

export interface Output {
  output_type: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  data?: Record<string, unknown>;
}

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** Executes `notebooks/<name>`, fails on any cell error, returns every cell's outputs in order; the
 * executed copy is kept in test-output/notebooks/. */
export function execute(name: string, env?: NodeJS.ProcessEnv): Output[] {
  const out = join(OUTPUT_DIR, 'notebooks', name);
  const res = runCommand(join(VENV_BIN, 'python'), [join(ROOT, 'test', 'helpers', 'run_notebook.py'), join(ROOT, 'notebooks', name), out], env ? { env } : {});
  assert.equal(res.status, 0, `${name} failed:\n${res.stderr.slice(-3000)}`);
  const nb = JSON.parse(readFileSync(out, 'utf8')) as { cells: { outputs?: Output[] }[] };
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  assert.deepEqual(outputs.filter((o) => o.output_type === 'error').map((o) => `${o.ename}: ${o.evalue}`), [], 'no cell raised');
  return outputs;
}

/** Everything the cells printed, in order. */
export function textOf(outputs: readonly Output[]): string {
  return outputs.map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? ''))).join('');
}

/** The PNG images the cells displayed (image/png arrives base64-encoded), each checked to decode, with their sizes. */
export async function pngsOf(outputs: readonly Output[]): Promise<{ width: number; height: number }[]> {
  const pngs = outputs.flatMap((o) => (typeof o.data?.['image/png'] === 'string' ? [Buffer.from(o.data['image/png'], 'base64')] : []));
  return Promise.all(
    pngs.map(async (png) => {
      const meta = await sharp(png).metadata();
      assert.equal(meta.format, 'png');
      return { width: meta.width as number, height: meta.height as number };
    }),
  );
}

/** The data rows of the danfojs tables printed with `.print()` whose header holds every one of `columns`. */
export function printedTables(text: string, columns: readonly string[]): Record<string, string>[][] {
  const tables: Record<string, string>[][] = [];
  let header: string[] | null = null;
  let rows: Record<string, string>[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('╚')) {
      if (header?.length) tables.push(rows);
      header = null;
      continue;
    }
    if (!line.startsWith('║')) continue;
    const values = line.split(/[║│]/).slice(1, -1).map((c) => c.trim());
    if (header === null) {
      header = columns.every((c) => values.includes(c)) ? values : [];
      rows = [];
    } else if (header.length) rows.push(Object.fromEntries(header.map((h, k) => [h, values[k] ?? ''])));
  }
  return tables.filter((t) => t.length > 0);
}
