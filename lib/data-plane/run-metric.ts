import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Construct } from 'constructs';
import { environmentForRunMetric } from '../../lambdas/run-metric/environment';
import { RUN_METRIC_ROUTES } from '../../lambdas/run-metric/routes';
import { addFunctionRoutes, HTTP_API_FUNCTION_TIMEOUT } from '../common/function-routes';
import { WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import { type CallerAuthProps, callerAuthEnvironment, grantCallerAuth } from './caller-auth';
import { grantMetricRuns, type MetricRunAccess, metricRunEnvironment } from './metric-run-access';

export interface RunMetricApiProps extends CallerAuthProps {
  /** The data plane's HTTP API (IngestApi's). */
  readonly httpApi: HttpApi;
  /** The synced metrics, events, the executor and the judges' providers (model metrics). */
  readonly metricRuns: MetricRunAccess;
  readonly logLevel?: LogLevel;
}

/**
 * HoneyHive's `POST /metrics/run_metric` (lambdas/run-metric/): one metric run once on one event.
 * A function of its own rather than a route of the configurations or query function, so that the
 * one HTTP-facing function that may start the Python sandbox is this one, and the configurations
 * function keeps no access to events.
 */
export class RunMetricApi extends Construct {
  readonly runMetricFunction: WaggleFunction;

  constructor(scope: Construct, id: string, props: RunMetricApiProps) {
    super(scope, id);
    this.runMetricFunction = new WaggleFunction(this, 'RunMetric', {
      entry: 'lambdas/run-metric/handler.ts',
      serviceName: 'waggle-run-metric',
      description: 'Waggle run_metric: one metric run on one event (Python in the evaluator executor)',
      memorySize: 1024,
      // The executor answers within 15 s.
      timeout: HTTP_API_FUNCTION_TIMEOUT,
      logLevel: props.logLevel,
      environment: environmentForRunMetric({
        ...metricRunEnvironment(props.metricRuns),
        ...callerAuthEnvironment(props),
      }),
    });
    const role = this.runMetricFunction.role;
    grantCallerAuth(role, props);
    grantMetricRuns(this.runMetricFunction, props.metricRuns);

    addFunctionRoutes(
      props.httpApi,
      'RunMetricIntegration',
      this.runMetricFunction.function,
      RUN_METRIC_ROUTES,
    );
  }
}
