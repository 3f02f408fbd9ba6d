import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataError } from '../../src/errors';
import { parseCsv, parseCsvRows } from '../../src/data/csv';

test('quoted fields keep commas, doubled quotes and newlines; CRLF and a BOM are read', () => {
  const text = '\uFEFFfile,finding,note\r\n"a,b.png","COVID-19, ARDS","say ""hi"""\r\nc.png,No Finding,"two\r\nlines"\r\n\r\nd.png,,\r\n';
  const table = parseCsv(text, 'm.csv');
  assert.deepEqual(table.header, ['file', 'finding', 'note']);
  assert.deepEqual(
    table.records.map((r) => [r.line, r.values.file, r.values.finding, r.values.note]),
    [
      [2, 'a,b.png', 'COVID-19, ARDS', 'say "hi"'],
      [3, 'c.png', 'No Finding', 'two\r\nlines'],
      [6, 'd.png', '', ''],
    ],
  );
});

test('LF, no final newline, and an empty quoted field are rows', () => {
  assert.deepEqual(parseCsvRows('a,b\n1,2\n""', 'x').map((r) => r.fields), [['a', 'b'], ['1', '2'], ['']]);
});

test('malformed CSV fails naming the file and the line', () => {
  const fails = (text: string, pattern: RegExp): void =>
    assert.throws(() => parseCsv(text, 'meta.csv'), (err: unknown) => err instanceof DataError && err.path === 'meta.csv' && pattern.test(err.message));
  fails('a,b\n1,"open\n', /line 2: a quoted field is never closed/);
  fails('a,b\n1,x"y\n', /line 2: a quote inside an unquoted field/);
  fails('a,b\n1,"x"y\n', /line 2: text after a closing quote/);
  fails('a,b\n1,2,3\n4,5\n', /expected 2 fields per row .*received 3 on line 2/);
  fails('a,a\n1,2\n', /column 'a' twice/);
  fails('', /empty/);
});
