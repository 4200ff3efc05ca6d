/**
 * OTLP/JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding) into the model: lowerCamelCase
 * keys (the proto's snake_case names are accepted too), trace and span ids as hex, 64-bit integers as numbers
 * or decimal strings, enums as integers (their names are accepted too). Missing or null fields take their
 * defaults; unknown fields are ignored; a value of the wrong type is an OtlpDecodeError naming its JSON path.
 *
 * The body's JSON values are counted before parsing and its spans, attributes, events and links while
 * walking it (OtlpLimits; OtlpLimitError past one). The span loops yield when their pacer says so.
 */
import { Buffer } from 'node:buffer';
import { jsonShapeExceeds } from '../json/json-nesting';
import { finish, NEVER_DUE, type Pacer, type Steps } from '../time-slices';
import { MAX_ANY_VALUE_DEPTH, setAttribute } from './attributes';
import { int64FromDecimal } from './int64';
import { DEFAULT_OTLP_LIMITS, limitExceeded, type OtlpLimits } from './limits';
import {
  type Attributes,
  type AttributeValue,
  OtlpDecodeError,
  type OtlpResourceSpans,
  type OtlpScopeSpans,
  type OtlpSpan,
  type OtlpSpanEvent,
  type OtlpSpanLink,
  type OtlpTraceRequest,
  SPAN_KINDS,
  STATUS_CODES,
} from './model';
import { RequestBudget } from './request-budget';

/**
 * Raw nesting allowed before parsing: a span attribute sits 10 levels deep and each AnyValue level adds at
 * most 4 (kvlistValue, values, KeyValue, value), so this admits every request the AnyValue depth limit
 * admits, and refuses anything deeper without parsing it.
 */
export const MAX_JSON_NESTING = 12 + 4 * MAX_ANY_VALUE_DEPTH;

type JsonObject = { readonly [key: string]: unknown };
/** Where the walk is, kept as a stack so the path string is only built for an error message. */
type JsonPath = (string | number)[];

export function decodeTraceRequestJson(
  text: string | Uint8Array,
  limits: Readonly<OtlpLimits> = DEFAULT_OTLP_LIMITS,
): OtlpTraceRequest {
  return finish(decodeTraceRequestJsonSteps(text, limits, NEVER_DUE));
}

/** The decoder as step-generator work (see time-slices.ts): it yields between spans when `pacer` is due. */
export function* decodeTraceRequestJsonSteps(
  text: string | Uint8Array,
  limits: Readonly<OtlpLimits>,
  pacer: Pacer,
): Steps<OtlpTraceRequest> {
  if (typeof text !== 'string' && !(text instanceof Uint8Array)) {
    throw new OtlpDecodeError('OTLP JSON body must be text or bytes');
  }
  // Scanned before decoding: the byte scan is the cheaper one, and bytes are what a request body is.
  const excess = jsonShapeExceeds(text, { maxDepth: MAX_JSON_NESTING, maxValues: limits.maxJsonValues });
  if (excess === 'depth') {
    throw new OtlpDecodeError(`Invalid OTLP JSON: nested deeper than ${MAX_JSON_NESTING} levels`);
  }
  if (excess === 'values') {
    throw limitExceeded(
      'maxJsonValues',
      limits,
      'JSON values (objects, arrays, members and items) in the body; split it into smaller requests',
    );
  }
  // A byte order mark is dropped: JSON.parse would reject one left in the text.
  const source =
    typeof text === 'string' ? (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) : utf8Text(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    throw new OtlpDecodeError(
      `Malformed OTLP JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return yield* decodeRequest(parsed, [], new RequestBudget(limits), pacer);
}

/** UTF-8 bytes as text (invalid sequences replaced), without a byte order mark. */
function utf8Text(bytes: Uint8Array): string {
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', hasBom ? 3 : 0);
}

function* decodeRequest(
  value: unknown,
  path: JsonPath,
  budget: RequestBudget,
  pacer: Pacer,
): Steps<OtlpTraceRequest> {
  const request = asObject(value, path);
  const list = arrayField(request, 'resourceSpans', 'resource_spans', path);
  const resourceSpans: OtlpResourceSpans[] = new Array(list.length);
  path.push('resourceSpans');
  for (let index = 0; index < list.length; index++) {
    path.push(index);
    resourceSpans[index] = yield* decodeResourceSpans(list[index], path, budget, pacer);
    path.pop();
  }
  path.pop();
  return { resourceSpans };
}

function* decodeResourceSpans(
  value: unknown,
  path: JsonPath,
  budget: RequestBudget,
  pacer: Pacer,
): Steps<OtlpResourceSpans> {
  const resourceSpans = asObject(value, path);
  let resourceAttributes: Attributes = {};
  const resource = field(resourceSpans, 'resource', 'resource');
  if (resource !== undefined) {
    path.push('resource');
    resourceAttributes = ownAttributes(asObject(resource, path), path, budget, 'resource');
    path.pop();
  }
  const list = arrayField(resourceSpans, 'scopeSpans', 'scope_spans', path);
  const scopeSpans: OtlpScopeSpans[] = new Array(list.length);
  path.push('scopeSpans');
  for (let index = 0; index < list.length; index++) {
    path.push(index);
    scopeSpans[index] = yield* decodeScopeSpans(list[index], path, budget, pacer);
    path.pop();
  }
  path.pop();
  return { resourceAttributes, scopeSpans };
}

function* decodeScopeSpans(
  value: unknown,
  path: JsonPath,
  budget: RequestBudget,
  pacer: Pacer,
): Steps<OtlpScopeSpans> {
  const scopeSpans = asObject(value, path);
  let scopeName = '';
  let scopeVersion = '';
  const scope = field(scopeSpans, 'scope', 'scope');
  if (scope !== undefined) {
    path.push('scope');
    const scopeObject = asObject(scope, path);
    scopeName = stringField(scopeObject, 'name', 'name', path);
    scopeVersion = stringField(scopeObject, 'version', 'version', path);
    path.pop();
  }
  const list = arrayField(scopeSpans, 'spans', 'spans', path);
  budget.addSpans(list.length);
  const spans: OtlpSpan[] = new Array(list.length);
  path.push('spans');
  for (let index = 0; index < list.length; index++) {
    path.push(index);
    spans[index] = decodeSpan(list[index], path, budget);
    path.pop();
    if (pacer.due()) yield;
  }
  path.pop();
  return { scopeName, scopeVersion, spans };
}

function decodeSpan(value: unknown, path: JsonPath, budget: RequestBudget): OtlpSpan {
  const span = asObject(value, path);
  const attributes = ownAttributes(span, path, budget, 'span');
  const events = arrayField(span, 'events', 'events', path);
  const links = arrayField(span, 'links', 'links', path);
  budget.checkPerItem('maxEventsPerSpan', events.length, 'events on one span');
  budget.checkPerItem('maxLinksPerSpan', links.length, 'links on one span');
  budget.addEventsOrLinks(events.length + links.length);
  let statusCode = 0;
  let statusMessage = '';
  const status = field(span, 'status', 'status');
  if (status !== undefined) {
    path.push('status');
    const statusObject = asObject(status, path);
    statusCode = enumField(statusObject, 'code', 'code', STATUS_CODES, path);
    statusMessage = stringField(statusObject, 'message', 'message', path);
    path.pop();
  }
  return {
    traceId: hexField(span, 'traceId', 'trace_id', path),
    spanId: hexField(span, 'spanId', 'span_id', path),
    parentSpanId: hexField(span, 'parentSpanId', 'parent_span_id', path),
    traceState: stringField(span, 'traceState', 'trace_state', path),
    name: stringField(span, 'name', 'name', path),
    kind: enumField(span, 'kind', 'kind', SPAN_KINDS, path),
    startTimeUnixMs: nanosAsMsField(span, 'startTimeUnixNano', 'start_time_unix_nano', path),
    endTimeUnixMs: nanosAsMsField(span, 'endTimeUnixNano', 'end_time_unix_nano', path),
    attributes,
    events: mapItems(events, 'events', path, budget, decodeEvent),
    links: mapItems(links, 'links', path, budget, decodeLink),
    statusCode,
    statusMessage,
  };
}

function decodeEvent(value: unknown, path: JsonPath, budget: RequestBudget): OtlpSpanEvent {
  const event = asObject(value, path);
  const attributes = ownAttributes(event, path, budget, 'span event');
  return {
    name: stringField(event, 'name', 'name', path),
    timeUnixMs: nanosAsMsField(event, 'timeUnixNano', 'time_unix_nano', path),
    attributes,
  };
}

function decodeLink(value: unknown, path: JsonPath, budget: RequestBudget): OtlpSpanLink {
  const link = asObject(value, path);
  const attributes = ownAttributes(link, path, budget, 'link');
  return {
    traceId: hexField(link, 'traceId', 'trace_id', path),
    spanId: hexField(link, 'spanId', 'span_id', path),
    attributes,
  };
}

/** The attributes of a resource, span, event or link (`owner`, for the per-item limit). */
function ownAttributes(object: JsonObject, path: JsonPath, budget: RequestBudget, owner: string): Attributes {
  const attributes: Attributes = {};
  decodeAttributes(field(object, 'attributes', 'attributes'), attributes, path, 1, budget, owner);
  return attributes;
}

/**
 * A repeated KeyValue (under `path`'s current object, field "attributes" or "values") into `into`.
 * `owner` names the span, event, link or resource whose own attributes these are (undefined for the
 * entries of a map value), for the per-item limit.
 */
function decodeAttributes(
  list: unknown,
  into: Attributes,
  path: JsonPath,
  depth: number,
  budget: RequestBudget,
  owner: string | undefined,
  name = 'attributes',
): void {
  if (list === undefined) return;
  path.push(name);
  if (!Array.isArray(list)) fail(path, 'expected an array');
  if (owner !== undefined)
    budget.checkPerItem('maxAttributesPerSpan', list.length, `attributes on one ${owner}`);
  budget.addAttributes(list.length);
  for (let index = 0; index < list.length; index++) {
    path.push(index);
    const keyValue = asObject(list[index], path);
    const key = stringField(keyValue, 'key', 'key', path);
    const value = field(keyValue, 'value', 'value');
    let decoded: AttributeValue = null;
    if (value !== undefined) {
      path.push('value');
      decoded = decodeAnyValue(value, path, depth, budget);
      path.pop();
    }
    setAttribute(into, key, decoded);
    path.pop();
  }
  path.pop();
}

function decodeAnyValue(
  value: unknown,
  path: JsonPath,
  depth: number,
  budget: RequestBudget,
): AttributeValue {
  if (depth > MAX_ANY_VALUE_DEPTH) fail(path, `AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  const anyValue = asObject(value, path);
  // An AnyValue has one key: switching on it beats probing seven members under two spellings each.
  for (const name in anyValue) {
    const member = anyValue[name];
    if (member === null || member === undefined) continue;
    switch (name) {
      case 'stringValue':
      case 'string_value':
        if (typeof member !== 'string') failField(path, name, 'expected a string');
        return member;
      case 'intValue':
      case 'int_value':
        return int64Value(member, path, name);
      case 'doubleValue':
      case 'double_value':
        return doubleValue(member, path, name);
      case 'boolValue':
      case 'bool_value':
        if (typeof member !== 'boolean') failField(path, name, 'expected true or false');
        return member;
      case 'arrayValue':
      case 'array_value':
        return decodeArrayValue(member, path, depth, name, budget);
      case 'kvlistValue':
      case 'kvlist_value': {
        path.push(name);
        const result: Attributes = {};
        decodeAttributes(
          field(asObject(member, path), 'values', 'values'),
          result,
          path,
          depth + 1,
          budget,
          undefined,
          'values',
        );
        path.pop();
        return result;
      }
      case 'bytesValue':
      case 'bytes_value':
        return canonicalBase64(member, path, name);
    }
  }
  return null;
}

function decodeArrayValue(
  member: unknown,
  path: JsonPath,
  depth: number,
  name: string,
  budget: RequestBudget,
): AttributeValue[] {
  path.push(name);
  const values = field(asObject(member, path), 'values', 'values');
  const result: AttributeValue[] = [];
  if (values !== undefined) {
    path.push('values');
    if (!Array.isArray(values)) fail(path, 'expected an array');
    budget.addAttributes(values.length);
    for (let index = 0; index < values.length; index++) {
      path.push(index);
      result.push(decodeAnyValue(values[index], path, depth + 1, budget));
      path.pop();
    }
    path.pop();
  }
  path.pop();
  return result;
}

// ---- field readers ----

/** A field by its JSON name or its proto name; null counts as absent (proto3 JSON). */
function field(object: JsonObject, jsonName: string, protoName: string): unknown {
  const value = object[jsonName] ?? object[protoName];
  return value === null ? undefined : value;
}

/** A repeated field's items (none when it is absent); anything but an array is an error. */
function arrayField(
  object: JsonObject,
  jsonName: string,
  protoName: string,
  path: JsonPath,
): readonly unknown[] {
  const list = field(object, jsonName, protoName);
  if (list === undefined) return [];
  if (!Array.isArray(list)) failField(path, jsonName, 'expected an array');
  return list;
}

function mapItems<T>(
  list: readonly unknown[],
  name: string,
  path: JsonPath,
  budget: RequestBudget,
  decodeItem: (item: unknown, path: JsonPath, budget: RequestBudget) => T,
): T[] {
  const result: T[] = new Array(list.length);
  path.push(name);
  for (let index = 0; index < list.length; index++) {
    path.push(index);
    result[index] = decodeItem(list[index], path, budget);
    path.pop();
  }
  path.pop();
  return result;
}

function stringField(object: JsonObject, jsonName: string, protoName: string, path: JsonPath): string {
  const value = field(object, jsonName, protoName);
  if (value === undefined) return '';
  if (typeof value !== 'string') failField(path, jsonName, 'expected a string');
  return value;
}

const LOWER_HEX = /^[0-9a-f]*$/;
const ANY_CASE_HEX = /^[0-9a-fA-F]*$/;

/** Ids are hex in OTLP/JSON (not base64 as in the generic protobuf JSON mapping). Length is checked per span later. */
function hexField(object: JsonObject, jsonName: string, protoName: string, path: JsonPath): string {
  const value = stringField(object, jsonName, protoName, path);
  if (LOWER_HEX.test(value)) return value;
  if (!ANY_CASE_HEX.test(value)) failField(path, jsonName, 'expected a hex string');
  return value.toLowerCase();
}

function enumField(
  object: JsonObject,
  jsonName: string,
  protoName: string,
  names: Record<string, number>,
  path: JsonPath,
): number {
  const value = field(object, jsonName, protoName);
  if (value === undefined) return 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) {
    return value;
  }
  if (typeof value === 'string' && Object.hasOwn(names, value)) return names[value] as number;
  return failField(path, jsonName, 'expected an enum value (an integer)');
}

const UINT64_MAX = 2n ** 64n - 1n;
const DECIMAL_DIGITS = /^\d+$/;

/** A fixed64 nanosecond timestamp (number or decimal string) as fractional epoch milliseconds. */
function nanosAsMsField(object: JsonObject, jsonName: string, protoName: string, path: JsonPath): number {
  const value = field(object, jsonName, protoName);
  if (value === undefined) return 0;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 2 ** 64) return value / 1e6;
  } else if (typeof value === 'string' && DECIMAL_DIGITS.test(value)) {
    // Number() of a decimal string rounds to the nearest double, exactly as the protobuf decoder does.
    if (value.length < 20 || BigInt(value) <= UINT64_MAX) return Number(value) / 1e6;
  }
  return failField(path, jsonName, 'expected an unsigned 64-bit integer (number or decimal string)');
}

function int64Value(value: unknown, path: JsonPath, name: string): number | string {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value;
    if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) return BigInt(value).toString();
  } else if (typeof value === 'string') {
    const decoded = int64FromDecimal(value);
    if (decoded !== undefined) return decoded;
  }
  return failField(path, name, 'expected a 64-bit integer (number or decimal string)');
}

const SPECIAL_DOUBLES: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Infinity,
  '-Infinity': -Infinity,
};

function doubleValue(value: unknown, path: JsonPath, name: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (Object.hasOwn(SPECIAL_DOUBLES, value)) return SPECIAL_DOUBLES[value] as number;
    const parsed = Number(value);
    if (value.trim() !== '' && Number.isFinite(parsed)) return parsed;
  }
  return failField(path, name, 'expected a number');
}

const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/** bytesValue arrives as base64 (standard or URL-safe); the model keeps standard, padded base64. */
function canonicalBase64(value: unknown, path: JsonPath, name: string): string {
  if (typeof value !== 'string' || !BASE64.test(value) || value.replace(/=+$/, '').length % 4 === 1) {
    return failField(path, name, 'expected a base64 string');
  }
  return Buffer.from(value, 'base64').toString('base64');
}

function asObject(value: unknown, path: JsonPath): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'expected an object');
  return value as JsonObject;
}

function failField(path: JsonPath, name: string, message: string): never {
  path.push(name);
  return fail(path, message);
}

function fail(path: JsonPath, message: string): never {
  throw new OtlpDecodeError(`Invalid OTLP JSON at ${formatPath(path)}: ${message}`);
}

function formatPath(path: JsonPath): string {
  let text = '$';
  for (const segment of path) text += typeof segment === 'number' ? `[${segment}]` : `.${segment}`;
  return text;
}
