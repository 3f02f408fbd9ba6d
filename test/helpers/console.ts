// What a piece of code prints with console.log, for tests of commands that report on the console.

/** Runs `work` with console.log captured; returns the printed lines joined by newlines. */
export async function captureLog(work: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    await work();
  } finally {
    console.log = original;
  }
  return lines.join('\n');
}
