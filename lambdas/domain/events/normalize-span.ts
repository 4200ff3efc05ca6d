/**
 * Turns one decoded OTLP span into a Waggle event. Each attribute is offered to the conventions
 * that own its key (one pass; routes by key prefix and exact key, worked out once per convention
 * list); the conventions' results are then combined by their order in the list, CONVENTIONS
 * (conventions/registry.ts): HoneyHive, then OpenTelemetry GenAI, then OpenInference, then
 * Traceloop. Anything no convention maps is kept under metadata.attributes. See docs/normalization.md.
 */
import type { Attributes, AttributeValue, OtlpSpan } from '../otlp/model';
import type { AttributeConvention } from './attribute-convention';
import { capAttributeValue, type TruncationContext } from './attribute-values';
import {
  type ConventionFields,
  emptySections,
  noScalars,
  type ScalarFields,
  type SectionName,
  UNTOUCHED,
} from './convention-fields';
import { type ConventionRouting, dispatchAttribute, routeConventions } from './convention-routing';
import { CONVENTIONS } from './conventions/registry';
import type { JsonObject, Tenant, WaggleEvent } from './event';
import { resolveEventType } from './event-type';
import { eventIdForSpan, parentEventId, traceSessionId } from './ids';
import { mergeInto, setOwn, toJsonValue } from './json-path';
import { mapSpanEvents } from './span-events';
import { DEFAULT_MAX_ATTRIBUTE_VALUE_BYTES } from './truncate';
import { applyUsageAndCostInPlace } from './usage-and-cost';

export interface NormalizeContext {
  resourceAttributes: Attributes;
  scopeName: string;
  scopeVersion: string;
  tenant: Tenant;
  /** The authenticated project's name; a span naming another project is noted, never re-routed. */
  projectName: string;
  /** Epoch milliseconds. */
  ingestedAt: number;
  version: number;
  /** S3 key of the archived raw request, named in truncation markers. */
  rawArchiveKey: string;
  /** UTF-8 byte cap per attribute string value (default 64 KiB). */
  maxAttributeValueBytes?: number;
}

const STATUS_ERROR = 2;

type SpanNormalizer = (span: OtlpSpan, ctx: NormalizeContext) => WaggleEvent;

type Section = JsonObject | undefined;

/**
 * The conventions' fields combined: each scalar from the first convention (in precedence order)
 * that set it; each section as the first convention wrote it, with a bit in `shared` when more
 * than one did (those are merged key by key). Named fields only, so every access stays monomorphic.
 */
interface Combined extends Partial<ScalarFields> {
  config: Section;
  inputs: Section;
  outputs: Section;
  metadata: Section;
  metrics: Section;
  feedback: Section;
  user_properties: Section;
  shared: number;
}

const CONFIG = 1;
const INPUTS = 2;
const OUTPUTS = 4;
const METADATA = 8;
const METRICS = 16;
const FEEDBACK = 32;
const USER_PROPERTIES = 64;

function combine(all: readonly ConventionFields[]): Combined {
  // The same keys in the same order on every span: one hidden class for every Combined.
  const c: Combined = { ...noScalars(), ...emptySections(), shared: 0 };
  let shared = 0;
  for (let i = 0; i < all.length; i++) {
    const fields = all[i] as ConventionFields;
    if (fields === UNTOUCHED) continue;
    const s = fields.scalars;
    c.eventTypeHint ??= s.eventTypeHint;
    c.explicitEventType ??= s.explicitEventType;
    c.eventName ??= s.eventName;
    c.sessionId ??= s.sessionId;
    c.projectName ??= s.projectName;
    c.source ??= s.source;
    c.model ??= s.model;
    c.provider ??= s.provider;
    c.promptTokens ??= s.promptTokens;
    c.completionTokens ??= s.completionTokens;
    c.totalTokens ??= s.totalTokens;
    c.cost ??= s.cost;
    c.error ??= s.error;
    const x = fields.sections;
    if (x.config !== undefined && c.config !== undefined) shared |= CONFIG;
    c.config ??= x.config;
    if (x.inputs !== undefined && c.inputs !== undefined) shared |= INPUTS;
    c.inputs ??= x.inputs;
    if (x.outputs !== undefined && c.outputs !== undefined) shared |= OUTPUTS;
    c.outputs ??= x.outputs;
    if (x.metadata !== undefined && c.metadata !== undefined) shared |= METADATA;
    c.metadata ??= x.metadata;
    if (x.metrics !== undefined && c.metrics !== undefined) shared |= METRICS;
    c.metrics ??= x.metrics;
    if (x.feedback !== undefined && c.feedback !== undefined) shared |= FEEDBACK;
    c.feedback ??= x.feedback;
    if (x.user_properties !== undefined && c.user_properties !== undefined) shared |= USER_PROPERTIES;
    c.user_properties ??= x.user_properties;
  }
  c.shared = shared;
  return c;
}

/**
 * One section of the event. Written by one convention (the common case): that object, owned by this
 * span, so no copy. By several: a shallow merge in precedence order, lower-precedence sections
 * copied first so higher ones overwrite key by key.
 */
function section(
  first: Section,
  shared: number,
  all: readonly ConventionFields[],
  name: SectionName,
): JsonObject {
  if (shared === 0) return first ?? {};
  const merged: JsonObject = {};
  for (let i = all.length - 1; i >= 0; i--) {
    const written = (all[i] as ConventionFields).sections[name];
    if (written !== undefined) mergeInto(merged, written);
  }
  return merged;
}

interface ResourceCacheEntry {
  maxBytes: number;
  rawArchiveKey: string;
  resource: JsonObject;
  truncated: string[];
}

// Resource attributes are shared by every span of a resource: convert them once per request.
const resourceCache = new WeakMap<Attributes, ResourceCacheEntry>();

function resourceSection(
  attributes: Attributes,
  maxBytes: number,
  rawArchiveKey: string,
): ResourceCacheEntry {
  const cached = resourceCache.get(attributes);
  if (cached !== undefined && cached.maxBytes === maxBytes && cached.rawArchiveKey === rawArchiveKey)
    return cached;
  const cap: TruncationContext = { maxBytes, rawArchiveKey, truncated: [] };
  const resource: JsonObject = {};
  for (const key of Object.keys(attributes)) {
    setOwn(
      resource,
      key,
      toJsonValue(capAttributeValue(`resource.${key}`, attributes[key] as AttributeValue, cap)),
    );
  }
  const entry = { maxBytes, rawArchiveKey, resource, truncated: cap.truncated };
  resourceCache.set(attributes, entry);
  return entry;
}

interface Timing {
  end: number;
  duration: number;
  note?: string;
}

function timing(span: OtlpSpan): Timing {
  const start = span.startTimeUnixMs;
  const end = span.endTimeUnixMs;
  if (!Number.isFinite(end) || end <= 0)
    return { end: start, duration: 0, note: 'missing end time; duration set to 0' };
  if (end < start) return { end: start, duration: 0, note: 'end time before start time; duration set to 0' };
  return { end, duration: end - start };
}

function errorOf(
  span: OtlpSpan,
  explicit: string | undefined,
  exceptionMessage: string | undefined,
): string | null {
  if (explicit !== undefined) return explicit;
  if (span.statusCode === STATUS_ERROR) {
    if (span.statusMessage !== '') return span.statusMessage;
    return exceptionMessage ?? 'span status ERROR';
  }
  return exceptionMessage ?? null;
}

/**
 * A normalizer for an ordered list of conventions (first = highest precedence); the routing is
 * worked out here, once. normalizeSpan is the one for CONVENTIONS; tests build others.
 */
export function createSpanNormalizer(conventions: readonly AttributeConvention[]): SpanNormalizer {
  const routing = routeConventions(conventions);
  return (span, ctx) => normalizeWith(routing, span, ctx);
}

function normalizeWith(routing: ConventionRouting, span: OtlpSpan, ctx: NormalizeContext): WaggleEvent {
  const maxBytes = ctx.maxAttributeValueBytes ?? DEFAULT_MAX_ATTRIBUTE_VALUE_BYTES;
  const cap: TruncationContext = { maxBytes, rawArchiveKey: ctx.rawArchiveKey, truncated: [] };
  // One entry per convention, in precedence order (index 0 wins).
  const all = routing.noFields.slice();
  let unmapped: JsonObject | undefined;

  const attributes = span.attributes;
  for (const key of Object.keys(attributes)) {
    const value = capAttributeValue(key, attributes[key] as AttributeValue, cap);
    if (!dispatchAttribute(routing, key, value, all)) {
      unmapped ??= {};
      setOwn(unmapped, key, toJsonValue(value));
    }
  }
  const { spanEvents, exceptionMessage } = mapSpanEvents(span.events, cap, routing.spanEventHooks, all);
  // finish runs for the conventions that were offered something on this span.
  for (const { index, convention } of routing.finishers) {
    const fields = all[index] as ConventionFields;
    if (fields !== UNTOUCHED) convention.finish?.(fields);
  }

  const c = combine(all);
  const { eventType, invalidExplicit } = resolveEventType(c.explicitEventType, c.eventTypeHint);
  const time = timing(span);
  const notes: string[] = time.note === undefined ? [] : [time.note];

  const resource = resourceSection(ctx.resourceAttributes, maxBytes, ctx.rawArchiveKey);
  const metadata = section(c.metadata, c.shared & METADATA, all, 'metadata');
  // Normalizer-owned keys go last so span attributes cannot spoof them.
  if (unmapped !== undefined) metadata.attributes = unmapped;
  metadata.resource = resource.resource;
  metadata.scope = { name: ctx.scopeName, version: ctx.scopeVersion };
  if (spanEvents.length > 0) metadata.span_events = spanEvents;
  if (span.links.length > 0) metadata.links = toJsonValue(span.links as unknown as AttributeValue);
  if (invalidExplicit !== undefined) {
    metadata.invalid_event_type = invalidExplicit;
    notes.push(
      `honeyhive_event_type "${invalidExplicit}" is not one of session, model, tool, chain; inferred ${eventType}`,
    );
  }
  const declaredProject = c.projectName;
  if (declaredProject !== undefined && declaredProject !== ctx.projectName)
    metadata.declared_project = declaredProject;
  if (cap.truncated.length > 0 || resource.truncated.length > 0) {
    metadata.truncated = [...cap.truncated, ...resource.truncated];
  }
  if (notes.length > 0) metadata.normalization_notes = notes;

  const serviceName = ctx.resourceAttributes['service.name'];
  const event: WaggleEvent = {
    org_id: ctx.tenant.org_id,
    workspace_id: ctx.tenant.workspace_id,
    project_id: ctx.tenant.project_id,
    event_id: eventIdForSpan(span.traceId, span.spanId),
    version: ctx.version,
    session_id: c.sessionId ?? traceSessionId(span.traceId),
    parent_id: span.parentSpanId === '' ? null : parentEventId(span.traceId, span.parentSpanId),
    children_ids: [],
    trace_id: span.traceId,
    span_id: span.spanId,
    event_type: eventType,
    event_name: c.eventName ?? (span.name === '' ? 'unnamed span' : span.name),
    source: c.source ?? (typeof serviceName === 'string' && serviceName !== '' ? serviceName : 'otel'),
    start_time: span.startTimeUnixMs,
    end_time: time.end,
    duration: time.duration,
    model: c.model ?? null,
    provider: c.provider ?? null,
    prompt_tokens: c.promptTokens ?? null,
    completion_tokens: c.completionTokens ?? null,
    total_tokens: c.totalTokens ?? null,
    cost: c.cost ?? null,
    error: errorOf(span, c.error, exceptionMessage),
    config: section(c.config, c.shared & CONFIG, all, 'config'),
    inputs: section(c.inputs, c.shared & INPUTS, all, 'inputs'),
    outputs: section(c.outputs, c.shared & OUTPUTS, all, 'outputs'),
    metadata,
    metrics: section(c.metrics, c.shared & METRICS, all, 'metrics'),
    feedback: section(c.feedback, c.shared & FEEDBACK, all, 'feedback'),
    user_properties: section(c.user_properties, c.shared & USER_PROPERTIES, all, 'user_properties'),
    ingested_at: ctx.ingestedAt,
    deleted: false,
  };
  applyUsageAndCostInPlace(event);
  return event;
}

export const normalizeSpan: SpanNormalizer = createSpanNormalizer(CONVENTIONS);
