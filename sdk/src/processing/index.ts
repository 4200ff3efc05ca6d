export type { ExportPipelineOptions, ExportPipelineStats, WaggleSpanProcessor } from './export-pipeline';
export { createExportPipeline } from './export-pipeline';
export type { ExportProfile, ExportProfileName } from './export-profiles';
export { EXPORT_PROFILES } from './export-profiles';
export type {
  ExporterCounters,
  OtlpCompression,
  OtlpProtocol,
  WaggleOtlpExporterOptions,
} from './otlp-exporter';
export { WaggleOtlpExporter } from './otlp-exporter';
export type { LogSink, RateLimitedLogger, RateLimitedLoggerOptions } from './rate-limited-logger';
export { createRateLimitedLogger } from './rate-limited-logger';
export type { RetryPolicy } from './retry-policy';
export { DEFAULT_RETRY_POLICY } from './retry-policy';
