import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { type Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { PROVIDER_KEYS_TABLE } from '../../lambdas/adapters/aws/dynamo-provider-key-store';
import { PROVIDER_SECRET_PURPOSE } from '../../lambdas/domain/providers/record';
import { environmentForProviderKeys } from '../../lambdas/provider-keys/environment';
import { PROVIDER_KEY_ROUTES } from '../../lambdas/provider-keys/routes';
import {
  createCustomerKey,
  createKeptTable,
  grantSecretsKey,
  grantTableAndKey,
} from '../common/customer-key';
import { aboveZeroAlarm } from '../common/failure-queue-alarm';
import { addFunctionRoutes } from '../common/function-routes';
import { WAGGLE_METRICS_NAMESPACE, WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import { type CallerAuthProps, callerAuthEnvironment, grantCallerAuth } from './caller-auth';
import type { ProxyLimits } from './proxy-limits';

/**
 * Where the data plane keeps the LLM provider keys of its projects and workspaces, and their audit
 * trail: one DynamoDB table (pk/sk, ../../lambdas/adapters/aws/dynamo-provider-key-store.ts).
 *
 * Two customer-managed keys, on purpose:
 * - `tableKey` encrypts the table at rest and is used only through DynamoDB (kms:ViaService);
 * - `secretsKey` wraps the data key of each secret (AWS Encryption SDK envelope encryption, done
 *   in the function) and is called directly, only with the provider-key encryption context.
 * A reader of the table alone (a backup, an export, a role with GetItem and the table key) gets
 * sealed secrets it cannot open; opening one needs kms:Decrypt on `secretsKey`, which only the
 * proxy gets (grantDecryptForProxy). The function that sets keys may seal, never open.
 *
 * Losing the table loses every configured provider key, hence point-in-time recovery, deletion
 * protection and RETAIN, like the key registry.
 */
export class ProviderKeyTable extends Construct {
  readonly table: Table;
  readonly tableKey: Key;
  readonly secretsKey: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.tableKey = createCustomerKey(
      this,
      'TableKey',
      'Waggle provider keys: encrypts the provider-key table',
    );
    this.secretsKey = createCustomerKey(
      this,
      'SecretsKey',
      'Waggle provider keys: wraps the data keys of stored LLM provider secrets (Encryption SDK)',
    );
    this.table = createKeptTable(this, 'Table', this.tableKey, {
      ...PROVIDER_KEYS_TABLE,
      deletionProtection: true,
    });
  }

  /**
   * The provider-keys function: read, write and delete records, append and read audit entries
   * (GetItem, PutItem, DeleteItem, Query), and seal secrets (kms:GenerateDataKey on the secrets key
   * with the provider-key context). No kms:Decrypt on the secrets key: it never opens a secret.
   */
  grantManageKeys(grantee: IGrantable): void {
    grantTableAndKey(this, grantee, {
      sid: 'ManageProviderKeys',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
      resources: [this.table.tableArn],
      keySid: 'ProviderKeyTableEncryption',
      keyActions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
      keyArn: this.tableKey.keyArn,
    });
    grantSecretsKey(
      grantee,
      'SealProviderSecrets',
      'kms:GenerateDataKey',
      this.secretsKey.keyArn,
      PROVIDER_SECRET_PURPOSE,
    );
  }

  /**
   * The future LLM proxy: read one record (GetItem, what resolveProviderKey does) and open its
   * secret (kms:Decrypt on the secrets key, only with the provider-key context).
   */
  grantDecryptForProxy(grantee: IGrantable): void {
    grantTableAndKey(this, grantee, {
      sid: 'ReadProviderKeys',
      actions: ['dynamodb:GetItem'],
      resources: [this.table.tableArn],
      keySid: 'DecryptProviderKeyTable',
      keyActions: ['kms:Decrypt'],
      keyArn: this.tableKey.keyArn,
    });
    grantSecretsKey(
      grantee,
      'OpenProviderSecrets',
      'kms:Decrypt',
      this.secretsKey.keyArn,
      PROVIDER_SECRET_PURPOSE,
    );
  }
}

export interface ProviderKeysApiProps extends CallerAuthProps {
  /** The data plane's HTTP API (IngestApi's). */
  readonly httpApi: HttpApi;
  readonly providerKeys: ProviderKeyTable;
  /** The proxy's limits: this function serves GET and PUT /v1/proxy-limits. */
  readonly proxyLimits: ProxyLimits;
  readonly logLevel?: LogLevel;
}

/**
 * The provider-keys function and its routes (lambdas/provider-keys/routes.ts) on the data plane's
 * HTTP API: admins set, list and remove the provider keys of their project or workspace, and set
 * the LLM proxy's budgets and rate limits of their project.
 */
export class ProviderKeysApi extends Construct {
  readonly providerKeysFunction: WaggleFunction;
  /** A change was made but its audit entry was not written (the handler's AuditWriteFailures). */
  readonly auditFailuresAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ProviderKeysApiProps) {
    super(scope, id);
    const { providerKeys } = props;
    this.providerKeysFunction = new WaggleFunction(this, 'ProviderKeys', {
      entry: 'lambdas/provider-keys/handler.ts',
      serviceName: 'waggle-provider-keys',
      description:
        'Waggle provider keys: LLM provider keys of projects and workspaces, and the proxy budgets and rate limits',
      memorySize: 512,
      // A few DynamoDB and KMS calls; well under the HTTP API's 30 s.
      timeout: Duration.seconds(15),
      logLevel: props.logLevel,
      environment: environmentForProviderKeys({
        PROVIDER_KEYS_TABLE_NAME: providerKeys.table.tableName,
        PROVIDER_SECRETS_KEY_ARN: providerKeys.secretsKey.keyArn,
        PROXY_LIMITS_TABLE_NAME: props.proxyLimits.limitsTable.tableName,
        ...callerAuthEnvironment(props),
      }),
    });
    const role = this.providerKeysFunction.role;
    providerKeys.grantManageKeys(role);
    props.proxyLimits.grantManageLimits(role);
    grantCallerAuth(role, props);

    addFunctionRoutes(
      props.httpApi,
      'ProviderKeysIntegration',
      this.providerKeysFunction.function,
      PROVIDER_KEY_ROUTES,
    );

    this.auditFailuresAlarm = aboveZeroAlarm(this, 'AuditFailuresAlarm', {
      alarmDescription:
        'A provider key was set or removed but its audit entry was not written. See docs/operations.md, "Alarms and where they go", and docs/providers.md, "Audit".',
      metric: new Metric({
        namespace: WAGGLE_METRICS_NAMESPACE,
        metricName: 'AuditWriteFailures',
        dimensionsMap: { service: 'waggle-provider-keys' },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
    });
  }
}
