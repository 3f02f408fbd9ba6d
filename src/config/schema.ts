// The experiment config: one strict schema (typos fail), every default written here once (the data
// section's in src/data/config.ts).
import { z } from 'zod';
import { dataSchema } from '../data/config';
import { registeredModelNameProblem } from '../mlflow-client/registry';

const monitorFields = {
  /** Metric to watch, e.g. val_loss or val_accuracy. */
  monitor: z.string().default('val_loss'),
  mode: z.enum(['min', 'max', 'auto']).default('auto'),
  minDelta: z.number().min(0).default(0),
};

const schedule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant') }).strict(),
  z.object({ kind: z.literal('step'), every: z.number().int().min(1), factor: z.number().gt(0).max(1) }).strict(),
  z.object({ kind: z.literal('cosine'), minLr: z.number().min(0).default(0) }).strict(),
]);

export const experimentSchema = z
  .object({
    name: z.string().regex(/^[\w.-]+$/, 'letters, digits, _ . - only').default('default'),
    /** Root seed; split, shuffle and initialisation seeds are derived from it by name. */
    seed: z.number().int().min(0).default(42),
    /** Sources, label maps, filters, split and decoding: src/data/config.ts. */
    data: dataSchema,
    model: z
      .object({
        name: z.string().default('seed-004'),
        dropout: z.number().min(0).lt(1).default(0.5),
        /** Filter multiplier of resnet-small and mobilenet-small. */
        width: z.number().int().min(1).max(8).default(1),
        /** With `name: transfer`: the pretrained tfjs model (model.json, its folder, or a run folder). */
        backbone: z.string().min(1).optional(),
        /** With `name: transfer`: `all`, `none`, or how many leading backbone layers stay frozen. */
        freeze: z.union([z.enum(['all', 'none']), z.number().int().min(0)]).default('all'),
      })
      .strict()
      .prefault({}),
    train: z
      .object({
        epochs: z.number().int().min(1).default(1),
        batchSize: z.number().int().min(1).default(32),
        optimizer: z.enum(['adam', 'rmsprop', 'sgd']).default('adam'),
        learningRate: z.number().positive().default(0.001),
        /** Momentum of sgd and rmsprop. */
        momentum: z.number().min(0).lt(1).default(0),
        schedule: schedule.prefault({ kind: 'constant' }),
        labelSmoothing: z.number().min(0).lt(1).default(0),
        /** `none`, `balanced` (n / (K · count)), or one weight per class by name. */
        classWeights: z
          .union([z.enum(['none', 'balanced']), z.object({ covid: z.number().min(0), pneumonia: z.number().min(0), normal: z.number().min(0) }).strict()])
          .default('none'),
        earlyStopping: z
          .object({
            enabled: z.boolean().default(false),
            patience: z.number().int().min(1).default(5),
            restoreBestWeights: z.boolean().default(true),
            ...monitorFields,
          })
          .strict()
          .prefault({}),
        reduceLrOnPlateau: z
          .object({
            enabled: z.boolean().default(false),
            factor: z.number().gt(0).lt(1).default(0.1),
            patience: z.number().int().min(1).default(3),
            cooldown: z.number().int().min(0).default(0),
            minLr: z.number().min(0).default(0),
            ...monitorFields,
          })
          .strict()
          .prefault({}),
        /** The epoch kept in checkpoints/best is chosen by this metric. */
        checkpoint: z.object(monitorFields).strict().prefault({}),
        /** Transfer learning: a second phase with backbone layers unfrozen, at a lower rate. 0 epochs = none. */
        fineTune: z
          .object({
            epochs: z.number().int().min(0).default(0),
            learningRate: z.number().positive().default(1e-5),
            unfreeze: z.union([z.literal('all'), z.number().int().min(0)]).default('all'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Keras ImageDataGenerator options (rotationRange, widthShiftRange, heightShiftRange, shearRange,
     * zoomRange, horizontalFlip, verticalFlip, fillMode, cval) for the training batches; their values
     * are checked by src/augment/options.ts when the config is loaded. Empty = no augmentation. */
    augment: z.record(z.string(), z.unknown()).default({}),
    evaluation: z
      .object({
        /** Grad-CAM PNGs per class of the test split (validation without one), for correct and for wrong predictions each; 0 = none. */
        gradcamPerClass: z.number().int().min(0).max(50).default(2),
        /** Probe the penultimate features for source cues within each class that comes from several sources (src/run/shortcut-audit.ts). */
        shortcutAudit: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    output: z
      .object({
        /** Runs are written under <dir>/<name>/<timestamp>/; relative to the working directory. */
        dir: z.string().min(1).default('runs'),
      })
      .strict()
      .prefault({}),
    /** What the MLflow run does beyond logging; absent (no default) when the experiment asks for nothing. */
    tracking: z
      .object({
        /** Register the finished run's model as the next version of this registered model (a name MLflow accepts). */
        registeredModel: z.string().superRefine((name, ctx) => {
          const problem = registeredModelNameProblem(name);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.model.name === 'transfer' && !config.model.backbone) {
      ctx.addIssue({ code: 'custom', path: ['model', 'backbone'], message: 'is required with `model.name: transfer` (a tfjs model.json, its folder or a run folder)' });
    }
    if (config.model.name !== 'transfer' && config.train.fineTune.epochs > 0) {
      ctx.addIssue({ code: 'custom', path: ['train', 'fineTune', 'epochs'], message: 'fine-tuning needs `model.name: transfer`' });
    }
    if (config.train.schedule.kind !== 'constant' && config.train.reduceLrOnPlateau.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: ['train', 'reduceLrOnPlateau', 'enabled'],
        message: `cannot be combined with \`train.schedule.kind: ${config.train.schedule.kind}\` (the schedule would undo every reduction); use one of them`,
      });
    }
  });

export type ExperimentConfig = z.infer<typeof experimentSchema>;
