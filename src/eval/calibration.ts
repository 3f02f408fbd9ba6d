// Calibration: expected and maximum calibration error over equal-width confidence bins, with the
// reliability-diagram data, for the top label and for each class against the rest.
import { ConfigError } from '../errors';
import { checkEvalData, type CheckedData, type EvalData } from './inputs';

export interface CalibrationOptions {
  /** Default CLASS_NAMES (covid, pneumonia, normal). */
  classNames?: readonly string[];
  /** Number of equal-width bins over [0, 1]. Default 15. */
  bins?: number;
}

export const DEFAULT_CALIBRATION_BINS = 15;

/**
 * One bin of a reliability diagram: images whose confidence lies in (lower, upper] (the first bin
 * also takes 0). An empty bin has count 0 and NaN mean confidence, accuracy and gap; it does not
 * enter ECE or MCE.
 */
export interface ReliabilityBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly meanConfidence: number;
  /** Top label: the fraction predicted correctly. Per class: the fraction whose true class is that class. */
  readonly accuracy: number;
  /** accuracy − meanConfidence (negative = over-confident). */
  readonly gap: number;
}

export interface ClassCalibration {
  readonly name: string;
  /** Σ_bins (count / n) · |gap| with confidence = this class's probability, for every image. */
  readonly ece: number;
  readonly mce: number;
  readonly reliability: readonly ReliabilityBin[];
}

export interface CalibrationReport {
  readonly n: number;
  readonly bins: number;
  /** Top-label ECE: confidence = the largest probability, correct = its class is the true one. */
  readonly ece: number;
  /** The largest |gap| over non-empty bins. */
  readonly mce: number;
  readonly reliability: readonly ReliabilityBin[];
  /** One-vs-rest calibration of each probability column. */
  readonly perClass: readonly ClassCalibration[];
  /** The mean of the per-class ECEs (Kull et al.'s classwise ECE). */
  readonly classwiseEce: number;
}

export function calibration(data: EvalData, options: CalibrationOptions = {}): CalibrationReport {
  const bins = options.bins ?? DEFAULT_CALIBRATION_BINS;
  if (!Number.isInteger(bins) || bins < 1) throw new ConfigError('calibration', [`\`bins\` must be a positive integer. Received: ${String(bins)}`]);
  return calibrationOf(checkEvalData(data, { classNames: options.classNames, source: 'calibration' }), bins);
}

/** Calibration of checked inputs. */
export function calibrationOf(d: CheckedData, bins: number): CalibrationReport {
  const confidence = new Float64Array(d.n);
  const hit = new Uint8Array(d.n);
  for (let i = 0; i < d.n; i++) {
    const pred = d.yPred[i] as number;
    confidence[i] = d.probs[i * d.k + pred] as number;
    hit[i] = pred === d.yTrue[i] ? 1 : 0;
  }
  const top = binned(confidence, hit, bins);
  const perClass = d.classNames.map((name, c) => {
    for (let i = 0; i < d.n; i++) {
      confidence[i] = d.probs[i * d.k + c] as number;
      hit[i] = d.yTrue[i] === c ? 1 : 0;
    }
    return { name, ...binned(confidence, hit, bins) };
  });
  return { n: d.n, bins, ...top, perClass, classwiseEce: perClass.reduce((s, c) => s + c.ece, 0) / perClass.length };
}

/** The bin of a confidence in [0, 1]: bin b holds (b/B, (b+1)/B], bin 0 also holds 0. */
export function binIndex(confidence: number, bins: number): number {
  let b = Math.min(bins - 1, Math.max(0, Math.ceil(confidence * bins) - 1));
  // ceil(x·B) can land one off an edge in floating point; settle against the edges themselves.
  while (b > 0 && confidence <= b / bins) b--;
  while (b < bins - 1 && confidence > (b + 1) / bins) b++;
  return b;
}

function binned(confidence: Float64Array, hit: Uint8Array, bins: number): { ece: number; mce: number; reliability: ReliabilityBin[] } {
  const count = new Float64Array(bins);
  const confSum = new Float64Array(bins);
  const hitSum = new Float64Array(bins);
  for (let i = 0; i < confidence.length; i++) {
    const b = binIndex(confidence[i] as number, bins);
    count[b]! += 1;
    confSum[b]! += confidence[i] as number;
    hitSum[b]! += hit[i] as number;
  }
  let ece = 0;
  let mce = 0;
  const reliability: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const c = count[b] as number;
    const meanConfidence = c === 0 ? Number.NaN : (confSum[b] as number) / c;
    const accuracy = c === 0 ? Number.NaN : (hitSum[b] as number) / c;
    const gap = accuracy - meanConfidence;
    if (c > 0) {
      ece += (c / confidence.length) * Math.abs(gap);
      mce = Math.max(mce, Math.abs(gap));
    }
    reliability.push({ lower: b / bins, upper: (b + 1) / bins, count: c, meanConfidence, accuracy, gap });
  }
  return { ece, mce, reliability };
}
