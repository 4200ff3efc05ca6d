/**
 * Span events: all are kept under metadata.span_events; exceptions give the error message, and
 * GenAI events carry messages (gen_ai.user.message, gen_ai.choice) or the operation details
 * (gen_ai.client.inference.operation.details) that map like span attributes.
 */
import type { AttributeValue, OtlpSpanEvent } from '../otlp/model';
import { capAttributeValue, type TruncationContext } from './attribute-values';
import type { ConventionFields } from './convention-fields';
import { genAiConvention, offerEventMessages } from './conventions/gen-ai';
import type { JsonObject } from './event';
import { parseJson, setOwn, toJsonValue } from './json-path';

const MESSAGE_EVENT_ROLES: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

/** Events whose attributes are gen_ai.* attributes in their own right. */
const ATTRIBUTE_EVENTS = new Set([
  'gen_ai.client.inference.operation.details',
  'gen_ai.content.prompt',
  'gen_ai.content.completion',
]);

export interface MappedSpanEvents {
  spanEvents: JsonObject[];
  /** exception.message (or exception.type) of the first exception event. */
  exceptionMessage: string | undefined;
}

function parsed(value: AttributeValue | undefined): unknown {
  if (typeof value === 'string') return parseJson(value) ?? value;
  return value === undefined ? undefined : toJsonValue(value);
}

function exceptionText(attributes: Record<string, AttributeValue>): string | undefined {
  const message = attributes['exception.message'];
  if (typeof message === 'string' && message !== '') return message;
  const type = attributes['exception.type'];
  return typeof type === 'string' && type !== '' ? type : undefined;
}

export function mapSpanEvents(
  events: readonly OtlpSpanEvent[],
  genAi: ConventionFields,
  cap: TruncationContext,
): MappedSpanEvents {
  const spanEvents: JsonObject[] = [];
  const inputMessages: unknown[] = [];
  const choices: unknown[] = [];
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

    if (event.name === 'exception') {
      exceptionMessage ??= exceptionText(attributes);
      continue;
    }
    const role = MESSAGE_EVENT_ROLES[event.name];
    if (role !== undefined) {
      const message: JsonObject = { role };
      const content = parsed(attributes.content);
      if (content !== undefined) message.content = content;
      inputMessages.push(message);
    } else if (event.name === 'gen_ai.choice') {
      const message = parsed(attributes.message);
      const choice: JsonObject =
        typeof message === 'object' && message !== null && !Array.isArray(message)
          ? { ...(message as JsonObject) }
          : {};
      if (choice.role === undefined) choice.role = 'assistant';
      if (choice.content === undefined && attributes.content !== undefined)
        choice.content = parsed(attributes.content);
      if (attributes.finish_reason !== undefined)
        choice.finish_reason = toJsonValue(attributes.finish_reason);
      choices.push(choice);
    } else if (ATTRIBUTE_EVENTS.has(event.name)) {
      for (const key of Object.keys(attributes))
        genAiConvention.apply(key, attributes[key] as AttributeValue, genAi);
    }
  }
  offerEventMessages(genAi, inputMessages, choices);
  return { spanEvents, exceptionMessage };
}
