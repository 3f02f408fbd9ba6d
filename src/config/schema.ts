// The experiment config: one strict schema (typos fail), every default written here once.
import { z } from 'zod';

export const experimentSchema = z
  .object({
    name: z.string().min(1).default('default'),
    /** Root seed; split, shuffle and initialisation seeds are derived from it by name. */
    seed: z.number().int().min(0).default(42),
    data: z
      .object({
        /** Class-per-folder dataset root, relative to the config file. */
        dir: z.string().min(1),
        imageSize: z.number().int().min(16).max(1024).default(150),
        channels: z.union([z.literal(1), z.literal(3)]).default(3),
        valFraction: z.number().gt(0).lt(1).default(0.2),
      })
      .strict(),
    model: z
      .object({
        name: z.string().default('seed-004'),
        dropout: z.number().min(0).lt(1).default(0.5),
      })
      .strict()
      .prefault({}),
    train: z
      .object({
        epochs: z.number().int().min(1).default(1),
        batchSize: z.number().int().min(1).default(32),
        learningRate: z.number().positive().default(0.001),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ExperimentConfig = z.infer<typeof experimentSchema>;
