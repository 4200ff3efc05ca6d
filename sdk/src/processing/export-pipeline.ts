/**
 * The span processor between the tracer and the exporter: ended spans go into a bounded queue (a full
 * queue drops new spans and counts them, so memory stays bounded whatever the producer does), leave in
 * batches by size or after a delay, with one export in flight at a time. flush and shutdown have time
 * limits, shutdown is idempotent, and no method ever throws into the application.
 */
import type { Context } from '@opentelemetry/api';
import { TraceFlags } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { EXPORT_PROFILES, type ExportProfileName } from './export-profiles';
import { type OtlpCompression, type OtlpProtocol, WaggleOtlpExporter } from './otlp-exporter';
import { defaultLogger, type RateLimitedLogger } from './rate-limited-logger';
import type { RetryPolicy } from './retry-policy';

export interface ExportPipelineOptions {
  url: string;
  apiKey: string;
  protocol?: OtlpProtocol;
  compression?: OtlpCompression;
  /** Defaults for everything below; 'long-running' unless set. */
  profile?: ExportProfileName;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
  scheduledDelayMs?: number;
  /** Time limit of one HTTP attempt. */
  exportTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  logger?: RateLimitedLogger;
  /** How long shutdown() waits for pending spans before abandoning them; 30 s unless set. */
  shutdownTimeoutMs?: number;
  /** Extra headers sent with every export. */
  headers?: Record<string, string>;
  /** Replaces the OTLP exporter (tests, custom transports); the pipeline still owns its lifecycle. */
  exporter?: SpanExporter;
}

export interface ExportPipelineStats {
  /** Spans waiting in the queue now. */
  queued: number;
  /** Spans handed to the exporter and accepted. */
  exported: number;
  /** Spans never handed to the exporter: queue full or pipeline shut down. */
  dropped: number;
  /** Spans the exporter gave up on. */
  failed: number;
  /** Export retries (HTTP attempts after the first). */
  retries: number;
}

export interface WaggleSpanProcessor extends SpanProcessor {
  stats(): ExportPipelineStats;
}

/** Default time limits of forceFlush/shutdown when the caller (the OTel provider) gives none. */
const DEFAULT_FLUSH_TIMEOUT_MS = 30_000;
const EXPORT_GUARD_MARGIN_MS = 250;

export function createExportPipeline(options: ExportPipelineOptions): WaggleSpanProcessor {
  return new ExportPipeline(options);
}

class ExportPipeline implements WaggleSpanProcessor {
  private readonly exporter: SpanExporter;
  private readonly logger: RateLimitedLogger;
  private readonly maxQueueSize: number;
  private readonly batchSize: number;
  private readonly delayMs: number;
  /** Longest one export may take before the pipeline stops waiting for it and moves on. */
  private readonly exportGuardMs: number;
  private readonly shutdownTimeoutMs: number;
  private readonly queue: ReadableSpan[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  // Monotonic counts of spans enqueued and taken for export; a flush waits for the latter to reach the former.
  private enqueuedTotal = 0;
  private dequeuedTotal = 0;
  private exported = 0;
  private dropped = 0;
  private failed = 0;
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: ExportPipelineOptions) {
    const profile = EXPORT_PROFILES[options.profile ?? 'long-running'];
    this.logger = options.logger ?? defaultLogger();
    this.maxQueueSize = positiveInt(options.maxQueueSize, profile.maxQueueSize);
    this.batchSize = Math.min(
      this.maxQueueSize,
      positiveInt(options.maxExportBatchSize, profile.maxExportBatchSize),
    );
    this.delayMs = nonNegative(options.scheduledDelayMs, profile.scheduledDelayMs);
    const exportTimeoutMs = positiveInt(options.exportTimeoutMs, profile.exportTimeoutMs);
    const retry = { ...profile.retry, ...options.retry };
    // The exporter stops by its deadline; the margin covers encoding and callbacks.
    this.exportGuardMs = nonNegative(retry.deadlineMs, profile.retry.deadlineMs) + EXPORT_GUARD_MARGIN_MS;
    this.shutdownTimeoutMs = nonNegative(options.shutdownTimeoutMs, DEFAULT_FLUSH_TIMEOUT_MS);
    this.exporter =
      options.exporter ??
      new WaggleOtlpExporter({
        url: options.url,
        apiKey: options.apiKey,
        protocol: options.protocol ?? 'protobuf',
        compression: options.compression ?? 'gzip',
        timeoutMs: exportTimeoutMs,
        retry,
        ...(options.headers === undefined ? {} : { headers: options.headers }),
      });
  }

  stats(): ExportPipelineStats {
    const retries = this.exporter instanceof WaggleOtlpExporter ? this.exporter.counters().retries : 0;
    return {
      queued: this.queue.length,
      exported: this.exported,
      dropped: this.dropped,
      failed: this.failed,
      retries,
    };
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    try {
      if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
      if (this.shutdownPromise !== undefined) {
        this.dropped++;
        return;
      }
      if (this.queue.length >= this.maxQueueSize) {
        this.dropped++;
        this.logger.log('queue-full', `export queue full (${this.maxQueueSize} spans), dropping spans`);
        return;
      }
      this.queue.push(span);
      this.enqueuedTotal++;
      if (this.queue.length >= this.batchSize) this.pump();
      else this.armTimer();
    } catch (error) {
      this.logger.log('processor-error', `span processor error: ${String(error)}`);
    }
  }

  forceFlush(): Promise<void> {
    return this.flushWithin(DEFAULT_FLUSH_TIMEOUT_MS).then(() => undefined);
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.shutdownOnce();
    return this.shutdownPromise;
  }

  private async shutdownOnce(): Promise<void> {
    const flushed = await this.flushWithin(this.shutdownTimeoutMs);
    if (!flushed)
      this.logger.log('shutdown-timeout', 'shutdown: pending spans could not be exported in time');
    try {
      await this.exporter.shutdown();
    } catch (error) {
      this.logger.log('exporter-error', `exporter shutdown failed: ${String(error)}`);
    }
    // Exporter shutdown aborted any export still running; whatever is still queued will never leave now.
    this.dropped += this.queue.length;
    this.queue.length = 0;
  }

  /** Exports everything queued at the time of the call; true if done within `timeoutMs`. Never rejects. */
  private flushWithin(timeoutMs: number): Promise<boolean> {
    const target = this.enqueuedTotal;
    const drain = async (): Promise<void> => {
      while (this.dequeuedTotal < target || this.inFlight !== undefined) {
        if (this.inFlight === undefined) this.pump();
        if (this.inFlight === undefined) return;
        await this.inFlight;
        if (this.dequeuedTotal >= target) {
          // Spans enqueued after the flush started may be exported in the same loop; no need to wait for them.
          if (this.inFlight !== undefined) await this.inFlight;
          return;
        }
      }
    };
    return raceTimeout(drain(), timeoutMs);
  }

  private armTimer(): void {
    if (this.timer !== undefined || this.inFlight !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, this.delayMs);
    // Pending telemetry must not keep the process alive; flush/shutdown is the way to send it on exit.
    this.timer.unref();
  }

  /** Starts one export of up to a batch if none is in flight. */
  private pump(): void {
    if (this.inFlight !== undefined || this.queue.length === 0) return;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.queue.splice(0, this.batchSize);
    this.dequeuedTotal += batch.length;
    this.inFlight = this.exportBatch(batch).finally(() => {
      this.inFlight = undefined;
      if (this.queue.length >= this.batchSize) this.pump();
      else if (this.queue.length > 0) this.armTimer();
    });
  }

  private exportBatch(batch: ReadableSpan[]): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false;
      const settle = (ok: boolean, message?: string): void => {
        if (done) return;
        done = true;
        clearTimeout(guard);
        if (ok) this.exported += batch.length;
        else {
          this.failed += batch.length;
          this.logger.log(
            'export-failed',
            `failed to export ${batch.length} spans: ${message ?? 'unknown error'}`,
          );
        }
        resolve();
      };
      // An exporter that never calls back must not wedge the pipeline forever.
      const guard = setTimeout(
        () => settle(false, `no export result within ${this.exportGuardMs} ms`),
        this.exportGuardMs,
      );
      guard.unref();
      try {
        this.exporter.export(batch, (result) =>
          settle(result.code === ExportResultCode.SUCCESS, result.error?.message),
        );
      } catch (error) {
        settle(false, String(error));
      }
    });
  }
}

/** Resolves true if `work` settles within `ms`, false otherwise; never rejects. */
function raceTimeout(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, ms));
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}

function positiveInt(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

function nonNegative(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
}
