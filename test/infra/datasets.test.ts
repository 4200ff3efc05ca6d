/**
 * Datasets on each data plane (lib/data-plane/datasets.ts): the table (customer key, point-in-time
 * recovery, deletion protection, retained), the function's rights (that table and its key through
 * DynamoDB, the key registry; nothing else of the data plane's), and its routes (import, export and
 * versions among them) with and without /v1.
 * One synthesis for the file, bundling skipped.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATASETS_ROUTES } from '../../lambdas/datasets-api/routes';
import { loadDeploymentConfig } from '../../lib/config/deployment-config';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { PK_SK_KEY_SCHEMA } from './support/expected';
import { actionsOf, statementsOfRole, type TemplateResource } from './support/policies';
import { buildTestApp, TWO_DATA_PLANES_CONFIG } from './support/test-app';

let stack: DataPlaneStack;
let resources: Record<string, TemplateResource>;
let raw: Record<string, { DeletionPolicy?: string }>;

beforeAll(() => {
  [stack] = [...buildTestApp(loadDeploymentConfig(TWO_DATA_PLANES_CONFIG)).dataPlanes.values()] as [
    DataPlaneStack,
  ];
  raw = Template.fromStack(stack).toJSON().Resources;
  resources = raw as unknown as Record<string, TemplateResource>;
}, 180_000);

const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

describe('the datasets table', () => {
  it('is encrypted with its own customer key, recoverable, protected from deletion and retained', () => {
    const id = idOf(stack.datasetsApi.store.table);
    expect((resources[id] as TemplateResource).Properties).toMatchObject({
      KeySchema: PK_SK_KEY_SCHEMA,
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(raw[id]?.DeletionPolicy).toBe('Retain');
  });
});

describe('the datasets function', () => {
  it('may use its table (and its key only through DynamoDB) and look up API keys; nothing else', () => {
    const statements = statementsOfRole(resources, idOf(stack.datasetsApi.datasetsFunction.role));
    const actions = statements.flatMap(actionsOf);
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:BatchWriteItem', 'dynamodb:UpdateItem', 'dynamodb:Query']),
    );
    const table = idOf(stack.datasetsApi.store.table);
    for (const statement of statements.filter((each) =>
      actionsOf(each).some((action) => action.startsWith('dynamodb:Put')),
    ))
      expect(JSON.stringify(statement.Resource)).toContain(table);
    const keyStatement = statements.find((statement) => statement.Sid === 'DatasetsTableEncryption');
    expect(JSON.stringify(keyStatement)).toContain('kms:ViaService');
    expect(actions.filter((action) => /^(s3|sqs|lambda|athena|states):/.test(action))).toEqual([]);
  });

  it('serves the datasets and datapoints routes, with and without /v1', () => {
    const routeKeys = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
      .map((resource) => resource.Properties.RouteKey);
    expect(routeKeys).toEqual(expect.arrayContaining([...DATASETS_ROUTES]));
    expect(DATASETS_ROUTES).toContain('GET /v1/datapoints/{id}');
    // Import, export and versions, with and without /v1: on the same function, with no new rights
    // (versions are items of the same table; exports are answered inline, not staged in S3).
    for (const route of [
      'POST /datasets/{dataset_id}/import',
      'GET /datasets/{dataset_id}/export',
      'POST /datasets/{dataset_id}/versions',
      'GET /datasets/{dataset_id}/versions',
    ])
      expect(routeKeys).toEqual(expect.arrayContaining([route, route.replace(' /', ' /v1/')]));
  });
});
