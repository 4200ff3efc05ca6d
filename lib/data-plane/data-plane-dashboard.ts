import { type Dashboard, GraphWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { durationWidget, PERIOD, planeDashboard, waggleMetric } from '../common/dashboard-widgets';
import type { DataPlaneStack } from './data-plane-stack';

/**
 * One CloudWatch dashboard per data plane, in the order an operator asks: is ingest taking data,
 * is the writer keeping up (queue depth and age, dead letters), are reads fast, what is failing.
 * The alarms' state is on top.
 */
export class DataPlaneDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, plane: DataPlaneStack, name: string) {
    super(scope, id);
    const { eventsQueue, eventWriter, queryApi, ingestApi, eventTables } = plane;
    this.dashboard = planeDashboard(this, `waggle-data-plane-${name}`, plane, {
      api: { title: 'Ingest and read API', api: ingestApi.api },
      rows: [
        [
          new GraphWidget({
            title: 'Ingest: requests accepted, records queued',
            left: [
              waggleMetric('waggle-ingest', 'RequestsAccepted'),
              waggleMetric('waggle-ingest', 'RecordsQueued'),
            ],
            right: [
              waggleMetric('waggle-ingest', 'StorageUnavailable'),
              waggleMetric('waggle-ingest', 'SpansRejected'),
            ],
            width: 12,
          }),
          durationWidget('Ingest', ingestApi.ingestFunction),
        ],
        [
          new GraphWidget({
            title: 'Writer: events and files written',
            left: [
              waggleMetric('waggle-writer', 'EventsWritten'),
              waggleMetric('waggle-writer', 'FilesWritten'),
            ],
            right: [
              waggleMetric('waggle-writer', 'MessagesFailed'),
              waggleMetric('waggle-writer', 'MessagesDeadLettered'),
            ],
            width: 12,
          }),
          durationWidget('Writer', eventWriter.writerFunction),
        ],
        [
          new GraphWidget({
            title: 'Events queue: depth',
            left: [
              eventsQueue.queue.metricApproximateNumberOfMessagesVisible({
                period: PERIOD,
                label: 'waiting',
              }),
              eventsQueue.queue.metricApproximateNumberOfMessagesNotVisible({
                period: PERIOD,
                label: 'in flight',
              }),
            ],
            right: [
              eventsQueue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period: PERIOD,
                label: 'dead letters waiting',
              }),
            ],
            width: 12,
          }),
          new GraphWidget({
            title: 'Events queue: age of the oldest event (s)',
            left: [
              eventsQueue.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
            ],
            width: 12,
          }),
        ],
        [
          durationWidget('Query', queryApi.queryFunction),
          new GraphWidget({
            title: 'Athena queries',
            left: (['SUCCEEDED', 'FAILED'] as const).map((state) =>
              eventTables.metricQueries(state).with({ label: `${state.toLowerCase()} queries` }),
            ),
            right: [
              waggleMetric('waggle-query', 'InternalErrors'),
              waggleMetric('waggle-query', 'ExportsRefused'),
            ],
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'Sync: config applied, heartbeats sent',
            left: [
              waggleMetric('waggle-data-plane-controller', 'SyncMessagesApplied'),
              waggleMetric('waggle-heartbeat-sender', 'HeartbeatsSent'),
            ],
            right: [
              waggleMetric('waggle-data-plane-controller', 'SyncMessagesRejected'),
              waggleMetric('waggle-data-plane-controller', 'SyncMessageFailures'),
              waggleMetric('waggle-heartbeat-sender', 'Unregistered'),
            ],
            width: 24,
          }),
        ],
        plane.grpcCollector?.dashboardWidgets() ?? [],
      ],
    });
  }
}
