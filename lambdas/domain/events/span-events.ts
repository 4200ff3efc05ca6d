/**
 * Span events: all are kept under metadata.span_events, and exceptions give the error message.
 * Each event (its attribute values capped) is also offered to the conventions that read span
 * events (AttributeConvention.spanEvent: GenAI message and operation-details events).
 */
import type { AttributeValue, OtlpSpanEvent } from '../otlp/model';
import { capAttributeValue, type TruncationContext } from './attribute-values';
import { type ConventionFields, fieldsOf } from './convention-fields';
import type { Target } from './convention-routing';
import type { JsonObject } from './event';
import { setOwn, toJsonValue } from './json-path';

interface MappedSpanEvents {
  spanEvents: JsonObject[];
  /** exception.message (or exception.type) of the first exception event. */
  exceptionMessage: string | undefined;
}

// Most spans have no events: they share this result (callers only read it; an empty list is never stored).
const NO_EVENTS: MappedSpanEvents = { spanEvents: [], exceptionMessage: undefined };

function exceptionText(attributes: Record<string, AttributeValue>): string | undefined {
  const message = attributes['exception.message'];
  if (typeof message === 'string' && message !== '') return message;
  const type = attributes['exception.type'];
  return typeof type === 'string' && type !== '' ? type : undefined;
}

export function mapSpanEvents(
  events: readonly OtlpSpanEvent[],
  cap: TruncationContext,
  /** Conventions with a spanEvent hook. */
  hooks: readonly Target[],
  fields: ConventionFields[],
): MappedSpanEvents {
  if (events.length === 0) return NO_EVENTS;
  const spanEvents: JsonObject[] = [];
  let exceptionMessage: string | undefined;
  for (let index = 0; index < events.length; index++) {
    const event = events[index] as OtlpSpanEvent;
    const attributes: Record<string, AttributeValue> = {};
    for (const key of Object.keys(event.attributes)) {
      const value = capAttributeValue(
        `span_events.${index}.${key}`,
        event.attributes[key] as AttributeValue,
        cap,
      );
      setOwn(attributes, key, value);
    }
    spanEvents.push({ name: event.name, time: event.timeUnixMs, attributes: toJsonValue(attributes) });

    if (event.name === 'exception') exceptionMessage ??= exceptionText(attributes);
    for (const { index: at, convention } of hooks)
      convention.spanEvent?.(event.name, attributes, fieldsOf(fields, at));
  }
  return { spanEvents, exceptionMessage };
}
