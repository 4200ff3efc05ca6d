import { Duration } from 'aws-cdk-lib';
import {
  type HttpApi,
  HttpMethod,
  type IHttpRouteAuthorizer,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { API_GATEWAY_USABLE_MS } from '../../lambdas/domain/read-api/read-deadline';
import { splitRouteKey } from '../../lambdas/http/routes';

/**
 * The timeout of a function behind the HTTP API: API Gateway waits at most 30 s for an integration
 * (29 s usable, API_GATEWAY_USABLE_MS), then answers itself while the function runs on for nobody.
 */
export const HTTP_API_FUNCTION_TIMEOUT = Duration.millis(API_GATEWAY_USABLE_MS);

/**
 * Routes each of `routeKeys` ('METHOD /path', the keys the function's own router reads) on
 * `httpApi` to `fn`, through one Lambda proxy integration (payload format 2.0) named `integrationId`,
 * behind `authorizer` when given (else the API's default).
 */
export function addFunctionRoutes(
  httpApi: HttpApi,
  integrationId: string,
  fn: IFunction,
  routeKeys: readonly string[],
  authorizer?: IHttpRouteAuthorizer,
): void {
  const integration = new HttpLambdaIntegration(integrationId, fn, {
    payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
  });
  for (const routeKey of routeKeys) {
    const { method, path } = splitRouteKey(routeKey);
    httpApi.addRoutes({
      path,
      methods: [HttpMethod[method as keyof typeof HttpMethod]],
      integration,
      ...(authorizer && { authorizer }),
    });
  }
}
