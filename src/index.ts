// cxrlab's public API: notebooks, the CLI and users import only what is listed here.
// Internals (native/, the stage helpers) stay free to change.
export { tf } from './native/tf';
export { backendInfo, describeBackend, type BackendInfo } from './native/backend-info';
export { enableFastPath, disableFastPath, describeFastPath, type FastOpStatus } from './native/fast';
export { CxrlabError, ConfigError, DataError } from './errors';
export { loadExperiment, parseExperiment, type LoadOptions } from './config/load';
export type { ExperimentConfig } from './config/schema';
export { CLASS_NAMES, classOf, type ClassName } from './data/classes';
export { dataSchema, dataSources, type DataConfig, type SourceConfig, type FolderSourceConfig, type CsvSourceConfig } from './data/config';
export { buildIndex, BadFilesError, type IndexOptions } from './data/build-index';
export { splitIndex, splitRecord, type IndexSplit, type SplitRecord, type StratumSplit, type GroupSplitOptions } from './data/group-split';
export { overlapReport, describeOverlap, type OverlapReport } from './data/overlap';
export { dataSummary, formatDataSummary, type DataSummary } from './data/summary';
export { indexCounts, splitCounts, type IndexCounts, type SplitPart, type ClassCounts } from './data/counts';
export { indexFrame, INDEX_COLUMNS } from './data/index-frame';
export { isUsable, SKIP_REASONS, SPLIT_NAMES, type DatasetIndex, type IndexEntry, type IndexedImage, type ImageEntry, type SkipReason, type SplitName } from './data/index-entry';
export { decodeImage, decodePixels, writeUnitRange, DECODE_VERSION, type DecodeOptions, type DecodedPixels } from './data/decode';
export { loadTensors, disposeTensors, type LabelledTensors, type LoadTensorsOptions, type LoadEntry } from './data/load-tensors';
export { decodeCached, decodeCachedPlanes, cachedLoader, cacheKey, cachePath, emptyCacheStats, type DecodeCacheOptions, type DecodeCacheStats, type CachedDecodeOptions } from './data/decode-cache';
export { decodeDicom, DicomError, hasDicomMagic, type DicomGrey } from './data/dicom';
export { IMAGE_EXTENSIONS, CROP_POLICIES, DEFAULT_CROP, type CropPolicy } from './data/image-types';
export { streamBatches, type StreamOptions } from './data/stream-batches';
export { buildTransferModel, setTrainableBackbone, type TransferModel, type TransferOptions } from './model/transfer';
export { buildModel, MODEL_NAMES, type ModelName, type ModelOptions } from './model/zoo';
export { fit, compileForClassification, type FitOptions, type FitData, type FitResult, type EpochLogs } from './train/fit';
export { memoryBatches, expandPlanes, type Batch, type BatchSource } from './train/memory-batches';
export { toPlanes, toChannels, type PlanePixels } from './data/planes';
export * from './train/callbacks';
export { makeOptimizer, setLearningRate, getLearningRate, OPTIMIZER_NAMES, type OptimizerName, type OptimizerOptions } from './train/optimizers';
export { categoricalCrossentropy, balancedClassWeights, type LossOptions } from './train/loss';
export { makeSchedule, type ScheduleOptions } from './train/schedules';
export { applyOverrides } from './config/overrides';
export { predictProbabilities, type Predictions } from './eval/predict';
export * from './eval';
export type { Figure } from './plots/figure';
export { trainingCurves } from './plots/curves';
export { confusionFigure } from './plots/confusion';
export { rocFigure } from './plots/roc';
export { reliabilityFigure } from './plots/reliability';
export { confusionPng, confusionSvg } from './plots/confusion-png';
export { figureHtml } from './plots/html';
export { imageGridPng, type ImageGridOptions } from './plots/image-grid';
export { pngGrid, type PngGridOptions } from './plots/png-grid';
export { showFigure, showPng, showMarkdown, liveDisplay, liveCurves, interruptSignal, overridesFromEnv, type LiveDisplay } from './notebook/display';
export { gradcam, type GradcamOptions, type GradcamResult } from './explain/gradcam';
export { writeOverlayPng, overlayPng, type OverlayOptions, type OverlayImage, type OverlayMap } from './explain/overlay';
export { writeGradcams, type GalleryOptions } from './explain/gallery';
export { gradcamOverlays, type OverlayModel } from './explain/overlays';
export { loadTrainedModel, runConfigOf, type TrainedModel, type LoadModelOptions } from './predict/load-model';
export { fetchRunModel, isRunId, RunModelError, MODEL_CACHE_DIR, RUN_MODEL_SOURCE_FILE, type FetchRunModelOptions, type FetchedRunModel, type RunModelSource, type RunModelProblem } from './predict/mlflow-model';
export { compareRuns, runTable, metricHistories, bestRun, KEY_PARAMS, KEY_METRICS, type CompareRunsOptions, type ComparedRun, type MetricPoint, type MetricHistories } from './tracking/compare';
export { predictFiles, listInputs, type Prediction, type PredictOptions } from './predict/predict-files';
export { servePredictions, type ServeOptions, type PredictService } from './serve/server';
export * as mlflow from './mlflow-client';
export { resolveTracking, defaultTracking, type TrackingTarget, type ResolveTrackingOptions } from './tracking/resolve';
export { startRunTracker, systemTags, gradcamImageKey, GRADCAM_DIR, type RunTracker, type TrackerOptions } from './tracking/run-tracker';
export { flattenParams } from './tracking/flatten';
export { SPOOL_FILE, Spool, REGISTER_KEY_TAG, type SpoolOp, type SpoolRecord } from './tracking/spool';
export { replaySpool, isTransientError, type ReplayResult } from './tracking/spool-replay';
export { mlflowDelivery, type DeliveryOptions, type Registration } from './tracking/spool-delivery';
export { syncRunFolder, type SyncOptions, type JournalSync } from './cli/sync';
export {
  loadSweep,
  parseSweep,
  planSweep,
  runSweep,
  trialValues,
  summarise,
  summaryCsv,
  formatOverride,
  type SweepSpec,
  type SweepPlan,
  type PlannedTrial,
  type PlanOptions,
  type SweepOptions,
  type SweepResult,
  type SweepSummary,
  type TrialOutcome,
} from './sweep';
export { ensureEmbeddedServer, stopEmbeddedServer, type EmbeddedServer, type EmbeddedServerOptions } from './tracking/embedded-server';
export {
  makeAugmenter,
  applyParams,
  resolveAugmentOptions,
  sampleParams,
  sampleBatchParams,
  affineMatrix,
  projectiveRow,
  IDENTITY_PARAMS,
  FILL_MODES,
  type AugmentOptions,
  type AugmentConfig,
  type AugmentParams,
  type Augmenter,
  type AugmentResult,
  type BatchPosition,
  type FillMode,
  type ShiftRange,
  type ImageSize,
} from './augment';
export { augmentedBatches } from './augment/augmented-batches';
export { runExperiment, type ExperimentResult, type ExperimentHooks } from './experiment';
export { prepareData, type RunData, type RunCounts } from './run/data';
export { experimentAugmenter } from './run/augmenter';
export { createRunDir, latestRunDir } from './run/dir';
export { evaluateSplit, evaluationMetrics, type SplitEvaluation, type EvaluateOptions } from './run/evaluate';
export { shortcutAudit, auditMetrics, type ShortcutAudit, type ShortcutProbe, type ShortcutAuditOptions, type AuditPart } from './run/shortcut-audit';
export { modelCard, type ModelCardInput } from './run/model-card';
export { linearProbe, type LinearProbeOptions, type LinearProbeResult } from './eval/linear-probe';
export { Rng, deriveSeed } from './util/rng';
