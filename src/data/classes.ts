// The three classes, in the one order used everywhere (labels, one-hot columns, confusion matrices),
// and the folder-name aliases the common public datasets use for them.
export const CLASS_NAMES = ['covid', 'pneumonia', 'normal'] as const;
export type ClassName = (typeof CLASS_NAMES)[number];

const ALIASES: Readonly<Record<string, ClassName>> = {
  covid: 'covid',
  covid19: 'covid',
  'covid-19': 'covid',
  covid_19: 'covid',
  'covid 19': 'covid',
  'sars-cov-2': 'covid',
  pneumonia: 'pneumonia',
  'viral pneumonia': 'pneumonia',
  viral_pneumonia: 'pneumonia',
  'bacterial pneumonia': 'pneumonia',
  bacterial_pneumonia: 'pneumonia',
  normal: 'normal',
  'no finding': 'normal',
  no_finding: 'normal',
};

/** Maps a folder or finding name to its class, or `undefined` when it is not one of the known aliases. */
export function classOf(name: string): ClassName | undefined {
  return ALIASES[name.trim().toLowerCase()];
}

export function classIndex(label: ClassName): number {
  return CLASS_NAMES.indexOf(label);
}

export function knownAliases(): string[] {
  return Object.keys(ALIASES);
}
