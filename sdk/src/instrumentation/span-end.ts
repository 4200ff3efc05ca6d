/** Ending a traced span with its outcome: outputs on success; status, exception and honeyhive_error on failure. */
import { type Span, SpanStatusCode } from '@opentelemetry/api';
import { ATTR, type Encoder } from './encoder';

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  try {
    return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    return String(error);
  }
}

function recordError(span: Span, error: unknown): void {
  const message = errorMessage(error);
  span.recordException(error instanceof Error ? error : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute(ATTR.error, message);
}

export function endWithResult(span: Span, encoder: Encoder, capture: boolean, result: unknown): void {
  if (capture && result !== undefined) span.setAttributes(encoder.section('outputs', { result }));
  span.end();
}

export function endWithError(span: Span, error: unknown): void {
  recordError(span, error);
  span.end();
}
