/**
 * Builds the API Gateway HTTP API payload-v2 event that a request would reach Lambda as.
 * Kept free of node:http so the mapping can be read (and tested) on its own.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { matchRoute } from '../http/routes';

interface IncomingHttpRequest {
  method: string;
  /** Request target as sent: path plus optional query string. */
  target: string;
  /** Header names and values in arrival order (node's rawHeaders, paired). */
  rawHeaders: readonly string[];
  body: Uint8Array;
  sourceIp: string;
  protocol: string;
  domainName: string;
  requestId: string;
  timeEpoch: number;
}

// HTTP API hands these to Lambda as text; everything else (protobuf, octet-stream, no type) as base64.
const TEXT_CONTENT_TYPES = [
  /^text\//,
  /^application\/(json|xml|javascript|x-www-form-urlencoded|graphql|yaml|x-yaml|x-ndjson)$/,
  /^application\/[\w.+-]+\+(json|xml)$/,
];
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function buildApiGatewayEvent(
  request: IncomingHttpRequest,
  routes: readonly string[],
): APIGatewayProxyEventV2 {
  const headers = joinHeaders(request.rawHeaders);
  const cookieHeader = headers.cookie;
  delete headers.cookie;
  const cookies = cookieHeader
    ?.split(';')
    .map((cookie) => cookie.trim())
    .filter((cookie) => cookie.length > 0);

  const queryStart = request.target.indexOf('?');
  const rawPath = queryStart === -1 ? request.target : request.target.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : (request.target.slice(queryStart + 1).split('#')[0] ?? '');
  const method = request.method.toUpperCase();
  // Matched as sent (a trailing slash is not folded here); an unmatched request goes to $default.
  const route = matchRoute(routes, method, rawPath);

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route?.routeKey ?? '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: request.domainName,
      domainPrefix: request.domainName.split('.')[0] ?? request.domainName,
      http: {
        method,
        path: rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId,
      routeKey: route?.routeKey ?? '$default',
      stage: '$default',
      time: formatRequestTime(request.timeEpoch),
      timeEpoch: request.timeEpoch,
    },
    isBase64Encoded: false,
  };
  if (cookies && cookies.length > 0) event.cookies = cookies;
  const queryStringParameters = parseQuery(rawQueryString);
  if (queryStringParameters) event.queryStringParameters = queryStringParameters;
  if (route && Object.keys(route.params).length > 0) event.pathParameters = route.params;
  if (request.body.byteLength > 0) {
    const text = isTextBody(headers) ? decodeUtf8(request.body) : undefined;
    if (text === undefined) {
      event.body = Buffer.from(request.body).toString('base64');
      event.isBase64Encoded = true;
    } else {
      event.body = text;
    }
  }
  return event;
}

/** Lower-cases names and joins repeated headers with commas, as HTTP API does. */
function joinHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] ?? '').toLowerCase();
    const value = rawHeaders[index + 1] ?? '';
    const separator = name === 'cookie' ? '; ' : ',';
    headers[name] = name in headers ? `${headers[name]}${separator}${value}` : value;
  }
  return headers;
}

function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}

function isTextBody(headers: Record<string, string>): boolean {
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') return false;
  const mediaType = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return mediaType !== undefined && TEXT_CONTENT_TYPES.some((pattern) => pattern.test(mediaType));
}

/** Text that is not valid UTF-8 travels as base64 so that no byte of it is lost. */
function decodeUtf8(body: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(body);
  } catch {
    return undefined;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's request time format, e.g. 12/Mar/2020:19:03:58 +0000. */
function formatRequestTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
