/**
 * The data plane's configurations function: reads from the synced copy pinned to the caller's
 * project, writes forwarded to the control plane's /v1 path with the caller's credentials, and
 * nothing forwarded for a caller the data plane already refuses.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createConfigurationsHandler, type ForwardedWrite } from '../../../lambdas/configurations/app';
import { generateApiKey } from '../../../lambdas/domain/auth/api-key';
import { readConfigurationInput } from '../../../lambdas/domain/configurations/configuration-input';
import { createConfiguration } from '../../../lambdas/domain/configurations/configurations';
import { createConfigurationLookup } from '../../../lambdas/domain/configurations/lookup';
import { createSyncedEvaluatorCatalog } from '../../../lambdas/domain/evaluators/definitions/catalog';
import { entityChangeOf } from '../../../lambdas/domain/sync/control-plane-changes';
import type { HttpApi } from '../../../lambdas/http/router';
import { apigwEvent } from '../../support/apigw-event';
import { MemoryKeyRegistry } from '../../support/memory-ports';
import { dataPlane, body as signed } from '../sync/fixtures';
import { PROJECT, wireBody, world } from './fixtures';

const TENANT = {
  org_id: PROJECT.org_id,
  workspace_id: PROJECT.workspace_id,
  project_id: PROJECT.id,
  projectName: 'shop',
};
const writer = generateApiKey();
const reader = generateApiKey();
let forwarded: ForwardedWrite[];
let handler: HttpApi;

beforeEach(async () => {
  const keys = new MemoryKeyRegistry();
  await keys.register(writer, TENANT, ['ingest', 'read']);
  await keys.register(reader, TENANT, ['read']);
  // A configuration made on the control plane, applied by this data plane's controller.
  const cp = await world();
  await createConfiguration(cp.context, PROJECT, readConfigurationInput(wireBody()));
  const dp = dataPlane();
  for (const change of cp.changes.published) await dp.controller.handle(await signed(entityChangeOf(change)));
  forwarded = [];
  handler = createConfigurationsHandler({
    keys,
    reader: createConfigurationLookup({ configStore: dp.configStore }),
    evaluators: createSyncedEvaluatorCatalog({ configStore: dp.configStore }),
    forward: async (write) => {
      forwarded.push(write);
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"acknowledged":true}',
      };
    },
  });
});

function request(
  method: string,
  path: string,
  key: string | undefined,
  options: { query?: string; body?: unknown } = {},
) {
  const event = apigwEvent({
    method,
    path,
    headers: { ...(key && { authorization: `Bearer ${key}` }), 'content-type': 'application/json' },
    ...(options.body !== undefined && { body: JSON.stringify(options.body), base64: false }),
  });
  return handler({ ...event, rawQueryString: options.query ?? '' });
}

describe('configurations function (data plane)', () => {
  it('answers GET from the synced copy in the HoneyHive shape', async () => {
    const reply = await request('GET', '/configurations', reader, {
      query: 'project=shop&name=greeter&env=dev',
    });
    expect(reply.statusCode).toBe(200);
    expect(JSON.parse(reply.body as string)).toMatchObject([
      {
        _id: expect.any(String),
        project: PROJECT.id,
        name: 'greeter',
        env: ['dev'],
        parameters: { call_type: 'chat' },
      },
    ]);
    const prod = await request('GET', '/v1/configurations', reader, { query: 'env=prod' });
    expect(JSON.parse(prod.body as string)).toEqual([]);
  });

  it('refuses a bad env, another project and a missing key, forwarding nothing', async () => {
    expect((await request('GET', '/configurations', reader, { query: 'env=qa' })).statusCode).toBe(400);
    expect((await request('GET', '/configurations', reader, { query: 'project=other' })).statusCode).toBe(
      403,
    );
    expect((await request('POST', '/configurations', undefined, { body: wireBody() })).statusCode).toBe(401);
    expect((await request('POST', '/configurations', reader, { body: wireBody() })).statusCode).toBe(403);
    expect(forwarded).toEqual([]);
  });

  it('forwards writes to the /v1 path with the caller credentials and resolved project, and returns the answer', async () => {
    const reply = await request('PUT', '/configurations/abc%2Fdef', writer, { body: wireBody() });
    expect(reply.statusCode).toBe(200);
    expect(reply.body).toBe('{"acknowledged":true}');
    await request('DELETE', '/tools', writer, { query: 'function_id=t1' });
    expect(forwarded.map((write) => [write.method, write.pathAndQuery])).toEqual([
      ['PUT', '/v1/configurations/abc%2Fdef'],
      ['DELETE', '/v1/tools?function_id=t1'],
    ]);
    expect(forwarded[0]?.headers).toEqual({
      authorization: `Bearer ${writer}`,
      'content-type': 'application/json',
      'x-waggle-org': PROJECT.org_id,
      'x-waggle-project': PROJECT.id,
    });
    expect(JSON.parse(Buffer.from(forwarded[0]?.body ?? []).toString('utf8'))).toEqual(wireBody());
    expect(forwarded[1]?.body).toBeUndefined();
  });
});
