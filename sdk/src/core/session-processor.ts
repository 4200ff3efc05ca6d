/**
 * Stamps every span that starts on the tracer's provider (its own spans and those of third-party
 * instrumentations registered with it) with the session, project and source, then hands spans to
 * the export pipeline. Runs in onStart, so the attributes are there before any exporter sees them.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR } from '../instrumentation/encoder';

export interface SessionStamp {
  sessionFor(ctx: Context): string;
  project: string;
  source: string;
  sessionName: string;
}

export class SessionSpanProcessor implements SpanProcessor {
  constructor(
    private readonly stamp: SessionStamp,
    private readonly next: SpanProcessor,
    private readonly onError: (error: unknown) => void,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    try {
      const stamp = this.stamp;
      const attributes = span.attributes;
      if (attributes[ATTR.sessionId] === undefined) {
        span.setAttribute(ATTR.sessionId, stamp.sessionFor(parentContext));
      }
      // Spans our tracer started already carry these (same values): setting them again changes nothing.
      if (attributes[ATTR.project] !== stamp.project) span.setAttribute(ATTR.project, stamp.project);
      if (attributes[ATTR.source] !== stamp.source) span.setAttribute(ATTR.source, stamp.source);
      if (attributes[ATTR.sessionName] !== stamp.sessionName) {
        span.setAttribute(ATTR.sessionName, stamp.sessionName);
      }
    } catch (error) {
      this.onError(error);
    }
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.next.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
