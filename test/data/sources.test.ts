// Dataset sources: class folders with split levels, nesting, aliases and label maps; manifests; metadata
// CSVs with view filters and finding maps; several sources combined; paths that leave the root refused.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildIndex } from '../../src/data/build-index';
import { indexCounts } from '../../src/data/counts';
import { splitIndex } from '../../src/data/group-split';
import type { IndexEntry } from '../../src/data/index-entry';
import { DataError } from '../../src/errors';
import { tempDir } from '../helpers/project';
import { folders, greyPng, indexOptions, writeImage } from './corpus';

let shade = 0;
/** Writes distinct small PNGs at the given paths below `root`. */
async function images(root: string, ...rels: string[]): Promise<void> {
  for (const rel of rels) await writeImage(join(root, rel), greyPng(shade++ % 256, 40 + Math.floor(shade / 256)));
}

const splitOptions = { valFraction: 0.2, testFraction: 0, stratifyBy: ['class', 'source'] as ('class' | 'source')[], allowOverlap: false, seed: 1 };
/** Entries by relative path (the first, where a CSV lists a file twice). */
const byRel = (entries: readonly IndexEntry[]): Map<string, IndexEntry> => new Map([...entries].reverse().map((e) => [e.relPath, e]));

test('train/ valid/ test/ levels, extra nesting and the built-in aliases', async () => {
  const root = tempDir('layout');
  const n = (dir: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${dir}/${i}.png`);
  await images(
    root,
    'chest_xray/train/COVID-19/patient1/a.png',
    'chest_xray/train/COVID-19/patient1/b.png',
    ...n('chest_xray/train/COVID-19', 4),
    ...n('chest_xray/train/Viral Pneumonia', 5),
    ...n('chest_xray/train/NORMAL', 5),
    ...n('chest_xray/valid/COVID19', 2),
    ...n('chest_xray/valid/PNEUMONIA', 2),
    ...n('chest_xray/valid/No Finding', 2),
    ...n('chest_xray/test/covid', 1),
    ...n('chest_xray/test/pneumonia', 1),
    ...n('chest_xray/test/normal', 1),
  );
  writeFileSync(join(root, 'chest_xray', 'README.md'), 'about\n');
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, '.git', 'HEAD'), 'ref\n');
  const index = await buildIndex(indexOptions([folders('kaggle', root)]));
  const e = byRel(index.entries);
  assert.equal(index.entries.length, 25);
  assert.deepEqual([e.get('chest_xray/train/COVID-19/patient1/a.png')?.label, e.get('chest_xray/train/COVID-19/patient1/a.png')?.fixedSplit], ['covid', 'train']);
  assert.deepEqual([e.get('chest_xray/train/Viral Pneumonia/0.png')?.label, e.get('chest_xray/train/Viral Pneumonia/0.png')?.rawLabel], ['pneumonia', 'Viral Pneumonia']);
  assert.deepEqual([e.get('chest_xray/valid/No Finding/1.png')?.label, e.get('chest_xray/valid/No Finding/1.png')?.fixedSplit], ['normal', 'val']);
  assert.equal(e.get('chest_xray/test/normal/0.png')?.fixedSplit, 'test');

  const split = splitIndex(index.entries, splitOptions);
  assert.deepEqual(split.given, ['val', 'test']);
  for (const s of ['train', 'val', 'test'] as const) {
    assert.deepEqual(split[s].map((x) => x.relPath.split('/')[1]), split[s].map(() => ({ train: 'train', val: 'valid', test: 'test' })[s]), `${s} is its folder`);
  }
  assert.deepEqual([split.train.length, split.val.length, split.test.length], [16, 6, 3]);
});

test('an external test source (split: test) beside a class-folder source', async () => {
  const main = tempDir('main');
  const external = tempDir('external');
  for (const c of ['covid', 'pneumonia', 'normal']) await images(main, ...Array.from({ length: 10 }, (_, i) => `${c}/${i}.png`));
  for (const c of ['covid', 'pneumonia', 'normal']) await images(external, `${c}/x.png`, `${c}/y.png`);
  const index = await buildIndex(indexOptions([folders('main', main), folders('hospital-b', external, { split: 'test' })]));
  assert.deepEqual(indexCounts(index.entries).perSource, {
    'hospital-b': { covid: 2, pneumonia: 2, normal: 2 },
    main: { covid: 10, pneumonia: 10, normal: 10 },
  });
  const split = splitIndex(index.entries, { ...splitOptions, testFraction: 0.2 });
  assert.deepEqual(split.given, ['test']);
  assert.ok(split.test.every((x) => x.source === 'hospital-b') && split.test.length === 6);
  assert.deepEqual([split.train.length, split.val.length], [24, 6]);
});

test('an unknown class folder is an error listing the known classes and the label map; the map fixes it', async () => {
  const root = tempDir('unknown');
  await images(root, 'covid/a.png', 'pneumonia/a.png', 'normal/a.png', 'tuberculosis/a.png', 'Lung Opacity/a.png');
  await assert.rejects(buildIndex(indexOptions([folders('d', root)])), (err: unknown) => {
    assert.ok(err instanceof DataError);
    assert.equal(err.path, root);
    assert.match(err.message, /folder names are not a known class: .*Lung Opacity, .*tuberculosis\./);
    assert.match(err.message, /Known classes: covid, pneumonia, normal; label map: \(empty\); built-in aliases: covid, covid19, .*labelMap/);
    return true;
  });
  // Also below a split folder, with the source's label map shown.
  const nested = tempDir('unknown-nested');
  await images(nested, 'train/covid/a.png', 'train/pneumonia/a.png', 'train/normal/a.png', 'train/opacity/a.png');
  await assert.rejects(
    buildIndex(indexOptions([folders('d', nested, { labelMap: { tb: 'exclude' } })])),
    (err: unknown) => err instanceof DataError && err.message.includes(`not a known class: ${join(nested, 'train', 'opacity')}.`) && err.message.includes("label map: 'tb' → exclude"),
  );
  const index = await buildIndex(indexOptions([folders('d', root, { labelMap: { Tuberculosis: 'exclude', 'lung opacity': 'pneumonia' } })], { strict: true }));
  const e = byRel(index.entries);
  assert.deepEqual([e.get('tuberculosis/a.png')?.status, e.get('tuberculosis/a.png')?.reason, e.get('tuberculosis/a.png')?.label], ['skipped', 'excluded-label', null]);
  assert.match(e.get('tuberculosis/a.png')?.detail ?? '', /folder 'tuberculosis' maps to exclude \(data\.sources\[0\]\.labelMap\)/);
  assert.deepEqual([e.get('Lung Opacity/a.png')?.status, e.get('Lung Opacity/a.png')?.label], ['ok', 'pneumonia']);
  assert.ok(e.get('tuberculosis/a.png')?.sha256, 'an excluded file is still accounted with its hash');
});

test('a manifest beside class folders gives patient ids, views and source tags; a view filter skips the rest', async () => {
  const root = tempDir('manifest');
  await images(root, 'covid/a.png', 'covid/b.png', 'covid/c.png', 'pneumonia/d.png', 'normal/e.png', 'normal/f.png');
  writeFileSync(
    join(root, 'meta.csv'),
    'file,pid,view,repo\r\ncovid/a.png,7,PA,org/one\r\ncovid/b.png,7,AP Supine,org/one\r\ncovid/c.png,8,ap,org/one\r\npneumonia/d.png,1,AP,org/two\r\nnormal/e.png,2,PA,org/two\r\nnormal/gone.png,3,PA,org/two\r\n',
  );
  const manifest = { file: 'meta.csv', columns: { path: 'file', patientId: 'pid', view: 'view', source: 'repo' }, sourceNames: { 'org/one': 'one' } };
  const index = await buildIndex(indexOptions([folders('d', root, { manifest, views: ['PA', 'AP'] })]));
  const e = byRel(index.entries);
  assert.deepEqual([e.get('covid/a.png')?.patientId, e.get('covid/a.png')?.view, e.get('covid/a.png')?.source], ['7', 'PA', 'one']);
  assert.deepEqual([e.get('pneumonia/d.png')?.source, e.get('pneumonia/d.png')?.status], ['org/two', 'ok']);
  assert.equal(e.get('covid/c.png')?.status, 'ok', 'views match in any case');
  assert.deepEqual([e.get('covid/b.png')?.reason, e.get('covid/b.png')?.detail], ['excluded-view', "view 'AP Supine'; data.sources[0].views is PA, AP"]);
  assert.deepEqual([e.get('normal/f.png')?.reason, e.get('normal/f.png')?.source], ['excluded-view', 'd']);
  assert.equal(index.warnings.length, 2);
  assert.match(index.warnings[0] ?? '', /1 row\(s\) name no file found: normal\/gone\.png \(line 7\)/);
  assert.match(index.warnings[1] ?? '', /1 file\(s\) have no row .*normal\/f\.png/);

  writeFileSync(join(root, 'bad.csv'), 'file,pid\ncovid/a.png,1\n');
  await assert.rejects(
    buildIndex(indexOptions([folders('d', root, { manifest: { file: 'bad.csv', columns: { patientId: 'patient_id' } } })])),
    (err: unknown) => err instanceof DataError && /has no column 'patient_id' \(data\.sources\[0\]\.manifest\.columns\.patientId\)\. Its columns: file, pid/.test(err.message),
  );
});

test('a metadata CSV source: finding map with *, view filter, quoted paths, missing and repeated rows', async () => {
  const root = tempDir('csv');
  await images(root, 'images/a,1.png', 'images/b.png', 'images/c.png', 'images/d.png', 'images/e.png', 'images/f.png', 'images/g.png');
  const csv = [
    'filename,finding,view,patientid,origin',
    '"images/a,1.png",COVID-19,PA,1,paper',
    'images/b.png,"COVID-19, ARDS",AP,1,paper',
    'images/c.png,Pneumonia/Bacterial/Streptococcus,PA,2,paper',
    'images/d.png,No Finding,AP,3,radiopaedia',
    'images/e.png,todo,PA,4,paper',
    'images/f.png,Legionella,L,5,paper',
    'images/g.png,SARS,AP,6,paper',
    'images/missing.png,COVID-19,PA,7,paper',
    'images/b.png,COVID-19,AP,1,paper',
  ].join('\n');
  writeFileSync(join(root, 'metadata.csv'), `${csv}\n`);
  const source = (labelMap: Record<string, string>): unknown => ({
    kind: 'csv',
    name: 'ieee',
    csv: join(root, 'metadata.csv'),
    columns: { path: 'filename', label: 'finding', view: 'view', patientId: 'patientid', source: 'origin' },
    labelMap,
    views: ['PA', 'AP'],
  });
  const index = await buildIndex(indexOptions([source({ 'COVID-19, ARDS': 'covid', todo: 'exclude', '*': 'pneumonia' }), folders('kids', await kids())]));
  const e = byRel(index.entries.filter((x) => x.dataset === 'ieee'));
  const row = (rel: string): unknown[] => {
    const x = e.get(rel) as IndexEntry;
    return [x.status, x.reason, x.label, x.patientId, x.source];
  };
  assert.deepEqual(row('images/a,1.png'), ['ok', null, 'covid', '1', 'paper']);
  assert.deepEqual(row('images/b.png'), ['ok', null, 'covid', '1', 'paper']);
  assert.deepEqual(row('images/c.png'), ['ok', null, 'pneumonia', '2', 'paper']);
  assert.deepEqual(row('images/d.png'), ['ok', null, 'normal', '3', 'radiopaedia']);
  assert.deepEqual(row('images/e.png'), ['skipped', 'excluded-label', null, '4', 'paper']);
  assert.deepEqual(row('images/f.png'), ['skipped', 'excluded-view', 'pneumonia', '5', 'paper']);
  assert.deepEqual(row('images/g.png'), ['ok', null, 'pneumonia', '6', 'paper']);
  assert.deepEqual(row('images/missing.png'), ['skipped', 'missing', 'covid', '7', 'paper']);
  const repeated = index.entries.filter((x) => x.relPath === 'images/b.png');
  assert.deepEqual(repeated.map((x) => [x.reason, x.detail]), [[null, null], ['duplicate-row', 'line 10 lists the file of line 3 again']]);
  assert.equal(index.entries.filter((x) => x.dataset === 'ieee').length, 9, 'one entry per CSV row');

  // Everything else excluded instead of pneumonia:
  const strictMap = await buildIndex(indexOptions([source({ 'COVID-19': 'covid', 'COVID-19, ARDS': 'covid', 'No Finding': 'normal', '*': 'exclude' }), folders('kids', await kids())]));
  assert.deepEqual(
    strictMap.entries.filter((x) => x.dataset === 'ieee' && x.reason === 'excluded-label').map((x) => x.relPath),
    ['images/c.png', 'images/e.png', 'images/f.png', 'images/g.png'],
  );
  // Without '*', unmapped findings are an error listing each with its rows.
  await assert.rejects(buildIndex(indexOptions([source({ todo: 'exclude' })])), (err: unknown) => {
    assert.ok(err instanceof DataError && err.path === join(root, 'metadata.csv'));
    assert.match(
      err.message,
      /findings that map to no class: 'COVID-19, ARDS' \(1 row\(s\), line 3\), 'Pneumonia\/Bacterial\/Streptococcus' \(1 row\(s\), line 4\), 'Legionella' \(1 row\(s\), line 7\), 'SARS' \(1 row\(s\), line 8\)\./,
    );
    assert.match(err.message, /Known classes: covid, pneumonia, normal; label map: 'todo' → exclude/);
    return true;
  });
});

let kidsDir: string | undefined;
/** A small class-folder source (pneumonia and normal), to combine with the CSV source. */
async function kids(): Promise<string> {
  if (kidsDir) return kidsDir;
  kidsDir = tempDir('kids');
  await images(kidsDir, 'pneumonia/a.png', 'normal/a.png');
  return kidsDir;
}

test('several sources combined: each tagged; identical files across sources stay in one split', async () => {
  const a = tempDir('combo-a');
  const b = tempDir('combo-b');
  for (const c of ['covid', 'pneumonia', 'normal']) await images(a, ...Array.from({ length: 8 }, (_, i) => `${c}/${i}.png`));
  for (const c of ['covid', 'pneumonia', 'normal']) await images(b, ...Array.from({ length: 8 }, (_, i) => `${c}/${i}.png`));
  for (let i = 0; i < 4; i++) copyFileSync(join(a, 'covid', `${i}.png`), join(b, 'covid', `copy${i}.png`)); // the same bytes in both
  await writeImage(join(b, 'normal', 'relabelled.png'), readFileSync(join(a, 'pneumonia', '0.png')));
  const index = await buildIndex(indexOptions([folders('a', a), folders('b', b)]));
  assert.equal(index.entries.length, 53);
  assert.match(index.warnings[0] ?? '', /^5 used file\(s\) are byte-identical copies of another/);
  assert.deepEqual(index.warnings.slice(1), [`identical files with different labels: ${join(a, 'pneumonia', '0.png')} (pneumonia), ${join(b, 'normal', 'relabelled.png')} (normal)`]);
  for (let seed = 0; seed < 10; seed++) {
    const split = splitIndex(index.entries, { ...splitOptions, seed });
    const where = new Map(['train', 'val', 'test'].flatMap((s) => split[s as 'train'].map((x) => [x.path, s])));
    for (let i = 0; i < 4; i++) assert.equal(where.get(join(a, 'covid', `${i}.png`)), where.get(join(b, 'covid', `copy${i}.png`)));
    assert.equal(split.overlap.clean, true);
    assert.equal(split.overlap.hashesChecked, 48);
    assert.equal(where.get(join(a, 'pneumonia', '0.png')), where.get(join(b, 'normal', 'relabelled.png')));
  }
});

test('paths that leave the dataset root are refused: .. and absolute paths in a CSV, links out of the tree', async () => {
  const outside = tempDir('outside');
  await images(outside, 'secret.png', 'dir/x.png');
  const root = tempDir('traversal');
  await images(root, 'images/ok.png', 'covid/a.png', 'pneumonia/a.png', 'normal/a.png');
  const csvSource = (rows: string[]): unknown => {
    writeFileSync(join(root, 'meta.csv'), ['path,label', 'images/ok.png,covid', ...rows].join('\n'));
    return { kind: 'csv', name: 'c', csv: join(root, 'meta.csv') };
  };
  const refused = (pattern: RegExp) => (err: unknown) => err instanceof DataError && /refused/.test(err.message) && pattern.test(err.message);
  const secretRel = `../${outside.split('/').pop()}/secret.png`;
  await assert.rejects(buildIndex(indexOptions([csvSource([`${secretRel},covid`])])), refused(new RegExp(`line 3: \\.\\./${outside.split('/').pop()}/secret\\.png`)));
  await assert.rejects(buildIndex(indexOptions([csvSource([`${join(outside, 'secret.png')},covid`])])), refused(/1 path\(s\) lead outside the dataset root/));
  await assert.rejects(buildIndex(indexOptions([csvSource(['images/../../etc/passwd,covid'])])), refused(/line 3/));
  symlinkSync(join(outside, 'secret.png'), join(root, 'images', 'link.png'));
  await assert.rejects(buildIndex(indexOptions([csvSource(['images/link.png,covid'])])), refused(new RegExp(`images/link\\.png → ${join(outside, 'secret.png')}`)));

  // In a class-folder tree: a linked file and a linked folder pointing out are refused, all listed.
  const tree = tempDir('tree');
  await images(tree, 'covid/a.png', 'pneumonia/a.png', 'normal/a.png');
  symlinkSync(join(outside, 'secret.png'), join(tree, 'covid', 'leak.png'));
  symlinkSync(join(outside, 'dir'), join(tree, 'normal', 'more'));
  await assert.rejects(buildIndex(indexOptions([folders('t', tree)])), (err: unknown) => {
    assert.ok(err instanceof DataError && err.path === tree);
    assert.match(err.message, /refused: 2 link\(s\) lead outside the dataset root/);
    assert.ok(err.message.includes(`${join(tree, 'covid', 'leak.png')} → ${join(outside, 'secret.png')}`));
    assert.ok(err.message.includes(`${join(tree, 'normal', 'more')} → ${join(outside, 'dir')}`));
    return true;
  });
  // A link that stays inside the root is followed; one back up to its own folder is not walked twice.
  const inner = tempDir('inner');
  await images(inner, 'covid/a.png', 'pneumonia/a.png', 'normal/a.png');
  symlinkSync(join(inner, 'covid', 'a.png'), join(inner, 'normal', 'alias.png'));
  symlinkSync(join(inner, 'normal'), join(inner, 'normal', 'loop'));
  const index = await buildIndex(indexOptions([folders('i', inner)]));
  assert.deepEqual(index.entries.map((x) => [x.relPath, x.status]), [['covid/a.png', 'ok'], ['normal/a.png', 'ok'], ['normal/alias.png', 'ok'], ['pneumonia/a.png', 'ok']]);
  // …and the alias has covid's content (the split keeps such files together: see group-split.test.ts).
  assert.equal(index.entries[2]?.sha256, index.entries[0]?.sha256);
});
