/**
 * The OTLP trace messages as a protobufjs reflection schema, written in code from the field numbers of
 * the OpenTelemetry protocol (opentelemetry-proto: common, resource, trace and the trace collector
 * service). It is the benchmark's "generic protobufjs decoder" baseline and the tests' independent
 * encoder/decoder; test/unit/otlp/otlp-proto-schema.test.ts checks it against OpenTelemetry JS's own
 * serializers, so a wrong field number fails there rather than silently agreeing with our decoder.
 */
import protobuf from 'protobufjs';
import { SPAN_KINDS, STATUS_CODES } from '../../lambdas/domain/otlp/model';

const COMMON = 'opentelemetry.proto.common.v1';
const RESOURCE = 'opentelemetry.proto.resource.v1';
const TRACE = 'opentelemetry.proto.trace.v1';
const COLLECTOR = 'opentelemetry.proto.collector.trace.v1';

/**
 * The plain objects this schema's `fromObject` takes: camelCase, ids as bytes, 64-bit integers as
 * decimal strings (or numbers where exact). What proto3 defaults may be left out is optional.
 */
export type PlainAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string | number }
  | { doubleValue: number }
  | { bytesValue: Uint8Array }
  | { arrayValue: { values: PlainAnyValue[] } }
  | { kvlistValue: { values: PlainKeyValue[] } }
  | Record<string, never>;

export interface PlainKeyValue {
  key: string;
  value?: PlainAnyValue;
}

export interface PlainSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId?: Uint8Array;
  traceState?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: PlainKeyValue[];
  events: { timeUnixNano: string; name: string; attributes: PlainKeyValue[] }[];
  links?: { traceId: Uint8Array; spanId: Uint8Array; attributes: PlainKeyValue[] }[];
  status: { code: number; message?: string };
}

/** [name, field number, type, repeated?]; names are protobufjs's camelCase of the proto names. */
type FieldSpec = [name: string, id: number, type: string, repeated?: 'repeated'];

function message(name: string, fields: FieldSpec[], oneofs: Record<string, string[]> = {}): protobuf.Type {
  const type = new protobuf.Type(name);
  for (const [fieldName, id, fieldType, rule] of fields)
    type.add(new protobuf.Field(fieldName, id, fieldType, rule));
  for (const [oneofName, members] of Object.entries(oneofs)) type.add(new protobuf.OneOf(oneofName, members));
  return type;
}

/** A fully qualified reference, so lookups never depend on the referring message's scope. */
const ref = (pkg: string, name: string) => `.${pkg}.${name}`;

function commonTypes(): protobuf.Type[] {
  const kv = ref(COMMON, 'KeyValue');
  return [
    message(
      'AnyValue',
      [
        ['stringValue', 1, 'string'],
        ['boolValue', 2, 'bool'],
        ['intValue', 3, 'int64'],
        ['doubleValue', 4, 'double'],
        ['arrayValue', 5, ref(COMMON, 'ArrayValue')],
        ['kvlistValue', 6, ref(COMMON, 'KeyValueList')],
        ['bytesValue', 7, 'bytes'],
        ['stringValueStrindex', 8, 'int32'],
      ],
      {
        value: [
          'stringValue',
          'boolValue',
          'intValue',
          'doubleValue',
          'arrayValue',
          'kvlistValue',
          'bytesValue',
          'stringValueStrindex',
        ],
      },
    ),
    message('ArrayValue', [['values', 1, ref(COMMON, 'AnyValue'), 'repeated']]),
    message('KeyValueList', [['values', 1, kv, 'repeated']]),
    message('KeyValue', [
      ['key', 1, 'string'],
      ['value', 2, ref(COMMON, 'AnyValue')],
      ['keyStrindex', 3, 'int32'],
    ]),
    message('InstrumentationScope', [
      ['name', 1, 'string'],
      ['version', 2, 'string'],
      ['attributes', 3, kv, 'repeated'],
      ['droppedAttributesCount', 4, 'uint32'],
    ]),
    message('EntityRef', [
      ['schemaUrl', 1, 'string'],
      ['type', 2, 'string'],
      ['idKeys', 3, 'string', 'repeated'],
      ['descriptionKeys', 4, 'string', 'repeated'],
    ]),
  ];
}

function resourceTypes(): protobuf.Type[] {
  return [
    message('Resource', [
      ['attributes', 1, ref(COMMON, 'KeyValue'), 'repeated'],
      ['droppedAttributesCount', 2, 'uint32'],
      ['entityRefs', 3, ref(COMMON, 'EntityRef'), 'repeated'],
    ]),
  ];
}

function spanType(): protobuf.Type {
  const kv = ref(COMMON, 'KeyValue');
  const span = message('Span', [
    ['traceId', 1, 'bytes'],
    ['spanId', 2, 'bytes'],
    ['traceState', 3, 'string'],
    ['parentSpanId', 4, 'bytes'],
    ['flags', 16, 'fixed32'],
    ['name', 5, 'string'],
    ['kind', 6, `${ref(TRACE, 'Span')}.SpanKind`],
    ['startTimeUnixNano', 7, 'fixed64'],
    ['endTimeUnixNano', 8, 'fixed64'],
    ['attributes', 9, kv, 'repeated'],
    ['droppedAttributesCount', 10, 'uint32'],
    ['events', 11, `${ref(TRACE, 'Span')}.Event`, 'repeated'],
    ['droppedEventsCount', 12, 'uint32'],
    ['links', 13, `${ref(TRACE, 'Span')}.Link`, 'repeated'],
    ['droppedLinksCount', 14, 'uint32'],
    ['status', 15, ref(TRACE, 'Status')],
  ]);
  span.add(new protobuf.Enum('SpanKind', { ...SPAN_KINDS }));
  span.add(
    message('Event', [
      ['timeUnixNano', 1, 'fixed64'],
      ['name', 2, 'string'],
      ['attributes', 3, kv, 'repeated'],
      ['droppedAttributesCount', 4, 'uint32'],
    ]),
  );
  span.add(
    message('Link', [
      ['traceId', 1, 'bytes'],
      ['spanId', 2, 'bytes'],
      ['traceState', 3, 'string'],
      ['attributes', 4, kv, 'repeated'],
      ['droppedAttributesCount', 5, 'uint32'],
      ['flags', 6, 'fixed32'],
    ]),
  );
  return span;
}

function traceTypes(): protobuf.ReflectionObject[] {
  // Status field 1 is reserved (a deprecated code); message is 2, code is 3.
  const status = message('Status', [
    ['message', 2, 'string'],
    ['code', 3, `${ref(TRACE, 'Status')}.StatusCode`],
  ]);
  status.add(new protobuf.Enum('StatusCode', { ...STATUS_CODES }));
  return [
    message('TracesData', [['resourceSpans', 1, ref(TRACE, 'ResourceSpans'), 'repeated']]),
    message('ResourceSpans', [
      ['resource', 1, ref(RESOURCE, 'Resource')],
      ['scopeSpans', 2, ref(TRACE, 'ScopeSpans'), 'repeated'],
      ['schemaUrl', 3, 'string'],
    ]),
    message('ScopeSpans', [
      ['scope', 1, ref(COMMON, 'InstrumentationScope')],
      ['spans', 2, ref(TRACE, 'Span'), 'repeated'],
      ['schemaUrl', 3, 'string'],
    ]),
    spanType(),
    status,
  ];
}

function collectorTypes(): protobuf.Type[] {
  return [
    message('ExportTraceServiceRequest', [['resourceSpans', 1, ref(TRACE, 'ResourceSpans'), 'repeated']]),
    message('ExportTraceServiceResponse', [
      ['partialSuccess', 1, ref(COLLECTOR, 'ExportTracePartialSuccess')],
    ]),
    message('ExportTracePartialSuccess', [
      ['rejectedSpans', 1, 'int64'],
      ['errorMessage', 2, 'string'],
    ]),
  ];
}

interface OtlpProtoTypes {
  exportTraceServiceRequest: protobuf.Type;
  exportTraceServiceResponse: protobuf.Type;
}

let cached: OtlpProtoTypes | undefined;

export function loadOtlpProtoTypes(): OtlpProtoTypes {
  if (cached) return cached;
  const root = new protobuf.Root();
  const packages: Array<[string, protobuf.ReflectionObject[]]> = [
    [COMMON, commonTypes()],
    [RESOURCE, resourceTypes()],
    [TRACE, traceTypes()],
    [COLLECTOR, collectorTypes()],
  ];
  for (const [name, types] of packages) {
    const namespace = root.define(name);
    for (const type of types) namespace.add(type);
  }
  // Resolves every type reference now, so a misspelt one fails here, not mid-decode.
  root.resolveAll();
  cached = {
    exportTraceServiceRequest: root.lookupType(`${COLLECTOR}.ExportTraceServiceRequest`),
    exportTraceServiceResponse: root.lookupType(`${COLLECTOR}.ExportTraceServiceResponse`),
  };
  return cached;
}
