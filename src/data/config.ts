// The experiment's `data` section: sources (class folders, metadata CSVs), label maps, filters, split and
// probing options — one strict zod schema with every default written here once — and its path resolution.
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { CLASS_NAMES } from './classes';
import { CROP_POLICIES, DEFAULT_CROP } from './image-types';

const SOURCE_NAME = /^[\w.-]+$/;
const sourceName = z.string().regex(SOURCE_NAME, 'letters, digits, _ . - only');
const column = z.string().min(1);
const labelTarget = z.enum([...CLASS_NAMES, 'exclude']);
/** Folder name or finding → class or `exclude`, matched in any case before the built-in aliases; in a CSV source, `*` maps every other finding. */
const labelMap = z.record(z.string().min(1), labelTarget).default({});
/** `auto`: train/ val/ test/ folders (or the CSV's split column) where present, else the splitter decides; a split name puts the whole
 * source there as if it sat in that folder (`test`: an external test set; `train`: val is still carved from it unless val is given). */
const fixedSplit = z.enum(['auto', 'train', 'val', 'test']).default('auto');
/** Keep only images whose view is one of these (any case); images without a view are skipped. */
const views = z.array(z.string().min(1)).min(1).optional();
/** Source-column value → source tag (e.g. a repository name → `ieee`); values not listed are kept as they are. */
const sourceNames = z.record(z.string(), sourceName).default({});

/** Per-file metadata for a class-folder source, matched by path relative to the source's dir. */
const manifestObject = z
  .object({
    /** The CSV, relative to the source's dir. */
    file: z.string().min(1),
    columns: z
      .object({
        /** File path relative to the source's dir. */
        path: column.default('file'),
        patientId: column.optional(),
        view: column.optional(),
        source: column.optional(),
      })
      .strict()
      .prefault({}),
    sourceNames,
  })
  .strict();
/** `manifest: MANIFEST.csv` is short for `manifest: { file: MANIFEST.csv }`. */
const manifest = z.preprocess((v) => (typeof v === 'string' ? { file: v } : v), manifestObject);

export const folderSourceSchema = z
  .object({
    kind: z.literal('folders'),
    name: sourceName,
    /** Root of <class>/… or <split>/<class>/…, with any nesting; relative to the config file. */
    dir: z.string().min(1),
    labelMap,
    split: fixedSplit,
    views,
    manifest: manifest.optional(),
  })
  .strict();

export const csvSourceSchema = z
  .object({
    kind: z.literal('csv'),
    name: sourceName,
    /** The metadata CSV, relative to the config file. */
    csv: z.string().min(1),
    /** Root the CSV's paths are relative to (relative to the config file); default: the CSV's folder. */
    dir: z.string().min(1).optional(),
    columns: z
      .object({
        path: column.default('path'),
        /** The finding/label column, mapped to classes through labelMap, the aliases, then labelMap['*']. */
        label: column.default('label'),
        patientId: column.optional(),
        view: column.optional(),
        source: column.optional(),
        /** Values train / val / test (or training, valid, validation, testing) fix a row's split. */
        split: column.optional(),
      })
      .strict()
      .prefault({}),
    labelMap,
    sourceNames,
    split: fixedSplit,
    views,
  })
  .strict();

export const sourceSchema = z.discriminatedUnion('kind', [folderSourceSchema, csvSourceSchema]);

export const dataSchema = z
  .object({
    /** Shorthand for one class-folder source named after the folder (relative to the config file); or use `sources`. */
    dir: z.string().min(1).optional(),
    sources: z.array(sourceSchema).min(1).optional(),
    imageSize: z.number().int().min(16).max(1024).default(150),
    channels: z.union([z.literal(1), z.literal(3)]).default(3),
    /** Share of each stratum's pool held out for validation (unless val/ folders give the validation set). */
    valFraction: z.number().gt(0).lt(1).default(0.2),
    /** Seed of the split; absent: derived from the experiment's seed. Fix it to vary training seeds over one split. */
    splitSeed: z.number().int().min(0).optional(),
    /** Share held out for testing (unless test/ folders or a `split: test` source give it); 0 = no test split. */
    testFraction: z.number().min(0).lt(1).default(0),
    /** Strata of the split: class × source keeps a rare (class, source) pair out of one split's corner. */
    stratifyBy: z.array(z.enum(['class', 'source'])).min(1).default(['class', 'source']),
    /** Split image by image, ignoring patient ids and identical content, and keep folders that overlap;
     * the overlap report then lists what is shared. */
    allowOverlap: z.boolean().default(false),
    /** Fail on any bad file (listing them all) instead of skipping it. */
    strict: z.boolean().default(false),
    /** `header`: sharp's metadata plus end-of-file checks (cheap); `decode`: also decode every image. */
    verify: z.enum(['header', 'decode']).default('header'),
    /** Images with a side shorter than this are skipped (too-small). */
    minSize: z.number().int().min(1).default(32),
    /** Images with more pixels are skipped (too-large); the default is sharp's own input limit (16383²). */
    maxPixels: z.number().int().min(1).default(16383 * 16383),
    /** How a non-square image becomes square: `centre` keeps the centred square (the long side's ends are cut),
     * `pad` keeps the whole film, letterboxed onto black. */
    crop: z.enum(CROP_POLICIES).default(DEFAULT_CROP),
    /** Keep decoded images on disk, keyed by file content (sha256) and preprocessing, so later runs skip decoding. */
    cache: z.boolean().default(true),
    /** Folder of the decoded-image cache; absent: the caller's default, `<project>/.cxrlab/cache/decoded`. */
    cacheDir: z.string().min(1).optional(),
    /** How training batches are fed: `memory` decodes the training set into one tensor; `stream` decodes each
     * batch as it is needed (prefetched), memory bounded by a few batches; `auto` streams when the decoded
     * training set would exceed `memoryLimitMB`. Validation and test sets are held in memory. */
    pipeline: z.enum(['auto', 'memory', 'stream']).default('auto'),
    memoryLimitMB: z.number().positive().default(4096),
  })
  .strict()
  .superRefine((data, ctx) => {
    if ((data.dir === undefined) === (data.sources === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['sources'], message: 'give either `dir` (one class-folder dataset) or `sources`, not both and not neither' });
    }
    const names = (data.sources ?? []).map((s) => s.name);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    if (twice.length > 0) ctx.addIssue({ code: 'custom', path: ['sources'], message: `source names must be unique; repeated: ${[...new Set(twice)].join(', ')}` });
    if (data.valFraction + data.testFraction >= 1) {
      ctx.addIssue({ code: 'custom', path: ['testFraction'], message: `valFraction + testFraction must be below 1 (received ${data.valFraction} + ${data.testFraction})` });
    }
    if (!data.stratifyBy.includes('class')) ctx.addIssue({ code: 'custom', path: ['stratifyBy'], message: "must include 'class'" });
    if (new Set(data.stratifyBy).size !== data.stratifyBy.length) ctx.addIssue({ code: 'custom', path: ['stratifyBy'], message: 'lists a key twice' });
  });

export type DataConfig = z.infer<typeof dataSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type FolderSourceConfig = z.infer<typeof folderSourceSchema>;
export type CsvSourceConfig = z.infer<typeof csvSourceSchema>;

/** The sources a data section names: `sources`, or the `dir` shorthand as one class-folder source. */
export function dataSources(data: Pick<DataConfig, 'dir' | 'sources'>): SourceConfig[] {
  if (data.sources) return data.sources;
  if (data.dir === undefined) return [];
  const name = basename(data.dir).replace(/[^\w.-]+/g, '-') || 'data';
  return [{ kind: 'folders', name, dir: data.dir, labelMap: {}, split: 'auto' }];
}

/** The data section with `dir`, every source's `dir` and `csv` made absolute against `baseDir` (the config
 * file's folder); a CSV source's default dir becomes the CSV's folder, and manifests resolve against their source's dir. */
export function resolveDataPaths<T extends Pick<DataConfig, 'dir' | 'sources'> & { cacheDir?: string | undefined }>(data: T, baseDir: string): T {
  const abs = (p: string, base: string): string => (isAbsolute(p) ? p : resolve(base, p));
  const sources = data.sources?.map((s): SourceConfig => {
    if (s.kind === 'csv') {
      const csv = abs(s.csv, baseDir);
      return { ...s, csv, dir: s.dir === undefined ? dirname(csv) : abs(s.dir, baseDir) };
    }
    const dir = abs(s.dir, baseDir);
    return { ...s, dir, ...(s.manifest ? { manifest: { ...s.manifest, file: abs(s.manifest.file, dir) } } : {}) };
  });
  return {
    ...data,
    ...(data.dir !== undefined ? { dir: abs(data.dir, baseDir) } : {}),
    ...(sources ? { sources } : {}),
    ...(data.cacheDir !== undefined ? { cacheDir: abs(data.cacheDir, baseDir) } : {}),
  };
}
