import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';

/**
 * An HTTP API's access log: one JSON object per request, of API Gateway HTTP API variables (not the
 * REST API ones): the request, its route and status first, then the API's own `fields`, the error
 * last.
 */
export function httpApiAccessLogFormat(fields: Record<string, string>): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      requestTime: '$context.requestTimeEpoch',
      routeKey: '$context.routeKey',
      status: '$context.status',
      ...fields,
      error: '$context.error.message',
    }),
  );
}
