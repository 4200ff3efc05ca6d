import type { EventRecord } from '../events/event';
import { type NormalizeContext, normalizeSpan } from '../events/normalize-span';
import type { OtlpTraceRequest } from '../otlp/model';
import { spanRejectionReason } from './span-validation';

/** What normalizing needs besides the span's own resource and scope. */
export type OtlpConversionContext = Omit<
  NormalizeContext,
  'resourceAttributes' | 'scopeName' | 'scopeVersion'
>;

export interface OtlpConversion {
  records: EventRecord[];
  rejectedSpans: number;
  /** A short summary of why spans were rejected ('' when none were). */
  rejectionMessage: string;
}

/** At most this many distinct reasons are spelled out in partial_success.error_message. */
const MAX_REASONS = 5;

/** Validates and normalizes every span; a span that fails is counted, never silently dropped. */
export function otlpToRecords(request: OtlpTraceRequest, ctx: OtlpConversionContext): OtlpConversion {
  const records: EventRecord[] = [];
  const reasons: string[] = [];
  let rejectedSpans = 0;
  for (const resourceSpans of request.resourceSpans) {
    for (const scopeSpans of resourceSpans.scopeSpans) {
      const scopeContext: NormalizeContext = {
        ...ctx,
        resourceAttributes: resourceSpans.resourceAttributes,
        scopeName: scopeSpans.scopeName,
        scopeVersion: scopeSpans.scopeVersion,
      };
      for (const span of scopeSpans.spans) {
        let reason = spanRejectionReason(span);
        if (reason === undefined) {
          try {
            records.push({ kind: 'event', event: normalizeSpan(span, scopeContext) });
            continue;
          } catch (error) {
            reason = `span "${span.name.slice(0, 64)}": could not be normalized (${(error as Error).message})`;
          }
        }
        rejectedSpans++;
        if (reasons.length < MAX_REASONS) reasons.push(reason);
      }
    }
  }
  const more = rejectedSpans > reasons.length ? `; and ${rejectedSpans - reasons.length} more` : '';
  const rejectionMessage =
    rejectedSpans === 0 ? '' : `${rejectedSpans} span(s) rejected: ${reasons.join('; ')}${more}`;
  return { records, rejectedSpans, rejectionMessage };
}
