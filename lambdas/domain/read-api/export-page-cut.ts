/**
 * An export page that would not fit in a response (response-budget.ts) is cut, and the answer says
 * how to go on in the paging the client already uses: `continueWith: { page, limit }` is the request
 * whose first event is the one after the last returned.
 *
 * When k events fit, the answer's pages become k events long: it returns r = k - (offset mod k)
 * events (all k on an aligned page), so that offset + r is a multiple of k and the next page is
 * `(offset + r) / k + 1` with `limit: k`. Pages after that are aligned and lose nothing.
 */
import type { Principal } from '../auth/principal';
import type { ExportResult } from '../query/types';
import { RESPONSE_BODY_BUDGET_BYTES, responseCost } from './response-budget';
import { toApiEvent } from './responses';

/** Room kept for `{"events":[...],"totalEvents":N,"continueWith":{...}}` around the events. */
const ENVELOPE_BYTES = 256;

export interface PageRequest {
  page: number;
  limit: number;
}

export interface ContinueWith {
  page: number;
  limit: number;
}

/** The export answer's JSON text, cut to the budget when the page does not fit in it. */
export function exportBody(
  result: ExportResult,
  principal: Principal,
  request: PageRequest,
  budgetBytes: number = RESPONSE_BODY_BUDGET_BYTES,
): string {
  const pieces: string[] = [];
  let cost = ENVELOPE_BYTES;
  for (const event of result.events) {
    const piece = JSON.stringify(toApiEvent(event, principal));
    cost += responseCost(piece) + 1;
    // The first event always goes: a stored event is far smaller than the budget.
    if (cost > budgetBytes && pieces.length > 0) break;
    pieces.push(piece);
  }
  const total = `"totalEvents":${JSON.stringify(result.totalEvents)}`;
  if (pieces.length === result.events.length) return `{"events":[${pieces.join(',')}],${total}}`;
  const fit = pieces.length;
  const offset = (request.page - 1) * request.limit;
  const returned = fit - (offset % fit);
  const continueWith: ContinueWith = { page: (offset + returned) / fit + 1, limit: fit };
  return `{"events":[${pieces.slice(0, returned).join(',')}],${total},"continueWith":${JSON.stringify(continueWith)}}`;
}
