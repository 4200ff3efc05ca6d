/**
 * Requests at each OTLP limit and one item over it, at the real default limits, in both encodings:
 * the decoder tests and the ingest handler tests share them.
 */
import { DEFAULT_OTLP_LIMITS, type OtlpLimits } from '../../lambdas/domain/otlp/limits';
import {
  joinOtlpJson,
  type OtlpRequestShape,
  otlpJsonRequest,
  otlpProtobufRequest,
} from './otlp-request-shapes';

const limits = DEFAULT_OTLP_LIMITS;

/**
 * Each limit: a request exactly at it, and what one more item looks like (appended as a further
 * ResourceSpans, or a per-item count one higher). Both sit at the real default limits.
 */
interface LimitCase {
  limit: keyof OtlpLimits;
  atLimit: OtlpRequestShape;
  /** A second request whose spans join the first, taking it one item over. */
  plusOne?: OtlpRequestShape;
  /** Or: the at-limit shape with one more of its item. */
  overLimit?: OtlpRequestShape;
}

export const OTLP_LIMIT_CASES: LimitCase[] = [
  {
    limit: 'maxSpansPerRequest',
    atLimit: { spans: limits.maxSpansPerRequest, attributesPerSpan: 0, resourceAttributes: 0 },
    plusOne: { spans: 1, attributesPerSpan: 0, resourceAttributes: 0 },
  },
  {
    limit: 'maxAttributesPerRequest',
    atLimit: {
      spans: limits.maxAttributesPerRequest / limits.maxAttributesPerSpan,
      attributesPerSpan: limits.maxAttributesPerSpan,
      resourceAttributes: 0,
    },
    plusOne: { spans: 0, attributesPerSpan: 0, resourceAttributes: 1 },
  },
  {
    // The attribute itself and every item of its array value count.
    limit: 'maxAttributesPerRequest',
    atLimit: {
      spans: 1,
      attributesPerSpan: 0,
      resourceAttributes: 0,
      arrayItems: limits.maxAttributesPerRequest - 1,
    },
    overLimit: {
      spans: 1,
      attributesPerSpan: 0,
      resourceAttributes: 0,
      arrayItems: limits.maxAttributesPerRequest,
    },
  },
  {
    limit: 'maxEventsAndLinksPerRequest',
    atLimit: {
      spans: limits.maxEventsAndLinksPerRequest / limits.maxEventsPerSpan,
      attributesPerSpan: 0,
      eventsPerSpan: limits.maxEventsPerSpan,
      resourceAttributes: 0,
    },
    plusOne: { spans: 1, attributesPerSpan: 0, linksPerSpan: 1, resourceAttributes: 0 },
  },
  {
    limit: 'maxAttributesPerSpan',
    atLimit: { spans: 1, attributesPerSpan: limits.maxAttributesPerSpan },
    overLimit: { spans: 1, attributesPerSpan: limits.maxAttributesPerSpan + 1 },
  },
  {
    limit: 'maxAttributesPerSpan',
    atLimit: { spans: 1, attributesPerSpan: 0, resourceAttributes: limits.maxAttributesPerSpan },
    overLimit: { spans: 1, attributesPerSpan: 0, resourceAttributes: limits.maxAttributesPerSpan + 1 },
  },
  {
    limit: 'maxAttributesPerSpan',
    atLimit: {
      spans: 1,
      attributesPerSpan: 0,
      eventsPerSpan: 1,
      attributesPerEventOrLink: limits.maxAttributesPerSpan,
    },
    overLimit: {
      spans: 1,
      attributesPerSpan: 0,
      eventsPerSpan: 1,
      attributesPerEventOrLink: limits.maxAttributesPerSpan + 1,
    },
  },
  {
    limit: 'maxAttributesPerSpan',
    atLimit: {
      spans: 1,
      attributesPerSpan: 0,
      linksPerSpan: 1,
      attributesPerEventOrLink: limits.maxAttributesPerSpan,
    },
    overLimit: {
      spans: 1,
      attributesPerSpan: 0,
      linksPerSpan: 1,
      attributesPerEventOrLink: limits.maxAttributesPerSpan + 1,
    },
  },
  {
    limit: 'maxEventsPerSpan',
    atLimit: { spans: 1, attributesPerSpan: 0, eventsPerSpan: limits.maxEventsPerSpan },
    overLimit: { spans: 1, attributesPerSpan: 0, eventsPerSpan: limits.maxEventsPerSpan + 1 },
  },
  {
    limit: 'maxLinksPerSpan',
    atLimit: { spans: 1, attributesPerSpan: 0, linksPerSpan: limits.maxLinksPerSpan },
    overLimit: { spans: 1, attributesPerSpan: 0, linksPerSpan: limits.maxLinksPerSpan + 1 },
  },
];

export const OTLP_LIMIT_FORMATS = {
  protobuf: {
    at: (c: LimitCase) => otlpProtobufRequest(c.atLimit),
    over: (c: LimitCase) =>
      c.plusOne
        ? Buffer.concat([otlpProtobufRequest(c.atLimit), otlpProtobufRequest(c.plusOne)])
        : otlpProtobufRequest(c.overLimit as OtlpRequestShape),
  },
  json: {
    at: (c: LimitCase) => otlpJsonRequest(c.atLimit),
    over: (c: LimitCase) =>
      c.plusOne
        ? joinOtlpJson(otlpJsonRequest(c.atLimit), otlpJsonRequest(c.plusOne))
        : otlpJsonRequest(c.overLimit as OtlpRequestShape),
  },
};
