/**
 * Turns one decoded OTLP span into a Waggle event. Each attribute is offered to the convention
 * its key belongs to (one pass, dispatch by prefix); the conventions' results are then combined
 * by the documented precedence: HoneyHive, then OpenTelemetry GenAI, then OpenInference, then
 * Traceloop. Anything no convention maps is kept under metadata.attributes. See docs/normalization.md.
 */
import type { Attributes, AttributeValue, OtlpSpan } from '../otlp/model';
import { capAttributeValue, type TruncationContext } from './attribute-values';
import { ConventionFields, type ScalarFields, type SectionName } from './convention-fields';
import { genAiConvention } from './conventions/gen-ai';
import { honeyHiveConvention } from './conventions/honeyhive';
import { openInferenceConvention } from './conventions/openinference';
import { traceloopConvention } from './conventions/traceloop';
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

/** One ConventionFields per convention, in precedence order (index 0 wins). */
interface SpanFields {
  honeyHive: ConventionFields;
  genAi: ConventionFields;
  openInference: ConventionFields;
  traceloop: ConventionFields;
  byPrecedence: readonly ConventionFields[];
}

function newSpanFields(): SpanFields {
  const honeyHive = new ConventionFields();
  const genAi = new ConventionFields();
  const openInference = new ConventionFields();
  const traceloop = new ConventionFields();
  return {
    honeyHive,
    genAi,
    openInference,
    traceloop,
    byPrecedence: [honeyHive, genAi, openInference, traceloop],
  };
}

/** Routes one attribute by key prefix; returns false when no convention maps it. */
function dispatch(key: string, value: AttributeValue, fields: SpanFields): boolean {
  if (key.startsWith('honeyhive')) return honeyHiveConvention.apply(key, value, fields.honeyHive);
  if (key.startsWith('gen_ai.')) return genAiConvention.apply(key, value, fields.genAi);
  if (key.startsWith('traceloop.')) return traceloopConvention.apply(key, value, fields.traceloop);
  // llm.* is shared: OpenInference names most of it, Traceloop adds llm.request.type, llm.usage.*, ...
  if (key.startsWith('llm.')) {
    return (
      openInferenceConvention.apply(key, value, fields.openInference) ||
      traceloopConvention.apply(key, value, fields.traceloop)
    );
  }
  // Bare names: HoneyHive baggage copies (session_id, project, run_id, ...) or OpenInference (input.value, session.id, ...).
  return (
    honeyHiveConvention.apply(key, value, fields.honeyHive) ||
    openInferenceConvention.apply(key, value, fields.openInference)
  );
}

function pick<K extends keyof ScalarFields>(fields: SpanFields, key: K): ScalarFields[K] | undefined {
  return (
    fields.honeyHive.scalars[key] ??
    fields.genAi.scalars[key] ??
    fields.openInference.scalars[key] ??
    fields.traceloop.scalars[key]
  );
}

/** Shallow merge of a section: lower-precedence conventions first, so higher ones overwrite key by key. */
function mergeSection(fields: SpanFields, name: SectionName): JsonObject {
  let only: JsonObject | undefined;
  let count = 0;
  for (const convention of fields.byPrecedence) {
    const section = convention.sections[name];
    if (section !== undefined) {
      only = section;
      count++;
    }
  }
  // Common case: one convention wrote the section; it is owned by this span, so no copy is needed.
  if (count <= 1) return only ?? {};
  const merged: JsonObject = {};
  for (let i = fields.byPrecedence.length - 1; i >= 0; i--) {
    const section = (fields.byPrecedence[i] as ConventionFields).sections[name];
    if (section !== undefined) mergeInto(merged, section);
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

export function normalizeSpan(span: OtlpSpan, ctx: NormalizeContext): WaggleEvent {
  const maxBytes = ctx.maxAttributeValueBytes ?? DEFAULT_MAX_ATTRIBUTE_VALUE_BYTES;
  const cap: TruncationContext = { maxBytes, rawArchiveKey: ctx.rawArchiveKey, truncated: [] };
  const fields = newSpanFields();
  let unmapped: JsonObject | undefined;

  const attributes = span.attributes;
  for (const key of Object.keys(attributes)) {
    const value = capAttributeValue(key, attributes[key] as AttributeValue, cap);
    if (!dispatch(key, value, fields)) {
      unmapped ??= {};
      setOwn(unmapped, key, toJsonValue(value));
    }
  }
  const { spanEvents, exceptionMessage } = mapSpanEvents(span.events, fields.genAi, cap);
  honeyHiveConvention.finish?.(fields.honeyHive);
  genAiConvention.finish?.(fields.genAi);
  openInferenceConvention.finish?.(fields.openInference);
  traceloopConvention.finish?.(fields.traceloop);

  const { eventType, invalidExplicit } = resolveEventType(
    fields.honeyHive.scalars.explicitEventType,
    fields.byPrecedence,
  );
  const time = timing(span);
  const notes: string[] = time.note === undefined ? [] : [time.note];

  const resource = resourceSection(ctx.resourceAttributes, maxBytes, ctx.rawArchiveKey);
  const metadata = mergeSection(fields, 'metadata');
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
  const declaredProject = pick(fields, 'projectName');
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
    session_id: pick(fields, 'sessionId') ?? traceSessionId(span.traceId),
    parent_id: span.parentSpanId === '' ? null : parentEventId(span.traceId, span.parentSpanId),
    children_ids: [],
    trace_id: span.traceId,
    span_id: span.spanId,
    event_type: eventType,
    event_name: pick(fields, 'eventName') ?? (span.name === '' ? 'unnamed span' : span.name),
    source:
      pick(fields, 'source') ??
      (typeof serviceName === 'string' && serviceName !== '' ? serviceName : 'otel'),
    start_time: span.startTimeUnixMs,
    end_time: time.end,
    duration: time.duration,
    model: pick(fields, 'model') ?? null,
    provider: pick(fields, 'provider') ?? null,
    prompt_tokens: pick(fields, 'promptTokens') ?? null,
    completion_tokens: pick(fields, 'completionTokens') ?? null,
    total_tokens: pick(fields, 'totalTokens') ?? null,
    cost: pick(fields, 'cost') ?? null,
    error: errorOf(span, fields.honeyHive.scalars.error, exceptionMessage),
    config: mergeSection(fields, 'config'),
    inputs: mergeSection(fields, 'inputs'),
    outputs: mergeSection(fields, 'outputs'),
    metadata,
    metrics: mergeSection(fields, 'metrics'),
    feedback: mergeSection(fields, 'feedback'),
    user_properties: mergeSection(fields, 'user_properties'),
    ingested_at: ctx.ingestedAt,
    deleted: false,
  };
  applyUsageAndCostInPlace(event);
  return event;
}
