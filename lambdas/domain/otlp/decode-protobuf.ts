/**
 * A purpose-built decoder of ExportTraceServiceRequest (OTLP/HTTP protobuf) straight into the model.
 * It reads only what the model keeps and skips every other field by its wire type, so newer OTLP
 * versions still decode. Field tags are matched as (field number << 3 | wire type): a known field
 * arriving with an unexpected wire type is skipped as unknown, as the reference implementations do.
 *
 * Spans, attributes, events and links are counted against the OtlpLimits as they are decoded, so an
 * oversized request is refused (OtlpLimitError) without materialising the rest of it. The span loop
 * yields when its pacer says so, so the caller can let the event loop run between slices.
 */
import { finish, NEVER_DUE, type Pacer, type Steps } from '../time-slices';
import { MAX_ANY_VALUE_DEPTH, setAttribute } from './attributes';
import { int64FromWords } from './int64';
import { DEFAULT_OTLP_LIMITS, OtlpLimitError, type OtlpLimits } from './limits';
import {
  type Attributes,
  type AttributeValue,
  emptySpan,
  OtlpDecodeError,
  type OtlpResourceSpans,
  type OtlpScopeSpans,
  type OtlpSpan,
  type OtlpSpanEvent,
  type OtlpSpanLink,
  type OtlpTraceRequest,
} from './model';
import { RequestBudget } from './request-budget';
import { WireReader } from './wire-reader';

// Tags (field << 3 | wire type) of the fields the model keeps, named message by message.
const REQUEST_RESOURCE_SPANS = (1 << 3) | 2;
const RESOURCE_SPANS_RESOURCE = (1 << 3) | 2;
const RESOURCE_SPANS_SCOPE_SPANS = (2 << 3) | 2;
const RESOURCE_ATTRIBUTES = (1 << 3) | 2;
const SCOPE_SPANS_SCOPE = (1 << 3) | 2;
const SCOPE_SPANS_SPANS = (2 << 3) | 2;
const SCOPE_NAME = (1 << 3) | 2;
const SCOPE_VERSION = (2 << 3) | 2;
const SPAN_TRACE_ID = (1 << 3) | 2;
const SPAN_SPAN_ID = (2 << 3) | 2;
const SPAN_TRACE_STATE = (3 << 3) | 2;
const SPAN_PARENT_SPAN_ID = (4 << 3) | 2;
const SPAN_NAME = (5 << 3) | 2;
const SPAN_KIND = (6 << 3) | 0;
const SPAN_START_TIME = (7 << 3) | 1;
const SPAN_END_TIME = (8 << 3) | 1;
const SPAN_ATTRIBUTES = (9 << 3) | 2;
const SPAN_EVENTS = (11 << 3) | 2;
const SPAN_LINKS = (13 << 3) | 2;
const SPAN_STATUS = (15 << 3) | 2;
const EVENT_TIME = (1 << 3) | 1;
const EVENT_NAME = (2 << 3) | 2;
const EVENT_ATTRIBUTES = (3 << 3) | 2;
const LINK_TRACE_ID = (1 << 3) | 2;
const LINK_SPAN_ID = (2 << 3) | 2;
const LINK_ATTRIBUTES = (4 << 3) | 2;
const STATUS_MESSAGE = (2 << 3) | 2;
const STATUS_CODE = (3 << 3) | 0;
const KEY_VALUE_KEY = (1 << 3) | 2;
const KEY_VALUE_VALUE = (2 << 3) | 2;
const ANY_STRING = (1 << 3) | 2;
const ANY_BOOL = (2 << 3) | 0;
const ANY_INT = (3 << 3) | 0;
const ANY_DOUBLE = (4 << 3) | 1;
const ANY_ARRAY = (5 << 3) | 2;
const ANY_KVLIST = (6 << 3) | 2;
const ANY_BYTES = (7 << 3) | 2;
const LIST_VALUES = (1 << 3) | 2;

export function decodeTraceRequestProtobuf(
  bytes: Uint8Array,
  limits: Readonly<OtlpLimits> = DEFAULT_OTLP_LIMITS,
): OtlpTraceRequest {
  return finish(decodeTraceRequestProtobufSteps(bytes, limits, NEVER_DUE));
}

/** The decoder as step-generator work (see time-slices.ts): it yields between spans when `pacer` is due. */
export function* decodeTraceRequestProtobufSteps(
  bytes: Uint8Array,
  limits: Readonly<OtlpLimits>,
  pacer: Pacer,
): Steps<OtlpTraceRequest> {
  if (!(bytes instanceof Uint8Array)) throw new OtlpDecodeError('OTLP protobuf body must be bytes');
  const reader = new WireReader(bytes);
  try {
    return yield* decodeRequest(reader, bytes.length, new RequestBudget(limits), pacer);
  } catch (error) {
    if (error instanceof OtlpDecodeError || error instanceof OtlpLimitError) throw error;
    // Defence in depth: whatever slipped past the checks above is still a bad request, not a crash.
    throw reader.error(error instanceof Error ? error.message : String(error));
  }
}

function* decodeRequest(
  reader: WireReader,
  end: number,
  budget: RequestBudget,
  pacer: Pacer,
): Steps<OtlpTraceRequest> {
  const resourceSpans: OtlpResourceSpans[] = [];
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === REQUEST_RESOURCE_SPANS)
      resourceSpans.push(yield* decodeResourceSpans(reader, reader.lengthDelimitedEnd(end), budget, pacer));
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'ExportTraceServiceRequest');
  return { resourceSpans };
}

function* decodeResourceSpans(
  reader: WireReader,
  end: number,
  budget: RequestBudget,
  pacer: Pacer,
): Steps<OtlpResourceSpans> {
  const result: OtlpResourceSpans = { resourceAttributes: {}, scopeSpans: [] };
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === RESOURCE_SPANS_SCOPE_SPANS) {
      result.scopeSpans.push(yield* decodeScopeSpans(reader, reader.lengthDelimitedEnd(end), budget, pacer));
    } else if (tag === RESOURCE_SPANS_RESOURCE) {
      decodeResource(reader, reader.lengthDelimitedEnd(end), result.resourceAttributes, budget);
    } else {
      reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'ResourceSpans');
  return result;
}

function decodeResource(
  reader: WireReader,
  end: number,
  attributes: Attributes,
  budget: RequestBudget,
): void {
  const maxAttributes = budget.limits.maxAttributesPerSpan;
  let count = 0;
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === RESOURCE_ATTRIBUTES) {
      if (++count > maxAttributes)
        budget.checkPerItem('maxAttributesPerSpan', count, 'attributes on one resource');
      decodeKeyValue(reader, reader.lengthDelimitedEnd(end), attributes, 1, budget);
    } else {
      reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'Resource');
  budget.addAttributes(count);
}

function* decodeScopeSpans(
  reader: WireReader,
  end: number,
  budget: RequestBudget,
  pacer: Pacer,
): Steps<OtlpScopeSpans> {
  const result: OtlpScopeSpans = { scopeName: '', scopeVersion: '', spans: [] };
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === SCOPE_SPANS_SPANS) {
      budget.addSpans(1);
      result.spans.push(decodeSpan(reader, reader.lengthDelimitedEnd(end), budget));
      if (pacer.due()) yield;
    } else if (tag === SCOPE_SPANS_SCOPE) decodeScope(reader, reader.lengthDelimitedEnd(end), result);
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'ScopeSpans');
  return result;
}

function decodeScope(reader: WireReader, end: number, into: OtlpScopeSpans): void {
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === SCOPE_NAME) into.scopeName = reader.string(end);
    else if (tag === SCOPE_VERSION) into.scopeVersion = reader.string(end);
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'InstrumentationScope');
}

function decodeSpan(reader: WireReader, end: number, budget: RequestBudget): OtlpSpan {
  const span: OtlpSpan = emptySpan();
  // Compared inline and added to the request's count once per span: the hot path stays a counter.
  const limits = budget.limits;
  let attributeCount = 0;
  while (reader.pos < end) {
    const tag = reader.tag();
    switch (tag) {
      case SPAN_ATTRIBUTES:
        if (++attributeCount > limits.maxAttributesPerSpan)
          budget.checkPerItem('maxAttributesPerSpan', attributeCount, 'attributes on one span');
        decodeKeyValue(reader, reader.lengthDelimitedEnd(end), span.attributes, 1, budget);
        break;
      case SPAN_TRACE_ID:
        span.traceId = reader.hex(end);
        break;
      case SPAN_SPAN_ID:
        span.spanId = reader.hex(end);
        break;
      case SPAN_PARENT_SPAN_ID:
        span.parentSpanId = reader.hex(end);
        break;
      case SPAN_TRACE_STATE:
        span.traceState = reader.string(end);
        break;
      case SPAN_NAME:
        span.name = reader.string(end);
        break;
      case SPAN_KIND:
        span.kind = reader.varint32() | 0;
        break;
      case SPAN_START_TIME:
        span.startTimeUnixMs = reader.fixed64NanosAsMs();
        break;
      case SPAN_END_TIME:
        span.endTimeUnixMs = reader.fixed64NanosAsMs();
        break;
      case SPAN_EVENTS:
        if (span.events.length >= limits.maxEventsPerSpan)
          budget.checkPerItem('maxEventsPerSpan', span.events.length + 1, 'events on one span');
        budget.addEventsOrLinks(1);
        span.events.push(decodeEvent(reader, reader.lengthDelimitedEnd(end), budget));
        break;
      case SPAN_LINKS:
        if (span.links.length >= limits.maxLinksPerSpan)
          budget.checkPerItem('maxLinksPerSpan', span.links.length + 1, 'links on one span');
        budget.addEventsOrLinks(1);
        span.links.push(decodeLink(reader, reader.lengthDelimitedEnd(end), budget));
        break;
      case SPAN_STATUS:
        decodeStatus(reader, reader.lengthDelimitedEnd(end), span);
        break;
      default:
        reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'Span');
  budget.addAttributes(attributeCount);
  return span;
}

function decodeEvent(reader: WireReader, end: number, budget: RequestBudget): OtlpSpanEvent {
  const event: OtlpSpanEvent = { name: '', timeUnixMs: 0, attributes: {} };
  let attributeCount = 0;
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === EVENT_ATTRIBUTES) {
      if (++attributeCount > budget.limits.maxAttributesPerSpan)
        budget.checkPerItem('maxAttributesPerSpan', attributeCount, 'attributes on one span event');
      decodeKeyValue(reader, reader.lengthDelimitedEnd(end), event.attributes, 1, budget);
    } else if (tag === EVENT_TIME) event.timeUnixMs = reader.fixed64NanosAsMs();
    else if (tag === EVENT_NAME) event.name = reader.string(end);
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'Span.Event');
  budget.addAttributes(attributeCount);
  return event;
}

function decodeLink(reader: WireReader, end: number, budget: RequestBudget): OtlpSpanLink {
  const link: OtlpSpanLink = { traceId: '', spanId: '', attributes: {} };
  let attributeCount = 0;
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === LINK_ATTRIBUTES) {
      if (++attributeCount > budget.limits.maxAttributesPerSpan)
        budget.checkPerItem('maxAttributesPerSpan', attributeCount, 'attributes on one link');
      decodeKeyValue(reader, reader.lengthDelimitedEnd(end), link.attributes, 1, budget);
    } else if (tag === LINK_TRACE_ID) link.traceId = reader.hex(end);
    else if (tag === LINK_SPAN_ID) link.spanId = reader.hex(end);
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'Span.Link');
  budget.addAttributes(attributeCount);
  return link;
}

function decodeStatus(reader: WireReader, end: number, span: OtlpSpan): void {
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === STATUS_CODE) span.statusCode = reader.varint32() | 0;
    else if (tag === STATUS_MESSAGE) span.statusMessage = reader.string(end);
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'Status');
}

/** One KeyValue into `attributes`; `depth` is the nesting level of its value. */
function decodeKeyValue(
  reader: WireReader,
  end: number,
  attributes: Attributes,
  depth: number,
  budget: RequestBudget,
): void {
  let key = '';
  let value: AttributeValue = null;
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === KEY_VALUE_KEY) key = reader.string(end);
    else if (tag === KEY_VALUE_VALUE)
      value = decodeAnyValue(reader, reader.lengthDelimitedEnd(end), depth, budget);
    else reader.skip(tag, end);
  }
  reader.expectEnd(end, 'KeyValue');
  setAttribute(attributes, key, value);
}

/** An AnyValue; an unset oneof decodes to null, and if several members are present the last one wins. */
function decodeAnyValue(
  reader: WireReader,
  end: number,
  depth: number,
  budget: RequestBudget,
): AttributeValue {
  if (depth > MAX_ANY_VALUE_DEPTH) {
    throw reader.error(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  }
  let value: AttributeValue = null;
  while (reader.pos < end) {
    const tag = reader.tag();
    switch (tag) {
      case ANY_STRING:
        value = reader.string(end);
        break;
      case ANY_INT:
        reader.varint64();
        value = int64FromWords(reader.low, reader.high);
        break;
      case ANY_DOUBLE:
        value = reader.double();
        break;
      case ANY_BOOL:
        reader.varint64();
        value = (reader.low | reader.high) !== 0;
        break;
      case ANY_ARRAY:
        value = decodeArrayValue(reader, reader.lengthDelimitedEnd(end), depth + 1, budget);
        break;
      case ANY_KVLIST:
        value = decodeKeyValueList(reader, reader.lengthDelimitedEnd(end), depth + 1, budget);
        break;
      case ANY_BYTES:
        value = reader.base64(end);
        break;
      default:
        reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'AnyValue');
  return value;
}

function decodeArrayValue(
  reader: WireReader,
  end: number,
  depth: number,
  budget: RequestBudget,
): AttributeValue[] {
  const values: AttributeValue[] = [];
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === LIST_VALUES) {
      budget.addAttributes(1);
      values.push(decodeAnyValue(reader, reader.lengthDelimitedEnd(end), depth, budget));
    } else {
      reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'ArrayValue');
  return values;
}

function decodeKeyValueList(
  reader: WireReader,
  end: number,
  depth: number,
  budget: RequestBudget,
): Attributes {
  const values: Attributes = {};
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === LIST_VALUES) {
      budget.addAttributes(1);
      decodeKeyValue(reader, reader.lengthDelimitedEnd(end), values, depth, budget);
    } else {
      reader.skip(tag, end);
    }
  }
  reader.expectEnd(end, 'KeyValueList');
  return values;
}
