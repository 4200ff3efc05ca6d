import { limitExceeded, type OtlpLimits } from './limits';

const SPLIT = 'split it into smaller requests';

/**
 * Counts what a decoder has materialised of one request against the per-request OtlpLimits and
 * throws OtlpLimitError at the first item over one, so decoding stops there. Per-span counts are
 * the decoders' own (they know where a span starts); `checkPerItem` refuses them alike.
 */
export class RequestBudget {
  private spans = 0;
  private attributes = 0;
  private eventsAndLinks = 0;

  constructor(readonly limits: Readonly<OtlpLimits>) {}

  addSpans(count: number): void {
    this.spans += count;
    if (this.spans > this.limits.maxSpansPerRequest) {
      throw limitExceeded('maxSpansPerRequest', this.limits, `spans in one request; ${SPLIT}`);
    }
  }

  addAttributes(count: number): void {
    this.attributes += count;
    if (this.attributes > this.limits.maxAttributesPerRequest) {
      throw limitExceeded(
        'maxAttributesPerRequest',
        this.limits,
        `attributes in one request (nested array items and map entries count); ${SPLIT}`,
      );
    }
  }

  addEventsOrLinks(count: number): void {
    this.eventsAndLinks += count;
    if (this.eventsAndLinks > this.limits.maxEventsAndLinksPerRequest) {
      throw limitExceeded(
        'maxEventsAndLinksPerRequest',
        this.limits,
        `span events and links in one request; ${SPLIT}`,
      );
    }
  }

  /** Refuses one span, span event, link or resource once `count` of its items pass `limit`. */
  checkPerItem(
    limit: 'maxAttributesPerSpan' | 'maxEventsPerSpan' | 'maxLinksPerSpan',
    count: number,
    what: string,
  ): void {
    if (count > this.limits[limit]) throw limitExceeded(limit, this.limits, what);
  }
}
