// Evaluation on plain numbers: the classification report, ROC, calibration, bootstrap intervals and
// per-group reports. predictProbabilities (the tensor boundary, predict.ts) is left out on purpose:
// importing this module does not load TensorFlow.
export type { Predictions } from './predict';
export { accuracyOf, argmaxRows, confusionMatrix } from './confusion';
export { checkEvalData, ROW_SUM_TOLERANCE, type CheckedData, type EvalData } from './inputs';
export { averageOf, countsFromConfusion, rates, ratio, UNDEFINED_POLICIES, type ClassCounts, type ClassRates, type UndefinedPolicy } from './class-metrics';
export { aucOfSorted, curveArea, rocAuc, rocCurve, type BinaryScores, type RocCurve } from './roc';
export { DEFAULT_LOG_LOSS_EPSILON, logLoss, type LogLossOptions } from './log-loss';
export { classificationReport, type AveragedMetrics, type ClassificationReport, type ClassReport, type ReportOptions } from './report';
export { binIndex, calibration, DEFAULT_CALIBRATION_BINS, type CalibrationOptions, type CalibrationReport, type ClassCalibration, type ReliabilityBin } from './calibration';
export { sampleMetrics, standardMetrics, type AverageMetricOptions, type ClassMetricOptions, type MetricSample, type SampleMetric, type StandardMetricOptions } from './sample-metrics';
export { bootstrapCI, DEFAULT_LEVEL, DEFAULT_RESAMPLES, percentile, type BootstrapInterval, type BootstrapOptions, type BootstrapResult } from './bootstrap';
export { DEFAULT_MIN_CLASS_SUPPORT, DEFAULT_MIN_IMAGES, reportByGroup, type GroupReport, type GroupReportOptions } from './per-group';
