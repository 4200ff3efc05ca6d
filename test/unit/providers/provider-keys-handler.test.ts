/**
 * The provider-keys Lambda handler as deployed (environment, Powertools logger and metrics, the
 * Encryption SDK with the KMS keyring, DynamoDB), with DynamoDB and KMS mocked at the SDK: every
 * line it writes to stdout and stderr (log lines at DEBUG and EMF metrics) is captured, and the secret it was
 * given appears in none of them, nor in the answers, on success or when DynamoDB fails.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { itemFromRecord } from '../../../lambdas/adapters/aws/dynamo-key-registry';
import { generateApiKey, hashApiKey } from '../../../lambdas/domain/auth/api-key';
import { PROVIDER_KEYS_ENVIRONMENT } from '../../../lambdas/provider-keys/environment';
import { apigwEvent } from '../../support/apigw-event';
import { lambdaContext } from '../../support/lambda-context';

const SECRET = 'sk-ant-RECOGNISABLE-handler-secret-0123456789-TAIL';
const FORMS = [
  SECRET,
  Buffer.from(SECRET).toString('base64'),
  Buffer.from(SECRET).toString('hex'),
  'RECOGNISABLE',
];
const ENV = {
  ...PROVIDER_KEYS_ENVIRONMENT.example(),
  LOG_LEVEL: 'DEBUG',
  KEY_TABLE_NAME: 'keys',
  AUTH_RATE_LIMIT_TABLE_NAME: 'auth-rate-limit',
  PROVIDER_KEYS_TABLE_NAME: 'provider-keys',
  PROVIDER_SECRETS_KEY_ARN: 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
};
const ADMIN_KEY = generateApiKey();

const dynamo = mockClient(DynamoDBClient);
const kms = mockClient(KMSClient);
let written: string[] = [];
let handler: (event: unknown, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const context = lambdaContext('waggle-provider-keys', 'aws-request-1');

beforeAll(async () => {
  for (const [name, value] of Object.entries(ENV)) if (value !== undefined) vi.stubEnv(name, value);
  // Powertools writes INFO and below to stdout, WARN and ERROR to stderr (both reach CloudWatch).
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }
  ({ handler } = (await import('../../../lambdas/provider-keys/handler')) as unknown as {
    handler: typeof handler;
  });
});

afterAll(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

beforeEach(() => {
  written = [];
  dynamo.reset();
  kms.reset();
  dynamo.on(GetItemCommand, { TableName: ENV.KEY_TABLE_NAME }).resolves({
    Item: itemFromRecord({
      keyHash: hashApiKey(ADMIN_KEY),
      org_id: 'org-1',
      workspace_id: 'ws-1',
      project_id: 'proj-1',
      projectName: 'proj',
      scopes: ['admin'],
      revoked: false,
      createdAt: 0,
    }),
  });
  dynamo.on(GetItemCommand, { TableName: ENV.PROVIDER_KEYS_TABLE_NAME }).resolves({});
  // The brute-force counter: no failures counted for this source.
  dynamo.on(GetItemCommand, { TableName: ENV.AUTH_RATE_LIMIT_TABLE_NAME }).resolves({});
  kms.on(GenerateDataKeyCommand).callsFake((input: { KeyId: string }) => ({
    KeyId: input.KeyId,
    Plaintext: randomBytes(32),
    CiphertextBlob: randomBytes(184),
  }));
});

async function put(): Promise<APIGatewayProxyStructuredResultV2> {
  const event = apigwEvent({
    method: 'PUT',
    path: '/v1/provider-keys/anthropic',
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({ api_key: SECRET }),
    base64: false,
  });
  return handler(event, context);
}

describe('the provider-keys handler', () => {
  it('seals through KMS with the record as context, stores only the sealed form, and logs and counts no secret', async () => {
    dynamo.on(PutItemCommand).resolves({});
    const answer = await put();
    expect(answer.statusCode, answer.body as string).toBe(201);
    expect(JSON.parse(answer.body as string)).toMatchObject({ provider: 'anthropic', last4: 'TAIL' });

    const [generate] = kms.commandCalls(GenerateDataKeyCommand);
    expect(generate?.args[0].input).toMatchObject({
      KeyId: ENV.PROVIDER_SECRETS_KEY_ARN,
      EncryptionContext: {
        purpose: 'waggle-provider-key',
        org: 'org-1',
        workspace: 'ws-1',
        project: 'proj-1',
        provider: 'anthropic',
      },
    });
    const puts = dynamo.commandCalls(PutItemCommand).map((call) => call.args[0].input);
    expect(puts.map((input) => input.Item?.sk?.S?.split('#')[0])).toEqual(['key', 'audit']);
    const stored = JSON.stringify(puts, (_key, value) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value,
    );

    const output = written.join('');
    expect(output).toContain('"message":"provider key changed"');
    expect(output).toContain('ProviderKeysSet');
    for (const form of FORMS) {
      expect(output).not.toContain(form);
      expect(answer.body).not.toContain(form);
      expect(stored).not.toContain(form);
    }
  });

  it('answers 500 when DynamoDB fails, logging the failure without the secret', async () => {
    dynamo.on(PutItemCommand).rejects(new Error('ProvisionedThroughputExceededException: slow down'));
    const answer = await put();
    expect(answer.statusCode).toBe(500);
    const output = written.join('');
    expect(output).toContain('provider keys failure');
    expect(output).toContain('InternalErrors');
    for (const form of FORMS) {
      expect(output).not.toContain(form);
      expect(answer.body).not.toContain(form);
    }
  });
});
