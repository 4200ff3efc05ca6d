/**
 * Every function's reader, as its handler runs it at cold start: the example environment reads
 * back, anything missing or malformed is named with the function, and unset optional variables read
 * as their defaults. What the constructs set is checked against the same schemas in
 * test/infra/function-environments.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { readCompactionEnvironment } from '../../../lambdas/compaction/environment';
import { FUNCTION_BASE } from '../../../lambdas/config/function-environment';
import {
  exampleEnvironmentOfEveryFunction,
  functionFolders,
  loadFunctionEnvironments,
} from '../../../lambdas/config/function-environments';
import { EnvironmentError } from '../../../lambdas/config/schema';
import {
  environmentForControlPlaneApi,
  readControlPlaneApiEnvironment,
} from '../../../lambdas/control-plane-api/environment';
import {
  CONTROL_PLANE_TOKENS_ENVIRONMENT,
  readControlPlaneTokensEnvironment,
} from '../../../lambdas/control-plane-tokens/environment';
import {
  HEARTBEAT_RECEIVER_ENVIRONMENT,
  readHeartbeatReceiverEnvironment,
} from '../../../lambdas/heartbeat-receiver/environment';
import {
  HEARTBEAT_SENDER_ENVIRONMENT,
  readHeartbeatSenderEnvironment,
} from '../../../lambdas/heartbeat-sender/environment';
import { readIngestEnvironment } from '../../../lambdas/ingest/environment';
import {
  PROVIDER_KEYS_ENVIRONMENT,
  readProviderKeysEnvironment,
} from '../../../lambdas/provider-keys/environment';
import { QUERY_API_ENVIRONMENT, readQueryApiEnvironment } from '../../../lambdas/query-api/environment';
import {
  readSyncReconcilerEnvironment,
  SYNC_RECONCILER_ENVIRONMENT,
} from '../../../lambdas/sync-reconciler/environment';

const BASE = FUNCTION_BASE.example();

function problemsOf(
  read: (env: Record<string, string | undefined>) => unknown,
  env: object,
): readonly string[] {
  try {
    read(env as Record<string, string>);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentError);
    return (error as EnvironmentError).problems;
  }
  throw new Error('the environment was accepted');
}

const FUNCTION_ENVIRONMENTS = await loadFunctionEnvironments();

describe.each(FUNCTION_ENVIRONMENTS.map((spec) => [spec.functionName, spec] as const))('%s', (name, spec) => {
  it('reads its example environment, base variables included', () => {
    const values = spec.read(spec.example());
    expect(values).toMatchObject({ LOG_LEVEL: 'DEBUG', POWERTOOLS_METRICS_NAMESPACE: 'Waggle' });
  });

  it('names every required variable when started with none, in one message naming the function', () => {
    const required = Object.entries(spec.variables)
      .filter(([, variable]) => variable.required)
      .map(([variable]) => `${variable} is not set`);
    expect(required).toContain('POWERTOOLS_SERVICE_NAME is not set');
    expect(() => spec.read({})).toThrow(`${name}: ${required.join('; ')}`);
  });

  it('ignores variables it does not declare', () => {
    expect(() => spec.read({ ...spec.example(), SOMETHING_ELSE: '!' })).not.toThrow();
  });
});

describe('every function', () => {
  it('has its environment found in its folder: one spec named after the folder', () => {
    expect(FUNCTION_ENVIRONMENTS.map((spec) => spec.functionName)).toEqual(functionFolders());
    expect(functionFolders()).toEqual(expect.arrayContaining(['ingest', 'sync-reconciler', 'writer']));
  });

  it('starts in one shared example environment (the cold-start benchmark uses it)', async () => {
    const env = await exampleEnvironmentOfEveryFunction();
    for (const spec of FUNCTION_ENVIRONMENTS) expect(() => spec.read(env), spec.functionName).not.toThrow();
    expect(env).not.toHaveProperty('NODE_OPTIONS');
  });

  it('reads back what its construct writes', () => {
    const written = environmentForControlPlaneApi({
      CONTROL_PLANE_TABLE_NAME: 'cp-table',
      INBOXES: JSON.stringify([{ id: 'eu', region: 'eu-west-1', queueUrl: 'https://sqs/eu.fifo' }]),
      SIGNING_KEY_ARN: 'arn:aws:kms:us-east-1:1:key/k',
      SIGNING_KEY_KID: 'k',
    });
    expect(written.functionName).toBe('control-plane-api');
    expect(readControlPlaneApiEnvironment({ ...BASE, ...written.variables })).toMatchObject({
      CONTROL_PLANE_TABLE_NAME: 'cp-table',
      INBOXES: [{ id: 'eu', region: 'eu-west-1', queueUrl: 'https://sqs/eu.fifo' }],
      SIGNING_KEY_KID: 'k',
    });
  });
});

describe('query-api', () => {
  const example = QUERY_API_ENVIRONMENT.example();

  it('reads the default read window as an integer from 1 to 366; unset leaves the 30-day default', () => {
    expect(
      readQueryApiEnvironment({ ...example, DEFAULT_READ_WINDOW_DAYS: '14' }).DEFAULT_READ_WINDOW_DAYS,
    ).toBe(14);
    expect(
      readQueryApiEnvironment({ ...example, DEFAULT_READ_WINDOW_DAYS: undefined }).DEFAULT_READ_WINDOW_DAYS,
    ).toBeUndefined();
    for (const bad of ['x', '0', '367', '7.5'])
      expect(problemsOf(readQueryApiEnvironment, { ...example, DEFAULT_READ_WINDOW_DAYS: bad })).toEqual([
        `DEFAULT_READ_WINDOW_DAYS must be an integer from 1 to 366, got "${bad}"`,
      ]);
  });

  it('says everything wrong at once', () => {
    expect(() =>
      readQueryApiEnvironment({ ...example, EVENT_STORE_BUCKET: undefined, DEFAULT_READ_WINDOW_DAYS: 'x' }),
    ).toThrow(
      'query-api: EVENT_STORE_BUCKET is not set; DEFAULT_READ_WINDOW_DAYS must be an integer from 1 to 366, got "x"',
    );
  });

  it('accepts control-plane tokens only with issuer, JWKS and data plane id all set', () => {
    const apiKeysOnly = {
      ...example,
      CONTROL_PLANE_ISSUER: undefined,
      CONTROL_PLANE_JWKS_URL: undefined,
      DATA_PLANE_ID: undefined,
      AUTH_RATE_LIMIT_TABLE_NAME: undefined,
    };
    expect(readQueryApiEnvironment(apiKeysOnly)).toMatchObject({
      CONTROL_PLANE_ISSUER: undefined,
      AUTH_RATE_LIMIT_TABLE_NAME: undefined,
    });
    expect(problemsOf(readQueryApiEnvironment, { ...apiKeysOnly, DATA_PLANE_ID: 'eu' })).toEqual([
      'Set all of CONTROL_PLANE_ISSUER, CONTROL_PLANE_JWKS_URL and DATA_PLANE_ID, or none',
    ]);
    expect(
      problemsOf(readIngestEnvironment, {
        ...apiKeysOnly,
        EVENTS_QUEUE_URL: 'https://sqs/q',
        RAW_ARCHIVE_BUCKET: 'raw',
        CONTROL_PLANE_JWKS_URL: 'jwks',
      }),
    ).toEqual(['CONTROL_PLANE_JWKS_URL must be an http(s) URL, got "jwks"']);
  });
});

describe('compaction', () => {
  const example = { ...BASE, EVENT_STORE_BUCKET: 'store' };

  it('reads the closed-after delay in ms, unset leaving the job its default', () => {
    expect(readCompactionEnvironment(example).COMPACTION_CLOSED_AFTER_MS).toBeUndefined();
    expect(
      readCompactionEnvironment({ ...example, COMPACTION_CLOSED_AFTER_MS: '0' }).COMPACTION_CLOSED_AFTER_MS,
    ).toBe(0);
    expect(problemsOf(readCompactionEnvironment, { ...example, COMPACTION_CLOSED_AFTER_MS: '1h' })).toEqual([
      'COMPACTION_CLOSED_AFTER_MS must be an integer of at least 0, got "1h"',
    ]);
  });
});

describe('heartbeat sender', () => {
  const example = HEARTBEAT_SENDER_ENVIRONMENT.example();

  it('reads the dead-letter queues as a list of URLs and the account as 12 digits', () => {
    expect(readHeartbeatSenderEnvironment(example).DEAD_LETTER_QUEUE_URLS).toEqual([
      'https://sqs.eu-west-1.amazonaws.com/111111111111/example-dlq',
    ]);
    expect(
      problemsOf(readHeartbeatSenderEnvironment, {
        ...example,
        DEAD_LETTER_QUEUE_URLS: '"https://sqs/one"',
        DATA_PLANE_ACCOUNT: 'acme',
        HEARTBEAT_QUEUE_URL: undefined,
      }),
    ).toEqual([
      'DATA_PLANE_ACCOUNT must be a 12-digit AWS account id, got "acme"',
      'HEARTBEAT_QUEUE_URL is not set',
      'DEAD_LETTER_QUEUE_URLS must be a JSON list of queue URLs: not a list of URLs',
    ]);
  });
});

describe('control plane', () => {
  const tokens = CONTROL_PLANE_TOKENS_ENVIRONMENT.example();
  const receiver = HEARTBEAT_RECEIVER_ENVIRONMENT.example();
  const reconciler = SYNC_RECONCILER_ENVIRONMENT.example();

  it('token service: the data planes as a list, the previous signing key only with both its ARN and kid', () => {
    expect(readControlPlaneTokensEnvironment({ ...tokens, DATA_PLANE_IDS: 'eu,ap' }).DATA_PLANE_IDS).toEqual([
      'eu',
      'ap',
    ]);
    const noRotation = {
      ...tokens,
      PREVIOUS_SIGNING_KEY_ARN: undefined,
      PREVIOUS_SIGNING_KEY_KID: undefined,
    };
    expect(readControlPlaneTokensEnvironment(noRotation).PREVIOUS_SIGNING_KEY_ARN).toBeUndefined();
    expect(
      problemsOf(readControlPlaneTokensEnvironment, { ...noRotation, PREVIOUS_SIGNING_KEY_ARN: 'arn:x' }),
    ).toEqual(['Set both PREVIOUS_SIGNING_KEY_ARN and PREVIOUS_SIGNING_KEY_KID, or neither']);
    expect(
      problemsOf(readControlPlaneTokensEnvironment, { ...tokens, TOKEN_ISSUER: 'cp.example.com' }),
    ).toEqual(['TOKEN_ISSUER must be an http(s) URL, got "cp.example.com"']);
  });

  it('heartbeat receiver: the queues as a map of queue name to data plane', () => {
    expect(readHeartbeatReceiverEnvironment(receiver).HEARTBEAT_QUEUES).toEqual(
      new Map([['waggle-example-heartbeats', 'example']]),
    );
    expect(problemsOf(readHeartbeatReceiverEnvironment, { ...receiver, HEARTBEAT_QUEUES: '["eu"]' })).toEqual(
      ['HEARTBEAT_QUEUES must be a JSON object'],
    );
    expect(
      problemsOf(readHeartbeatReceiverEnvironment, { ...receiver, HEARTBEAT_QUEUES: '{"q":""}' }),
    ).toEqual(['HEARTBEAT_QUEUES.q must be a data plane id']);
    const [notJson] = problemsOf(readHeartbeatReceiverEnvironment, { ...receiver, HEARTBEAT_QUEUES: 'q=eu' });
    expect(notJson).toMatch(
      /^HEARTBEAT_QUEUES must be a JSON object of heartbeat queue name to data plane id: /,
    );
  });

  it('reconciliation: the inboxes as addresses, each entry checked', () => {
    expect(readSyncReconcilerEnvironment(reconciler).INBOXES).toEqual([
      { id: 'example', region: 'eu-west-1', queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/example.fifo' },
    ]);
    expect(
      problemsOf(readSyncReconcilerEnvironment, {
        ...reconciler,
        INBOXES: '[{"id":"eu","region":"eu-west-1"}]',
      }),
    ).toEqual([
      'INBOXES must be a JSON list of { id, region, queueUrl }: [0] must have id, region and queueUrl strings',
    ]);
    expect(problemsOf(readSyncReconcilerEnvironment, { ...reconciler, INBOXES: '{}' })).toEqual([
      'INBOXES must be a JSON list of { id, region, queueUrl }: not a JSON array',
    ]);
  });
});

describe('provider-keys', () => {
  const example = PROVIDER_KEYS_ENVIRONMENT.example();

  it('reads the secrets key as a KMS key ARN (any partition), and the token trust all or nothing', () => {
    const govCloud = 'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(
      readProviderKeysEnvironment({ ...example, PROVIDER_SECRETS_KEY_ARN: govCloud })
        .PROVIDER_SECRETS_KEY_ARN,
    ).toBe(govCloud);
    for (const notAKey of [
      'alias/waggle',
      'arn:aws:kms:eu-central-1:123456789012:alias/x',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
    ]) {
      expect(
        problemsOf(readProviderKeysEnvironment, { ...example, PROVIDER_SECRETS_KEY_ARN: notAKey }),
      ).toEqual([`PROVIDER_SECRETS_KEY_ARN must be a KMS key ARN, got "${notAKey}"`]);
    }
    expect(problemsOf(readProviderKeysEnvironment, { ...example, CONTROL_PLANE_ISSUER: undefined })).toEqual([
      'Set all of CONTROL_PLANE_ISSUER, CONTROL_PLANE_JWKS_URL and DATA_PLANE_ID, or none',
    ]);
  });
});
