import type { EventRecord } from '../events/event';
import { type NormalizeContext, normalizeSpan } from '../events/normalize-span';
import type { OtlpTraceRequest } from '../otlp/model';
import { describeUnstorable, dropUnstorableValues } from '../store/storable-values';
import { finish, NEVER_DUE, type Pacer, type Steps } from '../time-slices';
import { spanRejectionReason } from './span-validation';

/** What normalizing needs besides the span's own resource and scope. */
type OtlpConversionContext = Omit<NormalizeContext, 'resourceAttributes' | 'scopeName' | 'scopeVersion'>;

interface OtlpConversion {
  records: EventRecord[];
  rejectedSpans: number;
  /**
   * A short summary of why spans were rejected, and of values dropped from accepted spans because
   * the store cannot keep them ('' when neither happened). OTLP's partial_success carries it: with
   * rejected_spans 0 it is a warning, as the OTLP specification allows.
   */
  rejectionMessage: string;
  /** Values dropped from accepted spans (set NULL; named in each event's normalization notes). */
  droppedValues: number;
}

/** At most this many distinct reasons are spelled out in partial_success.error_message. */
const MAX_REASONS = 5;

/** Validates and normalizes every span; a span that fails is counted, never silently dropped. */
export function otlpToRecords(request: OtlpTraceRequest, ctx: OtlpConversionContext): OtlpConversion {
  return finish(otlpToRecordsSteps(request, ctx, NEVER_DUE));
}

/** otlpToRecords as step-generator work (see time-slices.ts): it yields between spans when `pacer` is due. */
export function* otlpToRecordsSteps(
  request: OtlpTraceRequest,
  ctx: OtlpConversionContext,
  pacer: Pacer,
): Steps<OtlpConversion> {
  const records: EventRecord[] = [];
  const reasons: string[] = [];
  const warnings: string[] = [];
  let rejectedSpans = 0;
  let droppedValues = 0;
  for (const resourceSpans of request.resourceSpans) {
    for (const scopeSpans of resourceSpans.scopeSpans) {
      const scopeContext: NormalizeContext = {
        ...ctx,
        resourceAttributes: resourceSpans.resourceAttributes,
        scopeName: scopeSpans.scopeName,
        scopeVersion: scopeSpans.scopeVersion,
      };
      for (const span of scopeSpans.spans) {
        if (pacer.due()) yield;
        let reason = spanRejectionReason(span);
        if (reason === undefined) {
          try {
            const event = normalizeSpan(span, scopeContext);
            // Values the store cannot keep are dropped here, before the span is acknowledged: stored,
            // they would fail the writer's whole file for this project and hour.
            const { dropped, refused } = dropUnstorableValues(event);
            if (refused.length === 0) {
              records.push({ kind: 'event', event });
              droppedValues += dropped.length;
              if (dropped.length > 0 && warnings.length < MAX_REASONS) {
                warnings.push(
                  `span "${span.name.slice(0, 64)}": ${dropped.map(describeUnstorable).join(', ')}`,
                );
              }
              continue;
            }
            reason = `span "${span.name.slice(0, 64)}": ${refused.map(describeUnstorable).join(', ')}`;
          } catch (error) {
            reason = `span "${span.name.slice(0, 64)}": could not be normalized (${(error as Error).message})`;
          }
        }
        rejectedSpans++;
        if (reasons.length < MAX_REASONS) reasons.push(reason);
      }
    }
  }
  const rejection =
    rejectedSpans === 0
      ? ''
      : `${rejectedSpans} span(s) rejected: ${reasons.join('; ')}${andMore(rejectedSpans, reasons.length)}`;
  const dropping =
    droppedValues === 0
      ? ''
      : `${droppedValues} value(s) the store cannot keep were dropped from accepted spans: ${warnings.join('; ')}${andMore(droppedValues, warnings.length)}`;
  const rejectionMessage = [rejection, dropping].filter((part) => part !== '').join('. ');
  return { records, rejectedSpans, rejectionMessage, droppedValues };
}

function andMore(total: number, told: number): string {
  return total > told ? `; and ${total - told} more` : '';
}
