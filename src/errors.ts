// The project's error kinds. Misuse and config problems are ConfigError (every issue listed at once);
// problems with a file of the user's are DataError (the path is part of the message).
export class CxrlabError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An experiment config or option that fails validation; `issues` lists every problem found. */
export class ConfigError extends CxrlabError {
  readonly issues: readonly string[];
  constructor(source: string, issues: readonly string[]) {
    super(`${source} is invalid:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.issues = issues;
  }
}

/** A dataset file or folder that cannot be used; `path` names it. */
export class DataError extends CxrlabError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
    this.path = path;
  }
}
