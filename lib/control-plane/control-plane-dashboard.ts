import { type Dashboard, GraphWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { durationWidget, PERIOD, planeDashboard, waggleMetric } from '../common/dashboard-widgets';
import type { ControlPlaneStack } from './control-plane-stack';

/** The control plane's dashboard: the alarms, the API, the token service, and the sync (reconciliation, heartbeats). */
export class ControlPlaneDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, plane: ControlPlaneStack) {
    super(scope, id);
    const { api, reconciler, heartbeats } = plane;
    const heartbeatQueues = [...heartbeats.queues.entries()];
    this.dashboard = planeDashboard(this, 'waggle-control-plane', plane, {
      api: { title: 'Control-plane API', api: api.api },
      rows: [
        [
          new GraphWidget({
            title: 'Tokens: invocations',
            left: [
              api.tokenFunction.function.metricInvocations({ period: PERIOD, statistic: 'Sum' }),
              waggleMetric('waggle-control-plane-tokens', 'TokensIssued'),
            ],
            right: [api.tokenFunction.function.metricErrors({ period: PERIOD, statistic: 'Sum' })],
            width: 12,
          }),
          durationWidget('Tokens', api.tokenFunction),
        ],
        [
          new GraphWidget({
            title: 'Sync: changes sent to data planes',
            left: [
              waggleMetric('waggle-control-plane', 'ChangesPublished'),
              waggleMetric('waggle-sync-reconciler', 'ChangesRepublished'),
            ],
            right: [
              waggleMetric('waggle-control-plane', 'ChangePublishFailures'),
              waggleMetric('waggle-sync-reconciler', 'ReconciliationFailures'),
            ],
            width: 12,
          }),
          new GraphWidget({
            title: 'Sync: heartbeats stored',
            left: [waggleMetric('waggle-heartbeat-receiver', 'HeartbeatsStored')],
            right: [
              waggleMetric('waggle-heartbeat-receiver', 'HeartbeatsRefused'),
              waggleMetric('waggle-heartbeat-receiver', 'HeartbeatStoreFailures'),
            ],
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'Sync: reconciliation runs',
            left: [
              reconciler.reconcileFunction.function.metricInvocations({ period: PERIOD, statistic: 'Sum' }),
            ],
            right: [
              reconciler.reconcileFunction.function.metricErrors({ period: PERIOD, statistic: 'Sum' }),
              reconciler.failedRuns.queue.metricApproximateNumberOfMessagesVisible({
                period: PERIOD,
                label: 'failed runs kept',
              }),
            ],
            width: 12,
          }),
          new GraphWidget({
            title: 'Sync: heartbeats received per data plane',
            left: heartbeatQueues.map(([name, queue]) =>
              queue.metricNumberOfMessagesReceived({ period: PERIOD, statistic: 'Sum', label: name }),
            ),
            right: [
              heartbeats.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period: PERIOD,
                label: 'dead letters',
              }),
            ],
            width: 12,
          }),
        ],
      ],
    });
  }
}
