// Folder names and CSV findings → classes: the source's label map first (exact name, any case; `exclude`
// drops the files), then the built-in aliases, then the map's `*` entry for everything else.
import { CLASS_NAMES, type ClassName, classOf, knownAliases } from './classes';

export type LabelTarget = ClassName | 'exclude';
/** Names (folder names or findings) → class or `exclude`; the key `*` catches every name not otherwise known. */
export type LabelMap = Readonly<Record<string, LabelTarget>>;

export type LabelResolution = { kind: 'class'; label: ClassName } | { kind: 'exclude' } | { kind: 'unknown' };

const normalise = (name: string): string => name.trim().toLowerCase();

export function resolveLabel(name: string, map: LabelMap, options: { wildcard: boolean }): LabelResolution {
  const key = normalise(name);
  for (const [from, to] of Object.entries(map)) {
    if (from !== '*' && normalise(from) === key) return to === 'exclude' ? { kind: 'exclude' } : { kind: 'class', label: to };
  }
  const alias = classOf(name);
  if (alias) return { kind: 'class', label: alias };
  const rest = options.wildcard ? map['*'] : undefined;
  if (rest) return rest === 'exclude' ? { kind: 'exclude' } : { kind: 'class', label: rest };
  return { kind: 'unknown' };
}

/** The classes, the label map and the aliases, for error messages about an unknown name. */
export function describeLabels(map: LabelMap): string {
  const entries = Object.entries(map);
  return (
    `Known classes: ${CLASS_NAMES.join(', ')}; label map: ${entries.length ? entries.map(([k, v]) => `'${k}' → ${v}`).join(', ') : '(empty)'}; ` +
    `built-in aliases: ${knownAliases().join(', ')}. Add the name to the source's labelMap (as a class or \`exclude\`)`
  );
}
