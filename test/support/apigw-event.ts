import type { APIGatewayProxyEventV2 } from 'aws-lambda';

let counter = 0;

/** An API Gateway HTTP API (payload v2) event as the service would deliver it. */
export function apigwEvent(options: {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  base64?: boolean;
  sourceIp?: string;
}): APIGatewayProxyEventV2 {
  const base64 = options.base64 ?? typeof options.body !== 'string';
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? base64
          ? Buffer.from(options.body).toString('base64')
          : options.body
        : Buffer.from(options.body).toString('base64');
  const requestId = `req-${++counter}-${Date.now()}`;
  return {
    version: '2.0',
    routeKey: `${options.method} ${options.path}`,
    rawPath: options.path,
    rawQueryString: '',
    headers: Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: options.method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: options.sourceIp ?? '127.0.0.1',
        userAgent: 'test',
      },
      requestId,
      routeKey: `${options.method} ${options.path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: body !== undefined && base64,
  };
}
