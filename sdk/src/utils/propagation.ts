/**
 * Context propagation between services: W3C `traceparent`/`tracestate` and `baggage` headers.
 * Each tracer owns its propagator (the global one is left alone) and adds its session id to the
 * baggage, so a downstream service continues the same trace and the same session.
 */
import {
  type Context,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { SESSION_BAGGAGE_KEY, type SessionManager } from './sessions';

export type Carrier = Record<string, string | string[] | undefined>;

export interface ContextPropagation {
  /** Writes traceparent, tracestate and baggage for the active (or given) context into `carrier`. */
  injectContext<T extends Carrier>(carrier: T, ctx?: Context): T;
  /** Reads them back: the returned context parents new spans and carries the caller's session. */
  extractContext(carrier: Carrier, ctx?: Context): Context;
}

export function createPropagation(sessions: SessionManager): ContextPropagation {
  const propagator = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  });
  return {
    injectContext(carrier, ctx = context.active()) {
      const withSession = sessions.contextWithSession(ctx, sessions.sessionFor(ctx));
      propagator.inject(withSession, carrier, defaultTextMapSetter);
      return carrier;
    },
    extractContext(carrier, ctx = context.active()) {
      const extracted = propagator.extract(ctx, carrier, defaultTextMapGetter);
      const session = propagation.getBaggage(extracted)?.getEntry(SESSION_BAGGAGE_KEY)?.value;
      return session ? sessions.contextWithSession(extracted, session) : extracted;
    },
  };
}
