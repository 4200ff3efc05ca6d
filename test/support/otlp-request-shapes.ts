/**
 * OTLP trace requests of a chosen shape (how many spans, attributes, events, links, how long the
 * values), as protobuf bytes and as OTLP JSON text, built directly so that requests at the ingest
 * limits (hundreds of thousands of attributes) take milliseconds to make. Tests of the limits and
 * the memory benchmark use them.
 */

export interface OtlpRequestShape {
  spans: number;
  /** Attributes on every span (string values). */
  attributesPerSpan: number;
  eventsPerSpan?: number;
  linksPerSpan?: number;
  /** Attributes on every event and every link. */
  attributesPerEventOrLink?: number;
  /** Resource attributes (default 1). */
  resourceAttributes?: number;
  /** When given, every span also has an attribute `list` whose array value holds this many strings. */
  arrayItems?: number;
  /** Characters in every attribute's string value. */
  valueLength?: number;
  /** Spans per ScopeSpans (a new ResourceSpans/ScopeSpans pair starts after that many). */
  spansPerScope?: number;
}

// Tags (field << 3 | wire type) of the OTLP fields written here.
const LEN = 2;
const FIXED64 = 1;
const VARINT = 0;
const tag = (field: number, wireType: number) => (field << 3) | wireType;

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
}

function lengthDelimited(field: number, payload: Uint8Array): Buffer {
  return Buffer.concat([Uint8Array.from([tag(field, LEN), ...varint(payload.length)]), payload]);
}

function text(field: number, value: string): Buffer {
  return lengthDelimited(field, Buffer.from(value, 'utf8'));
}

function fixed64(field: number, value: bigint): Buffer {
  const out = Buffer.alloc(9);
  out[0] = tag(field, FIXED64);
  out.writeBigUInt64LE(value, 1);
  return out;
}

function keyValue(key: string, value: string): Buffer {
  return Buffer.concat([text(1, key), lengthDelimited(2, text(1, value))]);
}

/** Span attribute `list` (field 9) holding an ArrayValue (AnyValue field 5) of `count` strings. */
function arrayAttribute(count: number, value: string): Buffer {
  const item = lengthDelimited(1, text(1, value));
  const array = lengthDelimited(5, Buffer.concat(Array.from({ length: count }, () => item)));
  return lengthDelimited(9, Buffer.concat([text(1, 'list'), lengthDelimited(2, array)]));
}

/** The repeated KeyValue field `field` with `count` attributes: attr.0 ... attr.<count-1>. */
function attributeBlock(field: number, count: number, value: string): Buffer {
  const parts: Buffer[] = [];
  for (let index = 0; index < count; index++)
    parts.push(lengthDelimited(field, keyValue(`attr.${index}`, value)));
  return Buffer.concat(parts);
}

function idBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  out.writeUInt32BE(seed + 1, length - 4);
  out[0] = 0xab;
  return out;
}

const START_NS = 1_767_225_600_000_000_000n;

function attributeValueOf(shape: OtlpRequestShape): string {
  return 'v'.repeat(shape.valueLength ?? 8);
}

/** The request as OTLP/HTTP protobuf (an ExportTraceServiceRequest). */
export function otlpProtobufRequest(shape: OtlpRequestShape): Uint8Array {
  const value = attributeValueOf(shape);
  const spanAttributes = Buffer.concat([
    attributeBlock(9, shape.attributesPerSpan, value),
    shape.arrayItems === undefined ? Buffer.alloc(0) : arrayAttribute(shape.arrayItems, value),
  ]);
  const nestedAttributes = shape.attributesPerEventOrLink ?? 0;
  const event = lengthDelimited(
    11,
    Buffer.concat([fixed64(1, START_NS), text(2, 'event'), attributeBlock(3, nestedAttributes, value)]),
  );
  const events = Buffer.concat(Array.from({ length: shape.eventsPerSpan ?? 0 }, () => event));
  const links: Buffer[] = [];
  for (let index = 0; index < (shape.linksPerSpan ?? 0); index++) {
    const link = Buffer.concat([
      lengthDelimited(1, idBytes(16, index)),
      lengthDelimited(2, idBytes(8, index)),
      attributeBlock(4, nestedAttributes, value),
    ]);
    links.push(lengthDelimited(13, link));
  }
  const linkBlock = Buffer.concat(links);
  const resource = lengthDelimited(1, attributeBlock(1, shape.resourceAttributes ?? 1, value));
  const scope = lengthDelimited(1, text(1, 'shape-scope'));
  const perScope = shape.spansPerScope ?? shape.spans;

  const resourceSpans: Buffer[] = [];
  for (let first = 0; first < shape.spans || first === 0; first += perScope) {
    const spans: Buffer[] = [];
    for (let index = first; index < Math.min(shape.spans, first + perScope); index++) {
      const span = Buffer.concat([
        lengthDelimited(1, idBytes(16, Math.floor(index / 8))),
        lengthDelimited(2, idBytes(8, index)),
        text(5, `span-${index}`),
        Uint8Array.from([tag(6, VARINT), 3]),
        fixed64(7, START_NS + BigInt(index) * 1_000_000n),
        fixed64(8, START_NS + BigInt(index) * 1_000_000n + 500_000n),
        spanAttributes,
        events,
        linkBlock,
      ]);
      spans.push(lengthDelimited(2, span));
    }
    const scopeSpans = lengthDelimited(2, Buffer.concat([scope, ...spans]));
    resourceSpans.push(lengthDelimited(1, Buffer.concat([resource, scopeSpans])));
    if (shape.spans === 0) break;
  }
  return Buffer.concat(resourceSpans);
}

function jsonAttributes(count: number, value: string, arrayItems?: number): string {
  const parts: string[] = [];
  for (let index = 0; index < count; index++) {
    parts.push(`{"key":"attr.${index}","value":{"stringValue":"${value}"}}`);
  }
  if (arrayItems !== undefined) {
    const items = Array.from({ length: arrayItems }, () => `{"stringValue":"${value}"}`).join(',');
    parts.push(`{"key":"list","value":{"arrayValue":{"values":[${items}]}}}`);
  }
  return `[${parts.join(',')}]`;
}

/** The same request as OTLP/JSON text. */
export function otlpJsonRequest(shape: OtlpRequestShape): string {
  const value = attributeValueOf(shape);
  const spanAttributes = jsonAttributes(shape.attributesPerSpan, value, shape.arrayItems);
  const nested = jsonAttributes(shape.attributesPerEventOrLink ?? 0, value);
  const event = `{"timeUnixNano":"${START_NS}","name":"event","attributes":${nested}}`;
  const events = `[${Array.from({ length: shape.eventsPerSpan ?? 0 }, () => event).join(',')}]`;
  const links = `[${Array.from(
    { length: shape.linksPerSpan ?? 0 },
    (_, index) =>
      `{"traceId":"${idBytes(16, index).toString('hex')}","spanId":"${idBytes(8, index).toString('hex')}","attributes":${nested}}`,
  ).join(',')}]`;
  const resource = `{"attributes":${jsonAttributes(shape.resourceAttributes ?? 1, value)}}`;
  const perScope = shape.spansPerScope ?? shape.spans;

  const resourceSpans: string[] = [];
  for (let first = 0; first < shape.spans || first === 0; first += perScope) {
    const spans: string[] = [];
    for (let index = first; index < Math.min(shape.spans, first + perScope); index++) {
      const start = START_NS + BigInt(index) * 1_000_000n;
      spans.push(
        `{"traceId":"${idBytes(16, Math.floor(index / 8)).toString('hex')}","spanId":"${idBytes(8, index).toString('hex')}",` +
          `"name":"span-${index}","kind":3,"startTimeUnixNano":"${start}","endTimeUnixNano":"${start + 500_000n}",` +
          `"attributes":${spanAttributes},"events":${events},"links":${links}}`,
      );
    }
    resourceSpans.push(
      `{"resource":${resource},"scopeSpans":[{"scope":{"name":"shape-scope"},"spans":[${spans.join(',')}]}]}`,
    );
    if (shape.spans === 0) break;
  }
  return `{"resourceSpans":[${resourceSpans.join(',')}]}`;
}

const JSON_HEAD = '{"resourceSpans":[';
const JSON_TAIL = ']}';

/** One OTLP/JSON request holding the resourceSpans of all `requests` (as protobuf concatenation does). */
export function joinOtlpJson(...requests: string[]): string {
  const inner = requests.map((request) => {
    if (!request.startsWith(JSON_HEAD) || !request.endsWith(JSON_TAIL))
      throw new Error('not an otlpJsonRequest');
    return request.slice(JSON_HEAD.length, -JSON_TAIL.length);
  });
  return `${JSON_HEAD}${inner.filter((part) => part !== '').join(',')}${JSON_TAIL}`;
}
