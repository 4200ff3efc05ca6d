import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  CfnAuthorizer,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  type HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CONFIGURATION_WRITE_ROUTES } from '../../lambdas/control-plane-api/configuration-routes';
import { environmentForControlPlaneApi } from '../../lambdas/control-plane-api/environment';
import { CONTROL_PLANE_ROUTES } from '../../lambdas/control-plane-api/routes';
import { environmentForControlPlaneTokens } from '../../lambdas/control-plane-tokens/environment';
import { TOKEN_ROUTES } from '../../lambdas/control-plane-tokens/routes';
import { httpApiAccessLogFormat } from '../common/access-log-format';
import { HTTP_API_FUNCTION_TIMEOUT } from '../common/function-routes';
import { urlSuffixOf } from '../common/partition';
import { WaggleFunction } from '../common/waggle-function';
import { consoleOrigins } from '../config/console-origins';
import type { ControlPlaneConfig, DataPlaneConfig, LogLevel } from '../config/deployment-config';
import { controlPlaneSyncRoleNames } from '../config/sync-names';
import type { ControlPlaneTable } from './control-plane-table';
import type { ControlPlaneIdentity } from './identity';
import { grantSendToInboxes, inboxesEnvironment } from './inbox-access';
import type { SigningKey } from './signing-key';

export interface ControlPlaneApiProps {
  readonly controlPlane: ControlPlaneConfig;
  readonly dataPlanes: readonly DataPlaneConfig[];
  readonly identity: ControlPlaneIdentity;
  readonly table: ControlPlaneTable;
  readonly signingKey: SigningKey;
  readonly logLevel?: LogLevel;
  /** The web console's origin (ConsoleHosting.origin), allowed to call the API from the browser. */
  readonly consoleOrigin: string;
}

/** The public route that needs no sign-in: data planes fetch the keys that verify tokens and sync messages. */
export const JWKS_ROUTE = 'GET /.well-known/jwks.json';

const ACCESS_LOG_FORMAT = httpApiAccessLogFormat({
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  // The caller as the JWT authorizer verified it; never the token itself.
  subject: '$context.authorizer.claims.sub',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  authorizerError: '$context.authorizer.error',
});

/**
 * The control plane's HTTP API. Every route but the JWKS sits behind an HTTP API JWT authorizer on
 * the user pool (the web client is the audience): the tenancy, RBAC and API-key routes go to the
 * control-plane API function, which also publishes changes to the data planes' inboxes; the token
 * routes (issue a data-plane token, publish the JWKS) go to the token function.
 */
export class ControlPlaneApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly apiFunction: WaggleFunction;
  readonly tokenFunction: WaggleFunction;
  readonly authorizer: HttpUserPoolAuthorizer;
  readonly routes: ReadonlyMap<string, HttpRoute>;

  constructor(scope: Construct, id: string, props: ControlPlaneApiProps) {
    super(scope, id);
    const { controlPlane, dataPlanes, identity, table, signingKey } = props;
    // The current key only: its kid (the key's id, not its ARN, which names the account) in sync messages.
    const signingEnvironment = signingKey.signingEnvironment();

    this.apiFunction = new WaggleFunction(this, 'ApiFunction', {
      entry: 'lambdas/control-plane-api/handler.ts',
      serviceName: 'waggle-control-plane',
      description: 'Waggle control-plane API: organizations, workspaces, members, projects, API keys',
      timeout: HTTP_API_FUNCTION_TIMEOUT,
      logLevel: props.logLevel,
      // Named, because every data plane's inbox policy names it (from the config, in another account).
      roleName: controlPlaneSyncRoleNames(controlPlane).api,
      environment: environmentForControlPlaneApi({
        CONTROL_PLANE_TABLE_NAME: table.table.tableName,
        INBOXES: inboxesEnvironment(this, dataPlanes),
        TOKEN_ISSUER: controlPlane.url,
        ...signingEnvironment,
      }),
    });
    table.grantReadWriteRecords(this.apiFunction.role);
    signingKey.grantSign(this.apiFunction.role);
    grantSendToInboxes(this, this.apiFunction.role, dataPlanes);

    this.tokenFunction = new WaggleFunction(this, 'TokenFunction', {
      entry: 'lambdas/control-plane-tokens/handler.ts',
      serviceName: 'waggle-control-plane-tokens',
      description: 'Waggle token service: data-plane tokens (ES256, at most 15 minutes) and the JWKS',
      timeout: Duration.seconds(10),
      logLevel: props.logLevel,
      environment: environmentForControlPlaneTokens({
        CONTROL_PLANE_TABLE_NAME: table.table.tableName,
        TOKEN_ISSUER: controlPlane.url,
        DATA_PLANE_IDS: dataPlanes.map((dataPlane) => dataPlane.name),
        // Signs with the current key; publishes the previous one too during a rotation.
        ...signingKey.publishingEnvironment(),
      }),
    });
    table.grantReadRecords(this.tokenFunction.role);
    signingKey.grantSignAndPublish(this.tokenFunction.role);

    this.api = new HttpApi(this, 'Api', {
      description: 'Waggle control plane: tenancy, RBAC, API keys, data-plane tokens and the JWKS',
      createDefaultStage: false,
      // The console calls this API from its own origin (CloudFront), so the browser asks first.
      corsPreflight: {
        allowOrigins: [...new Set([props.consoleOrigin, ...consoleOrigins(controlPlane)])],
        allowHeaders: ['authorization', 'content-type'],
        // PATCH: the monitors routes (docs/monitors.md).
        allowMethods: [
          CorsHttpMethod.GET,
          CorsHttpMethod.POST,
          CorsHttpMethod.PUT,
          CorsHttpMethod.PATCH,
          CorsHttpMethod.DELETE,
        ],
        maxAge: Duration.hours(1),
      },
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });

    this.authorizer = new HttpUserPoolAuthorizer('UserPoolAuthorizer', identity.userPool, {
      userPoolClients: [identity.webClient],
      identitySource: ['$request.header.Authorization'],
    });

    const apiIntegration = new HttpLambdaIntegration('ApiIntegration', this.apiFunction.function, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    const tokenIntegration = new HttpLambdaIntegration('TokenIntegration', this.tokenFunction.function, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });

    const routes = new Map<string, HttpRoute>();
    const addRoute = (routeKey: string, integration: HttpLambdaIntegration, isPublic: boolean) => {
      const [method, path] = routeKey.split(' ') as [keyof typeof HttpMethod, string];
      const [route] = this.api.addRoutes({
        path,
        methods: [HttpMethod[method]],
        integration,
        authorizer: isPublic ? new HttpNoneAuthorizer() : this.authorizer,
      });
      if (!route) throw new Error(`no route created for ${routeKey}`);
      routes.set(routeKey, route);
    };
    for (const routeKey of CONTROL_PLANE_ROUTES) addRoute(routeKey, apiIntegration, false);
    for (const routeKey of TOKEN_ROUTES) addRoute(routeKey, tokenIntegration, routeKey === JWKS_ROUTE);
    // Configuration and tool writes come from data planes with the caller's API key or data-plane
    // token, which a user-pool authorizer cannot check: the function checks them (configuration-writers.ts).
    for (const routeKey of CONFIGURATION_WRITE_ROUTES) addRoute(routeKey, apiIntegration, true);
    this.routes = routes;
    pinIssuerToPartition(this, identity);

    const jwksRoute = routes.get(JWKS_ROUTE);
    if (jwksRoute) {
      Validations.of(jwksRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'The JWKS holds only public keys, and data planes in other accounts fetch it without a user: ' +
          'it must be public, as every OpenID provider publishes its jwks_uri. Every other route has the JWT authorizer.',
      });
    }
    for (const routeKey of CONFIGURATION_WRITE_ROUTES) {
      const route = routes.get(routeKey);
      if (route)
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Configuration and tool writes carry a project API key or a data-plane token, forwarded by a data plane; ' +
            'the function authenticates them against its own key records and signing keys before anything else.',
        });
    }
  }

  /** The API's base URL (the ApiUrl output); the config's controlPlane.url is it or a custom domain mapped to it. */
  get url(): string {
    return this.stage.url;
  }
}

/**
 * CDK's user-pool authorizer writes the issuer as `cognito-idp.<region>.amazonaws.com`, which is
 * wrong outside the commercial partition (China is amazonaws.com.cn) and would refuse every token:
 * the issuer is rewritten with the stack's endpoint suffix.
 */
function pinIssuerToPartition(api: Construct, identity: ControlPlaneIdentity): void {
  const { region } = Stack.of(api);
  const issuer = `https://cognito-idp.${region}.${urlSuffixOf(api)}/${identity.userPool.userPoolId}`;
  for (const child of api.node.findAll()) {
    if (child instanceof CfnAuthorizer && child.authorizerType === 'JWT') {
      child.addPropertyOverride('JwtConfiguration.Issuer', issuer);
    }
  }
}
