// Keeps credentials out of everything the client writes: error messages, log lines, and the params and
// tags it sends. A credential is replaced by `***` in each of the forms it can travel in.

/** The marker that replaces a credential. */
export const REDACTED = '***';

/** Returns the text with every credential replaced by `***`. */
export type Redact = (text: string) => string;

/**
 * A function that replaces every occurrence of the password, the token, their URL-encoded forms and the
 * basic-auth header value by `***`. Empty credentials are ignored; a very short one is replaced wherever its text
 * occurs, which can mangle unrelated text but never lets it through.
 */
export function createRedactor(credentials: { username?: string | undefined; password?: string | undefined; token?: string | undefined }): Redact {
  const raw = [credentials.password, credentials.token].filter((s): s is string => typeof s === 'string' && s.length > 0);
  const forms = new Set<string>();
  for (const s of raw) {
    forms.add(s);
    forms.add(encodeURIComponent(s));
  }
  if (credentials.password) forms.add(Buffer.from(`${credentials.username ?? ''}:${credentials.password}`).toString('base64'));
  // Longest first, so a secret that contains another is replaced whole.
  const secrets = [...forms].sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join(REDACTED);
    return out;
  };
}
