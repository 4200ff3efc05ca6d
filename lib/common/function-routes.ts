import {
  type HttpApi,
  HttpMethod,
  type IHttpRouteAuthorizer,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { splitRouteKey } from '../../lambdas/http/routes';

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
