/** JSON answers of the HTTP functions, in the shape API Gateway's HTTP API (payload v2) takes. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Header names lower-cased, as HTTP/2 and API Gateway's HTTP API carry them. */
export function lowerCaseHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

export function jsonResponse(status: number, body: unknown, headers?: Record<string, string>): HttpResponse {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...lowerCaseHeaders(headers) },
    body: JSON.stringify(body),
  };
}
