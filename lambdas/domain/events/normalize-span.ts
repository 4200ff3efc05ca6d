/**
 * Turns one decoded OTLP span into a Waggle event. Each attribute is offered to the convention
 * its key belongs to (one pass, dispatch by prefix); the conventions' results are then combined
 * by the documented precedence: HoneyHive, then OpenTelemetry GenAI, then OpenInference, then
 * Traceloop. Anything no convention maps is kept under metadata.attributes. See docs/normalization.md.
 */
import type { Attributes, AttributeValue, OtlpSpan } from '../otlp/model';
import { capAttributeValue, type TruncationContext } from './attribute-values';
import { ConventionFields } from './convention-fields';
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

type Section = JsonObject | undefined;

/**
 * Shallow merge of one section, arguments in precedence order: lower-precedence sections are
 * copied first so higher ones overwrite key by key. Sections are passed in (rather than looked up
 * by name here) so every property access is a plain, monomorphic one.
 */
function mergeSection(
  honeyHive: Section,
  genAi: Section,
  openInference: Section,
  traceloop: Section,
): JsonObject {
  const present =
    (honeyHive === undefined ? 0 : 1) +
    (genAi === undefined ? 0 : 1) +
    (openInference === undefined ? 0 : 1) +
    (traceloop === undefined ? 0 : 1);
  // Common case: at most one convention wrote the section; it is owned by this span, so no copy is needed.
  if (present <= 1) return honeyHive ?? genAi ?? openInference ?? traceloop ?? {};
  const merged: JsonObject = {};
  if (traceloop !== undefined) mergeInto(merged, traceloop);
  if (openInference !== undefined) mergeInto(merged, openInference);
  if (genAi !== undefined) mergeInto(merged, genAi);
  if (honeyHive !== undefined) mergeInto(merged, honeyHive);
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
  // Scalars: the first convention in precedence order that set the field wins.
  const h = fields.honeyHive.scalars;
  const g = fields.genAi.scalars;
  const o = fields.openInference.scalars;
  const t = fields.traceloop.scalars;
  const hs = fields.honeyHive.sections;
  const gs = fields.genAi.sections;
  const os = fields.openInference.sections;
  const ts = fields.traceloop.sections;

  const metadata = mergeSection(hs.metadata, gs.metadata, os.metadata, ts.metadata);
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
  const declaredProject = h.projectName ?? g.projectName ?? o.projectName ?? t.projectName;
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
    session_id: h.sessionId ?? g.sessionId ?? o.sessionId ?? t.sessionId ?? traceSessionId(span.traceId),
    parent_id: span.parentSpanId === '' ? null : parentEventId(span.traceId, span.parentSpanId),
    children_ids: [],
    trace_id: span.traceId,
    span_id: span.spanId,
    event_type: eventType,
    event_name:
      h.eventName ??
      g.eventName ??
      o.eventName ??
      t.eventName ??
      (span.name === '' ? 'unnamed span' : span.name),
    source:
      h.source ??
      g.source ??
      o.source ??
      t.source ??
      (typeof serviceName === 'string' && serviceName !== '' ? serviceName : 'otel'),
    start_time: span.startTimeUnixMs,
    end_time: time.end,
    duration: time.duration,
    model: h.model ?? g.model ?? o.model ?? t.model ?? null,
    provider: h.provider ?? g.provider ?? o.provider ?? t.provider ?? null,
    prompt_tokens: h.promptTokens ?? g.promptTokens ?? o.promptTokens ?? t.promptTokens ?? null,
    completion_tokens:
      h.completionTokens ?? g.completionTokens ?? o.completionTokens ?? t.completionTokens ?? null,
    total_tokens: h.totalTokens ?? g.totalTokens ?? o.totalTokens ?? t.totalTokens ?? null,
    cost: h.cost ?? g.cost ?? o.cost ?? t.cost ?? null,
    error: errorOf(span, fields.honeyHive.scalars.error, exceptionMessage),
    config: mergeSection(hs.config, gs.config, os.config, ts.config),
    inputs: mergeSection(hs.inputs, gs.inputs, os.inputs, ts.inputs),
    outputs: mergeSection(hs.outputs, gs.outputs, os.outputs, ts.outputs),
    metadata,
    metrics: mergeSection(hs.metrics, gs.metrics, os.metrics, ts.metrics),
    feedback: mergeSection(hs.feedback, gs.feedback, os.feedback, ts.feedback),
    user_properties: mergeSection(
      hs.user_properties,
      gs.user_properties,
      os.user_properties,
      ts.user_properties,
    ),
    ingested_at: ctx.ingestedAt,
    deleted: false,
  };
  applyUsageAndCostInPlace(event);
  return event;
}
