/**
 * OTLP/HTTP trace exporter for Waggle: protobuf (default) or JSON, gzip (default), bearer key, retries
 * on the spec's retryable answers with backoff, Retry-After and an overall deadline. It reports every
 * outcome through the ExportResult callback and counters; nothing it meets ever throws to the caller.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { type HttpResponse, HttpSendError, sendHttp } from '../integration/http';
import { encodeProtobufInSlices } from './chunked-encoding';
import {
  backoffDelayMs,
  isRetryableStatus,
  normalizeRetryPolicy,
  parseRetryAfterMs,
  type RetryPolicy,
} from './retry-policy';

const gzip = promisify(gzipCallback);

export type OtlpProtocol = 'protobuf' | 'json';
export type OtlpCompression = 'gzip' | 'none';

export interface WaggleOtlpExporterOptions {
  /** Full endpoint URL, e.g. http://localhost:4318/v1/traces. */
  url: string;
  apiKey: string;
  protocol?: OtlpProtocol;
  compression?: OtlpCompression;
  /** Time limit of one HTTP attempt. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Extra request headers (project, source...); Authorization and content headers win over these. */
  headers?: Record<string, string>;
  /** Uniform [0, 1) source for jitter; injectable for tests. */
  random?: () => number;
}

export interface ExporterCounters {
  /** HTTP attempts made, retries included. */
  requests: number;
  /** Spans the endpoint accepted, rejected ones (partial success) excluded. */
  exportedSpans: number;
  /** Spans given up on: permanent errors, retries exhausted, deadline, shutdown. */
  failedSpans: number;
  /** Spans the endpoint answered 2xx for but counted as rejected in partial_success. */
  rejectedSpans: number;
  partialSuccesses: number;
  retries: number;
  /** 2xx answers whose body could not be read as an ExportTraceServiceResponse. */
  malformedResponses: number;
}

const DEFAULT_EXPORT_TIMEOUT_MS = 10_000;

type AttemptOutcome =
  | { kind: 'success'; response: HttpResponse }
  | { kind: 'retryable'; retryAfterMs: number | undefined; error: Error }
  | { kind: 'permanent'; error: Error };

export class WaggleOtlpExporter implements SpanExporter {
  private readonly url: string;
  private readonly protocol: OtlpProtocol;
  private readonly compression: OtlpCompression;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly headers: Record<string, string>;
  private readonly random: () => number;
  private readonly pending = new Set<Promise<void>>();
  // Aborted on shutdown: ends backoff waits and in-flight requests so shutdown is prompt.
  private readonly shutdownController = new AbortController();
  private readonly counts: ExporterCounters = {
    requests: 0,
    exportedSpans: 0,
    failedSpans: 0,
    rejectedSpans: 0,
    partialSuccesses: 0,
    retries: 0,
    malformedResponses: 0,
  };

  constructor(options: WaggleOtlpExporterOptions) {
    this.url = options.url;
    this.protocol = options.protocol ?? 'protobuf';
    this.compression = options.compression ?? 'gzip';
    this.timeoutMs =
      options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs) && options.timeoutMs > 0
        ? options.timeoutMs
        : DEFAULT_EXPORT_TIMEOUT_MS;
    this.retry = normalizeRetryPolicy(options.retry);
    this.random = options.random ?? Math.random;
    this.headers = {
      ...options.headers,
      authorization: `Bearer ${options.apiKey}`,
      'content-type': this.protocol === 'json' ? 'application/json' : 'application/x-protobuf',
      accept: this.protocol === 'json' ? 'application/json' : 'application/x-protobuf',
    };
    if (this.compression === 'gzip') this.headers['content-encoding'] = 'gzip';
  }

  /** A snapshot of the counters since construction. */
  counters(): ExporterCounters {
    return { ...this.counts };
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let called = false;
    const report = (result: ExportResult): void => {
      if (called) return;
      called = true;
      try {
        resultCallback(result);
      } catch {
        // The callback is the SDK's; a bug there must not escape into the application.
      }
    };
    if (this.shutdownController.signal.aborted) {
      this.counts.failedSpans += spans.length;
      report({ code: ExportResultCode.FAILED, error: new Error('exporter is shut down') });
      return;
    }
    const task = this.exportWithRetries(spans).then(report, (error: unknown) => {
      this.counts.failedSpans += spans.length;
      report({ code: ExportResultCode.FAILED, error: toError(error) });
    });
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  /** Resolves when the exports started so far have finished. */
  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  /** Ends backoff waits and in-flight requests; later exports fail at once. Idempotent. */
  async shutdown(): Promise<void> {
    this.shutdownController.abort();
    await Promise.allSettled([...this.pending]);
  }

  private async exportWithRetries(spans: ReadableSpan[]): Promise<ExportResult> {
    if (spans.length === 0) return { code: ExportResultCode.SUCCESS };
    const body = await this.encode(spans);
    const started = performance.now();
    const signal = this.shutdownController.signal;
    let lastError: Error = new Error('export not attempted');
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      const remaining = this.retry.deadlineMs - (performance.now() - started);
      if (remaining <= 0 || signal.aborted) break;
      const outcome = await this.attempt(body, Math.min(this.timeoutMs, remaining), signal);
      if (outcome.kind === 'success') {
        this.readResponse(outcome.response, spans.length);
        return { code: ExportResultCode.SUCCESS };
      }
      lastError = outcome.error;
      if (outcome.kind === 'permanent' || attempt === this.retry.maxAttempts) break;
      const delay = outcome.retryAfterMs ?? backoffDelayMs(this.retry, attempt, this.random);
      // A wait that would end past the deadline cannot lead to a useful attempt: give up now.
      if (performance.now() - started + delay >= this.retry.deadlineMs) {
        lastError = new Error(
          `${outcome.error.message}; next retry in ${delay} ms is past the export deadline`,
        );
        break;
      }
      this.counts.retries++;
      if (!(await sleep(delay, signal))) break;
    }
    this.counts.failedSpans += spans.length;
    return { code: ExportResultCode.FAILED, error: lastError };
  }

  private async encode(spans: ReadableSpan[]): Promise<Uint8Array> {
    const raw =
      this.protocol === 'json'
        ? JsonTraceSerializer.serializeRequest(spans)
        : await encodeProtobufInSlices(spans);
    if (raw === undefined) throw new Error('spans could not be serialized to OTLP');
    // Async gzip runs on the libuv pool, keeping large batches off the event loop.
    return this.compression === 'gzip' ? new Uint8Array(await gzip(raw)) : raw;
  }

  private async attempt(body: Uint8Array, timeoutMs: number, signal: AbortSignal): Promise<AttemptOutcome> {
    this.counts.requests++;
    let response: HttpResponse;
    try {
      response = await sendHttp({
        url: this.url,
        method: 'POST',
        headers: this.headers,
        body,
        timeoutMs,
        signal,
      });
    } catch (error) {
      const err = toError(error);
      const retryable =
        error instanceof HttpSendError && (error.reason === 'network' || error.reason === 'timeout');
      return retryable
        ? { kind: 'retryable', retryAfterMs: undefined, error: err }
        : { kind: 'permanent', error: err };
    }
    if (response.status >= 200 && response.status < 300) return { kind: 'success', response };
    const error = new Error(`OTLP endpoint answered HTTP ${response.status}`);
    if (!isRetryableStatus(response.status)) return { kind: 'permanent', error };
    return {
      kind: 'retryable',
      retryAfterMs: parseRetryAfterMs(response.headers['retry-after'], Date.now()),
      error,
    };
  }

  /** Counts accepted and partially rejected spans; a body that is not a valid response is only counted. */
  private readResponse(response: HttpResponse, spanCount: number): void {
    let rejected = 0;
    if (response.body.byteLength > 0) {
      try {
        const partial = this.partialSuccessOf(response.body);
        if (partial !== undefined) {
          this.counts.partialSuccesses++;
          const value = Number(partial.rejectedSpans ?? 0);
          rejected = Number.isFinite(value) ? Math.min(spanCount, Math.max(0, Math.floor(value))) : 0;
        }
      } catch {
        this.counts.malformedResponses++;
      }
    }
    this.counts.rejectedSpans += rejected;
    this.counts.exportedSpans += spanCount - rejected;
  }

  /** The response's partial_success, undefined when there is none; throws when the body is not a response. */
  private partialSuccessOf(body: Uint8Array): { rejectedSpans?: unknown } | undefined {
    if (this.protocol === 'protobuf') {
      return ProtobufTraceSerializer.deserializeResponse(body).partialSuccess ?? undefined;
    }
    // Parsed here rather than by JsonTraceSerializer, which hides malformed bodies as empty responses.
    const parsed: unknown = JSON.parse(new TextDecoder().decode(body));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('response is not a JSON object');
    }
    const record = parsed as Record<string, unknown>;
    const partial = record.partialSuccess ?? record.partial_success;
    if (typeof partial !== 'object' || partial === null) return undefined;
    const fields = partial as Record<string, unknown>;
    return { rejectedSpans: fields.rejectedSpans ?? fields.rejected_spans };
  }
}

/** Waits `ms`; resolves false early when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    timer.unref();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
