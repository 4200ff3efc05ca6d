import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { AlarmTopic } from '../common/alarm-topic';
import { HttpApiAlarms } from '../common/http-api-alarms';
import { urlSuffixOf } from '../common/partition';
import { setSourceMaps } from '../common/waggle-function';
import { authDomainPrefixOf } from '../config/console-origins';
import type { ControlPlaneConfig, DataPlaneConfig } from '../config/deployment-config';
import { controlPlaneJwksUrl, inboxQueueUrl } from '../config/sync-names';
import { ConsoleHosting } from './console-hosting';
import { ControlPlaneApi } from './control-plane-api';
import { ControlPlaneDashboard } from './control-plane-dashboard';
import { ControlPlaneTable } from './control-plane-table';
import { Heartbeats } from './heartbeat-receiver';
import { ControlPlaneIdentity } from './identity';
import { Notifications } from './notifications';
import { SigningKey } from './signing-key';
import { SyncReconciler } from './sync-reconciler';

export interface ControlPlaneStackProps extends StackProps {
  readonly controlPlane: ControlPlaneConfig;
  /** The data planes this control plane manages, as named in the deployment config. */
  readonly dataPlanes: readonly DataPlaneConfig[];
  /** The built web console (ui/dist), served from S3 behind CloudFront. */
  readonly consoleAssetPath: string;
}

/** Standard SSM parameters hold 4 KB; the data-plane list outgrows that at a few dozen planes. */
const STANDARD_PARAMETER_LIMIT = 4096;

/**
 * The control plane: Cognito identity (with organizations' own IdPs), the tenancy/RBAC/API-key API
 * behind a JWT authorizer, the token service and JWKS on an asymmetric KMS key, the control-plane
 * table, and the scheduled sync reconciliation. Everything it knows about data planes (accounts,
 * regions, inbox queues) comes from the deployment config, never from another stack.
 */
export class ControlPlaneStack extends Stack {
  readonly dataPlaneRegistry: StringParameter;
  readonly console: ConsoleHosting;
  readonly identity: ControlPlaneIdentity;
  readonly table: ControlPlaneTable;
  readonly signingKey: SigningKey;
  readonly api: ControlPlaneApi;
  readonly reconciler: SyncReconciler;
  readonly heartbeats: Heartbeats;
  readonly notifications: Notifications;
  readonly alarmTopic: AlarmTopic;
  readonly apiAlarms: HttpApiAlarms;
  readonly dashboard: ControlPlaneDashboard;

  constructor(scope: Construct, id: string, props: ControlPlaneStackProps) {
    super(scope, id, props);
    const { controlPlane, dataPlanes } = props;
    setSourceMaps(this, controlPlane.sourceMaps ?? false);
    Tags.of(this).add('waggle:plane', 'control');

    const registry = JSON.stringify(
      dataPlanes.map(({ name, account, region, hostingModel }) => ({
        name,
        account,
        region,
        hostingModel,
        inboxQueueUrl: inboxQueueUrl({ name, account, region }, urlSuffixOf(this)),
      })),
    );
    this.dataPlaneRegistry = new StringParameter(this, 'DataPlaneRegistry', {
      parameterName: '/waggle/control-plane/data-planes',
      description: 'Data planes assigned to this control plane by the deployment config (JSON)',
      stringValue: registry,
      tier: registry.length > STANDARD_PARAMETER_LIMIT ? ParameterTier.ADVANCED : ParameterTier.STANDARD,
    });

    this.console = new ConsoleHosting(this, 'Console', {
      controlPlane,
      dataPlanes,
      signInDomainUrl: `https://${authDomainPrefixOf(controlPlane)}.auth.${this.region}.amazoncognito.com`,
    });
    this.identity = new ControlPlaneIdentity(this, 'Identity', {
      controlPlane,
      consoleOrigin: this.console.origin,
    });
    this.console.publish({
      assetPath: props.consoleAssetPath,
      clientId: this.identity.webClient.userPoolClientId,
    });
    this.table = new ControlPlaneTable(this, 'Store');
    this.signingKey = new SigningKey(this, 'SigningKey', { keys: controlPlane.signingKeys });
    this.api = new ControlPlaneApi(this, 'Api', {
      controlPlane,
      dataPlanes,
      identity: this.identity,
      table: this.table,
      signingKey: this.signingKey,
      consoleOrigin: this.console.origin,
    });
    this.reconciler = new SyncReconciler(this, 'SyncReconciler', {
      controlPlane,
      dataPlanes,
      table: this.table,
      signingKey: this.signingKey,
    });
    this.heartbeats = new Heartbeats(this, 'Heartbeats', { controlPlane, dataPlanes, table: this.table });
    this.heartbeats.grantReadReports(this.reconciler.reconcileFunction.role);
    this.notifications = new Notifications(this, 'Notifications', {
      api: this.api,
      table: this.table,
      emailFrom: controlPlane.notificationEmailFrom,
      dataPlanes,
    });

    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      planeName: 'control plane',
      emails: controlPlane.alarmEmails,
    });
    this.apiAlarms = new HttpApiAlarms(this, 'ApiAlarms', { api: this.api.api, label: 'control-plane' });
    // Last: its alarm widget lists every alarm created above.
    this.dashboard = new ControlPlaneDashboard(this, 'Dashboard', this);

    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Every alarm of the control plane notifies this topic (subscribe more endpoints to it)',
      value: this.alarmTopic.topic.topicArn,
    });
    new CfnOutput(this, 'ControlPlaneLocation', {
      description: 'Account and region of the Waggle control plane',
      value: `${this.account}/${this.region}`,
    });
    new CfnOutput(this, 'DataPlaneRegistryParameter', { value: this.dataPlaneRegistry.parameterName });
    new CfnOutput(this, 'ApiUrl', {
      description:
        'Base URL of the control-plane API; put it (or a custom domain mapped to it) in controlPlane.url',
      value: this.api.url,
    });
    new CfnOutput(this, 'JwksUrl', {
      description:
        'Where data planes fetch the signing keys (from controlPlane.url in the deployment config)',
      value: controlPlaneJwksUrl(controlPlane),
    });
    new CfnOutput(this, 'ConsoleUrl', {
      description:
        'The web console; with no custom domain, put this in controlPlane.console.url so data planes allow it (CORS)',
      value: this.console.origin,
    });
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'WebClientId', { value: this.identity.webClient.userPoolClientId });
    new CfnOutput(this, 'ControlPlaneTableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'SigningKeyArn', { value: this.signingKey.key.keyArn });
  }
}
