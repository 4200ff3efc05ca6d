import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IWidget,
  Metric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { WaggleFunction } from './waggle-function';

/** The period of every graph on Waggle's dashboards. */
export const PERIOD = Duration.minutes(5);

/** A metric a Waggle function publishes through Powertools (namespace Waggle, dimension service). */
export function waggleMetric(service: string, metricName: string, statistic = 'Sum'): Metric {
  return new Metric({
    namespace: 'Waggle',
    metricName,
    dimensionsMap: { service },
    period: PERIOD,
    statistic,
  });
}

/** Requests, 4xx and 5xx, and latency (p50, p99) of an HTTP API. */
function httpApiWidgets(title: string, api: HttpApi): IWidget[] {
  return [
    new GraphWidget({
      title: `${title}: requests and errors`,
      left: [api.metricCount({ period: PERIOD, statistic: 'Sum', label: 'requests' })],
      right: [
        api.metricClientError({ period: PERIOD, statistic: 'Sum', label: '4xx' }),
        api.metricServerError({ period: PERIOD, statistic: 'Sum', label: '5xx' }),
      ],
      width: 12,
    }),
    new GraphWidget({
      title: `${title}: latency`,
      left: ['p50', 'p99'].map((statistic) =>
        api.metricLatency({ period: PERIOD, statistic, label: statistic }),
      ),
      width: 12,
    }),
  ];
}

/**
 * Errors and throttles of every function in `plane`, one line each, on one graph, each labelled with
 * its service name without the `waggle-` prefix: a function added to a plane is on it by itself.
 */
function functionErrorsWidget(plane: Construct): IWidget {
  const functions = plane.node
    .findAll()
    .filter((construct): construct is WaggleFunction => construct instanceof WaggleFunction)
    .map((fn) => [fn.serviceName.replace(/^waggle-/, ''), fn] as const);
  return new GraphWidget({
    title: 'Function errors and throttles',
    left: functions.map(([label, fn]) =>
      fn.function.metricErrors({ period: PERIOD, statistic: 'Sum', label }),
    ),
    right: functions.map(([label, fn]) =>
      fn.function.metricThrottles({ period: PERIOD, statistic: 'Sum', label: `${label} throttles` }),
    ),
    width: 24,
  });
}

/** Duration (p50, p99) of a function. */
export function durationWidget(title: string, fn: WaggleFunction): IWidget {
  return new GraphWidget({
    title: `${title}: duration`,
    left: ['p50', 'p99'].map((statistic) =>
      fn.function.metricDuration({ period: PERIOD, statistic, label: statistic }),
    ),
    width: 12,
  });
}

/** What a plane's dashboard shows between the alarms and the function errors. */
interface PlaneDashboardContent {
  /** The plane's HTTP API, graphed first (requests, errors, latency) under this title. */
  readonly api: { readonly title: string; readonly api: HttpApi };
  /** The plane's own graphs, one row each, top to bottom (an empty row is left out). */
  readonly rows: readonly (readonly IWidget[])[];
}

/**
 * A plane's dashboard, opened on the last 3 hours, in the order an operator looks: the state of
 * every alarm in `plane` first (what is firing before the graphs), then the plane's HTTP API, its
 * own rows, and last the errors and throttles of all its functions.
 */
export function planeDashboard(
  scope: Construct,
  dashboardName: string,
  plane: Construct,
  content: PlaneDashboardContent,
): Dashboard {
  const dashboard = new Dashboard(scope, 'Dashboard', { dashboardName, defaultInterval: Duration.hours(3) });
  dashboard.addWidgets(
    new AlarmStatusWidget({
      title: 'Alarms',
      alarms: plane.node.findAll().filter((construct): construct is Alarm => construct instanceof Alarm),
      width: 24,
    }),
  );
  dashboard.addWidgets(...httpApiWidgets(content.api.title, content.api.api));
  for (const row of content.rows) if (row.length > 0) dashboard.addWidgets(...row);
  dashboard.addWidgets(functionErrorsWidget(plane));
  return dashboard;
}
