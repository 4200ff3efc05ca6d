/**
 * HoneyHive's configurations and tools through the real `honeyhive` client (1.0.42, which validates
 * every answer with its own zod schemas) against the local platform with its control plane: writes
 * go to the data plane, which forwards them to the control plane with the caller's key; the
 * control plane stores a new version and publishes it through the signed config sync; the data
 * plane's reads then reflect it (the test waits for the in-process sync, as the other e2e tests do).
 * Hostile input is refused with a clear 4xx and changes nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Configuration } from 'honeyhive/models/components/configuration.js';
import type { Tool } from 'honeyhive/models/components/tool.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlatform } from '../../lambdas/local/platform';
import { honeyHiveClient, type RecordingClient } from '../support/honeyhive-client';
import { eventually } from '../support/read-api-client';

type Platform = Awaited<ReturnType<typeof startLocalPlatform>>;

const PROJECT = 'default';
let dataDir: string;
let platform: Platform;
let honeyhive: RecordingClient;
let cpUrl: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-configs-e2e-'));
  platform = await startLocalPlatform({
    port: 0,
    dataDir,
    log: () => {},
    controlPlane: { port: 0, syncBatchingWindowMs: 20 },
    // A new project's key is unknown until synced; a short negative cache keeps the wait short.
    auth: { negativeTtlMs: 100 },
  });
  cpUrl = (platform.controlPlane as NonNullable<Platform['controlPlane']>).url;
  honeyhive = honeyHiveClient(platform.url, platform.apiKey);
});

afterAll(async () => {
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function call(method: string, url: string, token: string | undefined, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: replies are checked field by field
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}

const greeter = (model: string, env: Array<'dev' | 'staging' | 'prod'>, greeting = 'Hello') => ({
  project: PROJECT,
  name: 'greeter',
  provider: 'openai',
  env,
  parameters: {
    callType: 'chat' as const,
    model,
    hyperparameters: { temperature: 0.2, max_tokens: 100 },
    selectedFunctions: [
      { id: 'fn-weather', name: 'get_weather', description: 'Weather', parameters: { type: 'object' } },
    ],
    functionCallParams: 'auto' as const,
    additionalProperties: {
      template: [
        { role: 'system', content: 'You are kind.' },
        { role: 'user', content: `${greeting} {{name}}, the weather in {{city}}?` },
      ],
    },
  },
});

async function configurations(env?: 'dev' | 'staging' | 'prod'): Promise<Configuration[]> {
  return honeyhive.client.configurations.getConfigurations(PROJECT, env, 'greeter');
}

describe('configurations through the honeyhive client', () => {
  let id = '';

  it('creates one; the data plane serves it once synced, in the client shape', async () => {
    await honeyhive.client.configurations.createConfiguration(greeter('gpt-4o-mini', ['dev']));
    const [found] = await eventually(async () => {
      const list = await configurations();
      return list.length === 1 ? list : undefined;
    });
    const configuration = found as Configuration;
    id = configuration.id as string;
    expect(configuration).toMatchObject({
      project: platform.projectId,
      name: 'greeter',
      provider: 'openai',
      env: ['dev'],
      type: 'LLM',
      parameters: {
        callType: 'chat',
        model: 'gpt-4o-mini',
        hyperparameters: { temperature: 0.2, max_tokens: 100 },
        selectedFunctions: [{ id: 'fn-weather', name: 'get_weather' }],
        functionCallParams: 'auto',
      },
    });
    expect(configuration.parameters.additionalProperties?.template).toEqual([
      { role: 'system', content: 'You are kind.' },
      { role: 'user', content: 'Hello {{name}}, the weather in {{city}}?' },
    ]);
    expect(await configurations('dev')).toHaveLength(1);
    expect(await configurations('prod')).toEqual([]);
  });

  it('an update is a new version; each environment serves the version deployed to it', async () => {
    await honeyhive.client.configurations.updateConfiguration(greeter('gpt-4o', ['prod'], 'Hi'), id);
    const latest = await eventually(async () => {
      const [item] = await configurations();
      return item?.parameters.model === 'gpt-4o' ? item : undefined;
    });
    expect(latest.env).toEqual(['prod']);
    expect(honeyhive.lastBody()).toMatchObject([{ _id: id, version: 2 }]);
    const [dev] = await configurations('dev');
    expect(dev?.parameters.model).toBe('gpt-4o-mini');
    expect(honeyhive.lastBody()).toMatchObject([{ version: 1, env: ['dev'] }]);
    const [prod] = await configurations('prod');
    expect(prod?.parameters.additionalProperties?.template[1].content).toBe(
      'Hi {{name}}, the weather in {{city}}?',
    );
    // The proxy's lookup reads the same synced copy.
    const bootstrap = platform.controlPlane?.bootstrap;
    const tenant = {
      org_id: bootstrap?.org_id ?? '',
      workspace_id: bootstrap?.workspace_id ?? '',
      project_id: platform.projectId,
    };
    const lookup = platform.configurations?.lookup;
    expect(await lookup?.find(tenant, 'greeter', 'dev')).toMatchObject({
      model: 'gpt-4o-mini',
      version: 1,
      env: ['dev'],
    });
    expect(await lookup?.find(tenant, 'greeter')).toMatchObject({
      model: 'gpt-4o',
      version: 2,
      env: ['prod'],
    });
    expect(await lookup?.find({ ...tenant, project_id: 'another' }, 'greeter')).toBeUndefined();
  });

  it('refuses hostile writes with a clear 4xx and changes nothing', async () => {
    const base = greeter('gpt-4o', ['dev']);
    const wire = { ...base, parameters: { call_type: 'chat', model: 'gpt-4o', template: [] } };
    const cases: Array<[unknown, number, RegExp]> = [
      [{ ...wire, surprise: 1 }, 400, /unknown field "surprise"/],
      [
        { ...wire, parameters: { ...wire.parameters, temprature: 1 } },
        400,
        /unknown field "parameters.temprature"/,
      ],
      [{ ...wire, env: ['qa'] }, 400, /env\[0\] must be one of dev, staging, prod/],
      [{ ...wire, provider: 'nope' }, 400, /provider must be one of/],
      [
        {
          ...wire,
          parameters: { ...wire.parameters, template: [{ role: 'user', content: 'x'.repeat(40_000) }] },
        },
        413,
        /at most 24 KiB/,
      ],
      [
        { ...wire, parameters: { ...wire.parameters, hyperparameters: { api_key: 'sk-123' } } },
        400,
        /secret/,
      ],
      [{ ...wire, project: 'someone-else' }, 403, /not for the named project/],
    ];
    for (const [body, status, message] of cases) {
      const reply = await call('PUT', `${platform.url}/configurations/${id}`, platform.apiKey, body);
      expect(reply.status, JSON.stringify(reply.body)).toBe(status);
      expect(reply.body.error).toMatch(message);
    }
    expect((await call('GET', `${platform.url}/configurations?env=qa`, platform.apiKey)).status).toBe(400);
    expect((await call('POST', `${platform.url}/configurations`, 'wgl_nope')).status).toBe(401);
    const [after] = await configurations();
    expect(after?.parameters.model).toBe('gpt-4o');
    expect(honeyhive.lastBody()).toMatchObject([{ version: 2 }]);
  });

  it("another project's configuration is out of reach", async () => {
    const other = await otherProjectKey();
    const otherClient = honeyHiveClient(platform.url, other.key);
    await otherClient.client.configurations.createConfiguration({
      ...greeter('gpt-4o', ['dev']),
      project: 'other',
    });
    const [theirs] = await eventually(async () => {
      const list = await otherClient.client.configurations.getConfigurations('other', undefined, 'greeter');
      return list.length === 1 ? list : undefined;
    });
    const theirId = (theirs as Configuration).id as string;
    expect(theirId).not.toBe(id);
    const reply = await call('PUT', `${platform.url}/v1/configurations/${theirId}`, platform.apiKey, {
      name: 'greeter',
      provider: 'openai',
      parameters: { call_type: 'chat', model: 'stolen' },
    });
    expect(reply.status).toBe(404);
    expect((await call('DELETE', `${platform.url}/configurations/${theirId}`, platform.apiKey)).status).toBe(
      404,
    );
    const [still] = await otherClient.client.configurations.getConfigurations('other', undefined, 'greeter');
    expect(still?.parameters.model).toBe('gpt-4o');
    // Our list never shows theirs.
    expect((await configurations()).map((item) => item.id)).toEqual([id]);
  });

  it('deletes it; the data plane forgets it after the sync', async () => {
    await honeyhive.client.configurations.deleteConfiguration(id);
    await eventually(async () => ((await configurations()).length === 0 ? true : undefined));
    expect((await call('DELETE', `${platform.url}/configurations/${id}`, platform.apiKey)).status).toBe(404);
  });
});

describe('tools through the honeyhive client', () => {
  let toolId = '';
  const weather = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

  it('creates, lists, updates and deletes a tool', async () => {
    const created = await honeyhive.client.tools.createTool({
      task: PROJECT,
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: weather,
      type: 'function',
    });
    toolId = created.result?.insertedId as string;
    expect(toolId).toMatch(/\S/);
    const [tool] = await eventually(async () => {
      const tools = await honeyhive.client.tools.getTools();
      return tools.length === 1 ? tools : undefined;
    });
    expect(tool as Tool).toMatchObject({
      id: toolId,
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: weather,
      toolType: 'function',
    });

    await honeyhive.client.tools.updateTool({ id: toolId, name: 'weather_now', parameters: weather });
    await eventually(async () => {
      const [updated] = await honeyhive.client.tools.getTools();
      return updated?.name === 'weather_now' ? updated : undefined;
    });

    const bad = await call('POST', `${platform.url}/tools`, platform.apiKey, {
      task: PROJECT,
      name: 'x',
      parameters: {},
      type: 'function',
      extra: true,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/unknown field "extra"/);
    expect(
      (
        await call('POST', `${platform.url}/tools`, platform.apiKey, {
          task: PROJECT,
          name: 'x',
          parameters: {},
          type: 'gadget',
        })
      ).status,
    ).toBe(400);

    await honeyhive.client.tools.deleteTool(toolId);
    await eventually(async () => ((await honeyhive.client.tools.getTools()).length === 0 ? true : undefined));
  });
});

/** A second project and a key for it, made by the local admin on the control plane. */
async function otherProjectKey(): Promise<{ key: string; projectId: string }> {
  const bootstrap = platform.controlPlane?.bootstrap;
  if (!bootstrap) throw new Error('the first start must create the admin');
  const signedIn = await call('POST', `${cpUrl}/v1/auth/sign-in`, undefined, {
    email: bootstrap.email,
    password: bootstrap.password,
  });
  const token = signedIn.body.id_token as string;
  const project = await call('POST', `${cpUrl}/v1/projects`, token, { name: 'other' });
  expect(project.status).toBe(200);
  const key = await call('POST', `${cpUrl}/v1/projects/${project.body.id}/keys`, token, {});
  expect(key.status).toBe(201);
  // The key reaches the data plane through the sync.
  await eventually(async () => {
    const reply = await call('GET', `${platform.url}/tools`, key.body.key);
    return reply.status === 200 ? true : undefined;
  });
  return { key: key.body.key as string, projectId: project.body.id as string };
}

describe('with a data-plane token (what the console sends)', () => {
  it('writes through the data plane under /v1 and reads the result back', async () => {
    const bootstrap = platform.controlPlane?.bootstrap;
    if (!bootstrap) throw new Error('the first start must create the admin');
    const signedIn = await call('POST', `${cpUrl}/v1/auth/sign-in`, undefined, {
      email: bootstrap.email,
      password: bootstrap.password,
    });
    const issued = await call('POST', `${cpUrl}/v1/tokens`, signedIn.body.id_token, {
      project_id: platform.projectId,
    });
    expect(issued.status).toBe(200);
    const token = issued.body.token as string;
    const body = {
      name: 'playground',
      provider: 'anthropic',
      env: ['dev'],
      parameters: {
        call_type: 'chat',
        model: 'claude-sonnet',
        template: [{ role: 'user', content: '{{q}}' }],
      },
    };
    const created = await call('POST', `${platform.url}/v1/configurations`, token, body);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const id = created.body.insertedId as string;
    const { env: _env, ...undeployed } = body;
    const updated = await call('PUT', `${platform.url}/v1/configurations/${id}`, token, {
      ...undeployed,
      parameters: { ...body.parameters, model: 'claude-opus' },
    });
    expect(updated.body).toMatchObject({ acknowledged: true, version: 2 });
    const latest = await eventually(async () => {
      const reply = await call('GET', `${platform.url}/v1/configurations?name=playground`, token);
      return reply.body[0]?.version === 2 ? reply.body[0] : undefined;
    });
    expect(latest).toMatchObject({ env: [], parameters: { model: 'claude-opus' } });
    // dev still serves version 1: the update named no environment.
    const dev = await call('GET', `${platform.url}/v1/configurations?name=playground&env=dev`, token);
    expect(dev.body[0]).toMatchObject({ version: 1, env: ['dev'], parameters: { model: 'claude-sonnet' } });
    expect((await call('DELETE', `${platform.url}/v1/configurations/${id}`, token)).status).toBe(200);
  });
});

describe('after a restart', () => {
  it('the data plane, which starts empty, is refilled with configurations and tools by the reconciliation', async () => {
    await honeyhive.client.configurations.createConfiguration(greeter('gpt-4o-mini', ['staging']));
    await honeyhive.client.tools.createTool({ task: PROJECT, name: 'kept', parameters: {}, type: 'tool' });
    await eventually(async () => ((await configurations('staging')).length === 1 ? true : undefined));
    await platform.close();
    platform = await startLocalPlatform({
      port: 0,
      dataDir,
      log: () => {},
      controlPlane: { port: 0, syncBatchingWindowMs: 20, reconcileIntervalMs: 100 },
    });
    honeyhive = honeyHiveClient(platform.url, platform.apiKey);
    const [served] = await eventually(async () => {
      const list = await configurations('staging');
      return list.length === 1 ? list : undefined;
    });
    expect(served?.parameters.model).toBe('gpt-4o-mini');
    const tools = await eventually(async () => {
      const list = await honeyhive.client.tools.getTools();
      return list.length === 1 ? list : undefined;
    });
    expect(tools[0]).toMatchObject({ name: 'kept', toolType: 'tool' });
  });
});
