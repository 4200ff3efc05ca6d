/**
 * SessionSearchAnswer `{ sessions, totalSessions }`, held to the response budget: a page of 500
 * sessions carries 500 session events' metadata and user_properties, which are not truncated when
 * stored. When the answer would not fit, the largest of those sections are replaced, largest first,
 * by the marker stored inputs and outputs use, `{ "_truncated": true, "_bytes": <size> }`, until it
 * does (the session's own page, GET /v1/sessions/{id}, still shows them whole). Rows and paging are
 * never cut.
 */
import type { JsonObject } from '../events/event';
import type { SessionSearchResult, SessionSummary } from '../query/types';
import { RESPONSE_BODY_BUDGET_BYTES, responseCost } from './response-budget';

const SECTIONS = ['metadata', 'user_properties'] as const;

export function sessionSearchBody(
  result: SessionSearchResult,
  budgetBytes: number = RESPONSE_BODY_BUDGET_BYTES,
): string {
  const sessions = result.sessions.map((session) => ({ ...session }));
  const answer = () => JSON.stringify({ sessions, totalSessions: result.totalSessions });
  let body = answer();
  let cost = responseCost(body);
  if (cost <= budgetBytes) return body;
  const sections = sessions
    .flatMap((session) =>
      SECTIONS.flatMap((name) => {
        const value = session[name];
        return value === undefined ? [] : [{ session, name, cost: responseCost(JSON.stringify(value)) }];
      }),
    )
    .sort((a, b) => b.cost - a.cost);
  for (const section of sections) {
    if (cost <= budgetBytes) break;
    const bytes = Buffer.byteLength(JSON.stringify(section.session[section.name]));
    const marker: JsonObject = { _truncated: true, _bytes: bytes };
    (section.session as SessionSummary)[section.name] = marker;
    cost -= section.cost - responseCost(JSON.stringify(marker));
  }
  body = answer();
  return body;
}
