// A trial's values: drawn from a parameter's space with a seeded Rng (random search), and written as the
// `key=value` overrides `--set` takes, in a form that parses back to the same value.
import { stringify } from 'yaml';
import type { Rng } from '../util/rng';
import type { ParameterSpace } from './schema';

/** Significant digits kept of a drawn float (readable params; the draw stays within the range). */
const SIGNIFICANT_DIGITS = 6;

/** The value as a YAML flow scalar or collection: `0.0003`, `seed-004`, `"true"`, `[ PA, AP ]`. */
export function formatValue(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
}

/** `key=value` for `--set` (applyOverrides parses the value back as YAML). */
export function formatOverride(key: string, value: unknown): string {
  return `${key}=${formatValue(value)}`;
}

const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));

/** One value of the space: a list's element uniformly; a range uniform, log-uniform (log), whole numbers (int, bounds included). */
export function drawValue(space: ParameterSpace, rng: Rng): unknown {
  if (space.kind === 'list') return space.values[rng.int(space.values.length)];
  const { min, max, log, int } = space;
  const u = rng.next();
  if (int) {
    const drawn = log ? Math.floor(Math.exp(Math.log(min) + u * (Math.log(max + 1) - Math.log(min)))) : min + Math.floor(u * (max - min + 1));
    return clamp(drawn, min, max);
  }
  const drawn = log ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) : min + u * (max - min);
  return clamp(Number(drawn.toPrecision(SIGNIFICANT_DIGITS)), min, max);
}
