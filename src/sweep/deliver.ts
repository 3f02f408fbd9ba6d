// Before a trial is settled, the records its run could not deliver while the server was slow or away —
// journaled in the trial's run folder (tracking/spool.ts) — are delivered by the sweep, as `cxrlab sync`
// does: a run that finished (or whose creation was still journaled) then reads as it ended.
import { existsSync } from 'node:fs';
import { runFoldersWithJournals, syncRunFolder } from '../cli/sync';
import { errorMessage } from './executor';

export interface DeliverOptions {
  /** The trial's folder (<sweep folder>/<trial name>), holding its run folder. */
  trialDir: string;
  /** Where the records go: MLFLOW_TRACKING_URI (the sweep's server) and its credentials. */
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/** Delivers every journal under the trial's folder; what stays undelivered is reported, never thrown. */
export async function deliverJournals(options: DeliverOptions): Promise<void> {
  if (!existsSync(options.trialDir)) return;
  try {
    for (const runDir of await runFoldersWithJournals(options.trialDir)) {
      options.log(`delivering the records its run journaled in ${runDir}`);
      const reports = await syncRunFolder({ runDir, env: options.env, log: options.log });
      for (const r of reports) if (r.pending || r.problem) options.log(`${r.pending} record(s) still undelivered${r.problem ? `: ${r.problem}` : ''} (\`cxrlab sync ${runDir}\`)`);
    }
  } catch (err) {
    options.log(`cannot deliver the journaled records: ${errorMessage(err)}`);
  }
}
