// A small RFC 4180 CSV reader: quoted fields, commas and newlines inside quotes, "" escapes, CRLF or LF,
// a UTF-8 BOM. Rows become records keyed by the header, each with its line number for error messages.
import { DataError } from '../errors';

export interface CsvRecord {
  /** 1-based line on which the record starts (the header is line 1). */
  line: number;
  values: Readonly<Record<string, string>>;
}

export interface CsvTable {
  header: string[];
  records: CsvRecord[];
}

/** Splits CSV text into rows of fields, with each row's starting line. `name` labels errors. */
export function parseCsvRows(text: string, name: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 0;
  let wasQuoted = false;
  // A blank line is no record; a line holding one empty quoted field ("") is.
  const finishRow = (): void => {
    if (wasQuoted || field !== '' || fields.length > 0) {
      fields.push(field);
      rows.push({ line: rowLine, fields });
    }
    fields = [];
    field = '';
    wasQuoted = false;
  };
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"') {
      if (field !== '' || wasQuoted) throw new DataError(name, `line ${line}: a quote inside an unquoted field (quote the whole field and double the quote: "a ""b""")`);
      quoted = true;
      wasQuoted = true;
      quoteLine = line;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      wasQuoted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      finishRow();
      line++;
      rowLine = line;
    } else {
      if (wasQuoted) throw new DataError(name, `line ${line}: text after a closing quote (expected , or the end of the line)`);
      field += ch;
    }
  }
  if (quoted) throw new DataError(name, `line ${quoteLine}: a quoted field is never closed`);
  finishRow();
  return rows;
}

/** Parses CSV text with a header row into records; every row must have the header's number of fields. */
export function parseCsv(text: string, name: string): CsvTable {
  const rows = parseCsvRows(text, name);
  const head = rows[0];
  if (!head) throw new DataError(name, 'the CSV is empty (expected a header row)');
  const header = head.fields.map((h) => h.trim());
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new DataError(name, `the header names column '${h}' twice`);
    seen.add(h);
  }
  const ragged = rows.slice(1).filter((r) => r.fields.length !== header.length);
  if (ragged.length > 0) {
    throw new DataError(
      name,
      `expected ${header.length} fields per row (as in the header), received ${ragged
        .slice(0, 10)
        .map((r) => `${r.fields.length} on line ${r.line}`)
        .join(', ')}${ragged.length > 10 ? ` and ${ragged.length - 10} more rows` : ''}`,
    );
  }
  return {
    header,
    records: rows.slice(1).map((r) => ({ line: r.line, values: Object.fromEntries(header.map((h, k) => [h, r.fields[k] as string])) })),
  };
}

/** The header's column for `wanted`, or an error naming the option, the file and the columns it has. */
export function requireColumn(table: CsvTable, wanted: string, option: string, name: string): string {
  if (table.header.includes(wanted)) return wanted;
  throw new DataError(name, `has no column '${wanted}' (${option}). Its columns: ${table.header.join(', ')}`);
}
