import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { environmentForSyncReconciler } from '../../lambdas/sync-reconciler/environment';
import { FailedRuns } from '../common/failed-runs';
import { WaggleFunction } from '../common/waggle-function';
import type { ControlPlaneConfig, DataPlaneConfig, LogLevel } from '../config/deployment-config';
import { controlPlaneSyncRoleNames } from '../config/sync-names';
import type { ControlPlaneTable } from './control-plane-table';
import { grantSendToInboxes, inboxesEnvironment } from './inbox-access';
import type { SigningKey } from './signing-key';

interface SyncReconcilerProps {
  readonly controlPlane: ControlPlaneConfig;
  readonly dataPlanes: readonly DataPlaneConfig[];
  readonly table: ControlPlaneTable;
  readonly signingKey: SigningKey;
  /** How often every data plane is reconciled; a lost message converges within this. */
  readonly interval?: Duration;
  readonly logLevel?: LogLevel;
}

/**
 * The scheduled repair of the config sync (lambdas/sync-reconciler/handler.ts): reads every project
 * and API key from the control-plane table, compares with what each data plane reported, and
 * republishes the difference as freshly signed messages. A lost or refused message therefore
 * converges at the next run; the data plane ignores versions it already holds.
 */
export class SyncReconciler extends Construct {
  readonly reconcileFunction: WaggleFunction;
  readonly schedule: Rule;
  /** Runs that failed (some data plane could not be reconciled) after Lambda's two retries. */
  readonly failedRuns: FailedRuns;

  constructor(scope: Construct, id: string, props: SyncReconcilerProps) {
    super(scope, id);
    const { controlPlane, dataPlanes, table, signingKey } = props;

    this.reconcileFunction = new WaggleFunction(this, 'Function', {
      entry: 'lambdas/sync-reconciler/handler.ts',
      serviceName: 'waggle-sync-reconciler',
      description: 'Waggle sync reconciliation: republishes config a data plane lacks',
      timeout: Duration.minutes(5),
      logLevel: props.logLevel,
      roleName: controlPlaneSyncRoleNames(controlPlane).reconciler,
      // No reserved concurrency: runs 15 minutes apart with a 5-minute timeout rarely overlap, an
      // overlap only sends messages twice (applied once), and a reservation fails on small accounts.
      environment: environmentForSyncReconciler({
        CONTROL_PLANE_TABLE_NAME: table.table.tableName,
        INBOXES: inboxesEnvironment(this, dataPlanes),
        // The current key only: messages signed by the previous one are still verified (JWKS).
        ...signingKey.signingEnvironment(),
      }),
    });
    table.grantScanAndSequence(this.reconcileFunction.role);
    signingKey.grantSign(this.reconcileFunction.role);
    grantSendToInboxes(this, this.reconcileFunction.role, dataPlanes);

    this.schedule = new Rule(this, 'Schedule', {
      description: 'Reconcile every data plane with the control plane',
      schedule: Schedule.rate(props.interval ?? Duration.minutes(15)),
      targets: [new LambdaFunction(this.reconcileFunction.function, { retryAttempts: 2 })],
    });
    this.failedRuns = new FailedRuns(this, 'FailedRuns', {
      function: this.reconcileFunction,
      retryAttempts: 2,
      maxEventAge: Duration.minutes(15),
    });
  }
}
