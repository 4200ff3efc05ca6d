/**
 * Answers must fit in Lambda's synchronous response payload: at most 6 MB, counted on the JSON
 * document Lambda returns ({statusCode, headers, body, isBase64Encoded}), in which the body is a
 * JSON string again, so every `"` and `\` of the body counts twice. Bodies are held to a budget
 * well under it, measured that way, leaving room for headers and the envelope. The HTTP edge refuses
 * an answer that still does not fit (lambdas/http/response-encoding.ts).
 */

/** Lambda quotas: invocation payload (synchronous response) at most 6 MB. */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;
/** What an answer's body may cost (responseCost): 5 MB, leaving over 1 MB for headers and envelope. */
export const RESPONSE_BODY_BUDGET_BYTES = 5_000_000;

/** Bytes a piece of body text takes once Lambda's response JSON carries it (escapes included). */
export function responseCost(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

/** Bytes of the whole Lambda response document. */
export function lambdaPayloadBytes(response: unknown): number {
  return Buffer.byteLength(JSON.stringify(response));
}
