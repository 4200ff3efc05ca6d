/**
 * One request body -> event records, for every intake route. The live path and the replay command
 * both go through here, so a replayed request is normalized exactly as a fresh one would be.
 */

import { TooLargeError, UnsupportedFormatError, ValidationError } from '../errors';
import type { EventRecord, Tenant } from '../events/event';
import * as honeyhive from '../honeyhive';
import { decodeTraceRequestJsonSteps } from '../otlp/decode-json';
import { decodeTraceRequestProtobufSteps } from '../otlp/decode-protobuf';
import { DEFAULT_OTLP_LIMITS, OtlpLimitError, type OtlpLimits } from '../otlp/limits';
import { OtlpDecodeError, type OtlpTraceRequest } from '../otlp/model';
import { finish, NEVER_DUE, type Pacer, type Steps, type TimeSlices } from '../time-slices';
import { deterministicIds } from './deterministic-ids';
import { parseJsonBody } from './json-body';
import { otlpToRecordsSteps } from './otlp-to-records';
import type { ArchivedRoute } from './raw-archive';

type OtlpFormat = 'protobuf' | 'json';

interface ConversionInput {
  route: ArchivedRoute;
  contentType: string;
  body: Uint8Array;
  tenant: Tenant;
  projectName: string;
  requestId: string;
  ingestedAt: number;
  version: number;
  rawArchiveKey: string;
  maxAttributeValueBytes?: number;
  /** How much one OTLP request may hold; DEFAULT_OTLP_LIMITS when absent. */
  otlpLimits?: Readonly<OtlpLimits>;
}

export type Conversion =
  | {
      route: 'otlp-traces';
      format: OtlpFormat;
      records: EventRecord[];
      rejectedSpans: number;
      rejectionMessage: string;
      /** Values dropped from accepted spans because the store cannot keep them. */
      droppedValues: number;
    }
  | {
      route: Exclude<ArchivedRoute, 'otlp-traces'>;
      records: EventRecord[];
      /** Some items of a batch were refused, the rest accepted (honeyhive.IntakeResult). */
      partial: boolean;
      response: unknown;
    };

const HONEYHIVE_OPERATIONS = {
  'session-start': honeyhive.startSession,
  events: honeyhive.createEvent,
  'events-batch': honeyhive.createEventBatch,
  'events-model': honeyhive.createModelEvent,
  'events-model-batch': honeyhive.createModelEventBatch,
  'events-update': honeyhive.updateEvent,
} as const;

/** The batch routes as step-generator work: a thousand events are worth slicing, one is not. */
const HONEYHIVE_BATCHES: Partial<
  Record<
    ArchivedRoute,
    (body: unknown, ctx: honeyhive.IntakeContext, pacer: Pacer) => Steps<honeyhive.IntakeResult>
  >
> = {
  'events-batch': honeyhive.createEventBatchSteps,
  'events-model-batch': honeyhive.createModelEventBatchSteps,
};

/** The OTLP encoding named by a Content-Type header, or undefined when it is neither (415). */
function otlpFormatOf(contentType: string): OtlpFormat | undefined {
  const mediaType = mediaTypeOf(contentType);
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}

export function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

export function convertRequest(input: ConversionInput): Conversion {
  return finish(conversionSteps(input, NEVER_DUE));
}

/**
 * convertRequest with the event loop running between slices of the work (decoding and normalizing
 * spans), so a large request does not hold up the other requests of a process.
 */
export function convertRequestInSlices(input: ConversionInput, slices: TimeSlices): Promise<Conversion> {
  return slices.run(conversionSteps(input, slices));
}

function* conversionSteps(input: ConversionInput, pacer: Pacer): Steps<Conversion> {
  if (input.route === 'otlp-traces') {
    const format = otlpFormatOf(input.contentType);
    if (!format) {
      throw new UnsupportedFormatError(
        `Unsupported Content-Type "${input.contentType}": send application/x-protobuf or application/json`,
      );
    }
    const request = yield* decodeOtlp(input.body, format, input.otlpLimits ?? DEFAULT_OTLP_LIMITS, pacer);
    return { route: input.route, format, ...(yield* otlpToRecordsSteps(request, input, pacer)) };
  }
  const mediaType = mediaTypeOf(input.contentType);
  if (mediaType !== 'application/json' && mediaType !== '') {
    throw new UnsupportedFormatError(
      `Unsupported Content-Type "${input.contentType}": send application/json`,
    );
  }
  const body = parseJsonBody(input.body);
  const ctx: honeyhive.IntakeContext = {
    tenant: input.tenant,
    projectName: input.projectName,
    ingestedAt: input.ingestedAt,
    version: input.version,
    newId: deterministicIds(input.requestId),
  };
  const batch = HONEYHIVE_BATCHES[input.route];
  const result = batch ? yield* batch(body, ctx, pacer) : HONEYHIVE_OPERATIONS[input.route](body, ctx);
  return { route: input.route, records: result.records, partial: result.partial, response: result.response };
}

function* decodeOtlp(
  body: Uint8Array,
  format: OtlpFormat,
  limits: Readonly<OtlpLimits>,
  pacer: Pacer,
): Steps<OtlpTraceRequest> {
  try {
    return format === 'protobuf'
      ? yield* decodeTraceRequestProtobufSteps(body, limits, pacer)
      : yield* decodeTraceRequestJsonSteps(body, limits, pacer);
  } catch (error) {
    if (error instanceof OtlpLimitError) throw new TooLargeError(error.message);
    if (error instanceof OtlpDecodeError) {
      throw new ValidationError(
        `Malformed OTLP ${format === 'protobuf' ? 'protobuf' : 'JSON'} body: ${error.message}`,
      );
    }
    throw error;
  }
}
