/**
 * Waggle tracing SDK. The public surface is re-exported here; the modules are grouped by job
 * (core, infra, instrumentation, integration, lifecycle, processing, utils).
 */
export type {
  ExportCompression,
  ExportProfile,
  ExportProtocol,
  RedactOption,
  ResolveResult,
  TracerConfig,
  TracerOptions,
  TracerSettings,
  TypedTracerConfig,
  WaggleLogger,
} from './core/config';
export { DEFAULT_SERVER_URL, defineTracerConfig, resolveConfig } from './core/config';
export { releaseContextManager } from './core/context-manager';
export type { StartSpanOptions } from './core/tracer';
export { WaggleTracer } from './core/tracer';
export { SDK_NAME, SDK_VERSION } from './core/version';
export type { InlineDatapoint } from './experiments/datapoints';
export { MAX_EVALUATE_DATAPOINTS } from './experiments/datapoints';
export type { EvaluateFunction, EvaluateOptions, EvaluateResult, Evaluator } from './experiments/evaluate';
export { evaluate } from './experiments/evaluate';
export { EvaluateError } from './experiments/platform-api';
export type { DatapointOutcome, EvaluateSummary, MetricSummary } from './experiments/summary';
export type { EnrichSessionInput, EnrichSpanInput } from './instrumentation/enrich';
export { enrichSession, enrichSpan } from './instrumentation/helpers';
export type { TraceOptions } from './instrumentation/trace';
export type { InstrumentationLike, RegisterResult } from './integration/instrumentations';
export { registerWithProvider } from './integration/instrumentations';
export type { LambdaFlushOptions } from './lifecycle/lambda';
export { wrapLambdaHandler } from './lifecycle/lambda';
export type {
  ExportPipelineOptions,
  ExportPipelineStats,
  WaggleSpanProcessor,
} from './processing/export-pipeline';
export { createExportPipeline } from './processing/export-pipeline';
export type { EventType } from './utils/event-types';
export { EVENT_TYPES, inferEventType } from './utils/event-types';
export type { Carrier } from './utils/propagation';
export type { RedactionOptions, Redactor } from './utils/redaction';
export { createRedactor } from './utils/redaction';
export type { StartSessionOptions } from './utils/sessions';
