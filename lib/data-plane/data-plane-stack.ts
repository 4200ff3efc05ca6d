import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DataPlaneConfig, PlaneLocation } from '../config/deployment-config';
import { EventsQueue } from './events-queue';
import { IngestApi } from './ingest-api';
import { KeyRegistry } from './key-registry';
import { RawArchive } from './raw-archive';

export interface DataPlaneStackProps extends StackProps {
  readonly dataPlane: DataPlaneConfig;
  /** Where the control plane lives; later used for the inbox queue's cross-account policy. */
  readonly controlPlane: PlaneLocation;
}

/** One data plane (one region, or one dedicated customer): ingestion and the stores behind it. */
export class DataPlaneStack extends Stack {
  readonly rawArchive: RawArchive;
  readonly eventsQueue: EventsQueue;
  readonly keyRegistry: KeyRegistry;
  readonly ingestApi: IngestApi;

  constructor(scope: Construct, id: string, props: DataPlaneStackProps) {
    super(scope, id, props);
    const { dataPlane, controlPlane } = props;
    Tags.of(this).add('waggle:plane', 'data');
    Tags.of(this).add('waggle:data-plane', dataPlane.name);
    Tags.of(this).add('waggle:hosting-model', dataPlane.hostingModel);

    this.rawArchive = new RawArchive(this, 'RawArchive');
    this.eventsQueue = new EventsQueue(this, 'EventsQueue');
    this.keyRegistry = new KeyRegistry(this, 'KeyRegistry');
    this.ingestApi = new IngestApi(this, 'IngestApi', {
      rawArchive: this.rawArchive,
      eventsQueue: this.eventsQueue,
      keyRegistry: this.keyRegistry,
      logLevel: dataPlane.logLevel,
    });

    new CfnOutput(this, 'IngestApiUrl', {
      description: 'Base URL for SDKs and OTLP exporters (append v1/traces for OTLP/HTTP)',
      value: this.ingestApi.url,
    });
    new CfnOutput(this, 'RawArchiveBucketName', { value: this.rawArchive.bucket.bucketName });
    new CfnOutput(this, 'EventsQueueUrl', { value: this.eventsQueue.queue.queueUrl });
    new CfnOutput(this, 'EventsDeadLetterQueueUrl', { value: this.eventsQueue.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'KeyTableName', { value: this.keyRegistry.table.tableName });
    new CfnOutput(this, 'ControlPlaneLocation', {
      description: 'The control plane this data plane answers to',
      value: `${controlPlane.account}/${controlPlane.region}`,
    });
  }
}
