import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DATASETS_TABLE } from '../../lambdas/adapters/aws/dynamo-dataset-store';
import { environmentForDatasetsApi } from '../../lambdas/datasets-api/environment';
import { DATASETS_ROUTES } from '../../lambdas/datasets-api/routes';
import { grantTableAndKey, KeptTableWithKey } from '../common/customer-key';
import { addFunctionRoutes, HTTP_API_FUNCTION_TIMEOUT } from '../common/function-routes';
import { WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import { type CallerAuthProps, callerAuthEnvironment, grantCallerAuth } from './caller-auth';

export interface DatasetsApiProps extends CallerAuthProps {
  /** The data plane's HTTP API (IngestApi's): the datasets and datapoints routes are added to it. */
  readonly httpApi: HttpApi;
  readonly logLevel?: LogLevel;
}

/**
 * HoneyHive's datasets and datapoints API (lambdas/datasets-api/): one DynamoDB table of datasets,
 * datapoints and memberships (adapters/aws/dynamo-dataset-store.ts) under its own customer key,
 * point-in-time recovery and RETAIN (a team's test cases are worth keeping), and the function that
 * serves the routes. The function may read and write that table only.
 */
export class DatasetsApi extends Construct {
  readonly store: KeptTableWithKey;
  readonly datasetsFunction: WaggleFunction;

  constructor(scope: Construct, id: string, props: DatasetsApiProps) {
    super(scope, id);
    this.store = new KeptTableWithKey(this, 'Store', 'Waggle datasets: encrypts datasets and datapoints', {
      ...DATASETS_TABLE,
      deletionProtection: true,
    });
    this.datasetsFunction = new WaggleFunction(this, 'Datasets', {
      entry: 'lambdas/datasets-api/handler.ts',
      serviceName: 'waggle-datasets-api',
      description: 'Waggle datasets API: HoneyHive datasets and datapoints',
      memorySize: 512,
      timeout: HTTP_API_FUNCTION_TIMEOUT,
      logLevel: props.logLevel,
      environment: environmentForDatasetsApi({
        DATASETS_TABLE_NAME: this.store.table.tableName,
        ...callerAuthEnvironment(props),
      }),
    });
    const role = this.datasetsFunction.role;
    grantCallerAuth(role, props);
    grantDatasetsTable(this, role, this.store, 'ManageDatasets', [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
    ]);

    addFunctionRoutes(props.httpApi, 'DatasetsIntegration', this.datasetsFunction.function, DATASETS_ROUTES);
  }
}

/**
 * `actions` on the datasets table (`store`), and its key through DynamoDB only. Every holder
 * (the datasets API, the experiments API and steps) writes the table, so the key statement always
 * lets it encrypt as well as decrypt.
 */
export function grantDatasetsTable(
  scope: Construct,
  grantee: IGrantable,
  store: KeptTableWithKey,
  sid: string,
  actions: string[],
): void {
  grantTableAndKey(scope, grantee, {
    sid,
    actions,
    resources: [store.table.tableArn],
    keySid: 'DatasetsTableEncryption',
    keyActions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
    keyArn: store.key.keyArn,
  });
}
