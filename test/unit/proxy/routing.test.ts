/** Model routing: `<provider>/<model>`, configurations with their template and defaults, fallbacks. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  ConfigurationLookup,
  PromptConfiguration,
} from '../../../lambdas/domain/configurations/configuration';
import { NotFoundError, ValidationError } from '../../../lambdas/domain/errors';
import { parseChatRequest } from '../../../lambdas/domain/proxy/chat-request';
import { fillTemplate, parseModelTarget, routeRequest } from '../../../lambdas/domain/proxy/routing';

const tenant = { org_id: 'o', workspace_id: 'w', project_id: 'p' };

function configuration(overrides: Partial<PromptConfiguration> = {}): PromptConfiguration {
  return {
    id: 'cfg-1',
    ...tenant,
    name: 'support-bot',
    provider: 'anthropic',
    model: 'claude-sonnet-4',
    hyperparameters: { temperature: 0.2, max_tokens: 300, fallbacks: ['openai/gpt-4o'] },
    callType: 'chat',
    template: [{ role: 'system', content: 'You help {{ customer }} with {{product}}.' }],
    selectedFunctions: [{ id: 't1', name: 'lookup_order', parameters: { type: 'object' } }],
    env: ['prod'],
    version: 3,
    updatedAt: 0,
    functionCallParams: 'auto',
    ...overrides,
  };
}

/** A lookup over a list, per project and environment, as the real one answers. */
function lookupOf(configs: PromptConfiguration[]): ConfigurationLookup & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    async find(t, name, env) {
      calls.push({ t, name, env });
      return configs.find(
        (c) => c.project_id === t.project_id && c.name === name && (env === undefined || c.env.includes(env)),
      );
    },
  };
}

describe('routing', () => {
  it('reads <provider>/<model> with slashes in the model name, and nothing else', () => {
    expect(parseModelTarget('openai-compatible/meta/llama-3')).toEqual({
      provider: 'openai-compatible',
      model: 'meta/llama-3',
    });
    expect(parseModelTarget('bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0')?.provider).toBe(
      'bedrock',
    );
    expect(parseModelTarget('skynet/t-800')).toBeUndefined();
    expect(parseModelTarget('openai/')).toBeUndefined();
    expect(parseModelTarget('support-bot')).toBeUndefined();
  });

  it('routes a direct model with its fallbacks in order', async () => {
    const request = parseChatRequest({
      model: 'openai/gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      fallbacks: ['anthropic/claude-sonnet-4', 'bedrock/amazon.nova-pro-v1:0'],
    });
    const routed = await routeRequest(request, tenant, undefined);
    expect(routed.targets).toEqual([
      { provider: 'openai', model: 'gpt-4o' },
      { provider: 'anthropic', model: 'claude-sonnet-4' },
      { provider: 'bedrock', model: 'amazon.nova-pro-v1:0' },
    ]);
  });

  it('routes a configuration: template filled, its defaults under the request, its tools and fallbacks', async () => {
    const lookup = lookupOf([configuration()]);
    const request = parseChatRequest({
      model: 'support-bot',
      environment: 'prod',
      variables: { customer: 'Ada', product: 'Waggle' },
      messages: [{ role: 'user', content: 'where is my order?' }],
      temperature: 0.9,
    });
    const routed = await routeRequest(request, tenant, lookup);
    expect(routed.targets).toEqual([
      { provider: 'anthropic', model: 'claude-sonnet-4' },
      { provider: 'openai', model: 'gpt-4o' },
    ]);
    expect(routed.request.messages).toEqual([
      { role: 'system', content: 'You help Ada with Waggle.' },
      { role: 'user', content: 'where is my order?' },
    ]);
    expect(routed.request).toMatchObject({ temperature: 0.9, maxTokens: 300, tool_choice: 'auto' });
    expect(routed.request.tools?.map((tool) => tool.function.name)).toEqual(['lookup_order']);
    expect(routed.configuration).toEqual({
      id: 'cfg-1',
      name: 'support-bot',
      version: 3,
      environment: 'prod',
    });
    expect(lookup.calls).toEqual([{ t: tenant, name: 'support-bot', env: 'prod' }]);
  });

  it('refuses missing variables by name, an unknown name with 404, a bad environment with 400', async () => {
    const lookup = lookupOf([configuration()]);
    const missing = parseChatRequest({ model: 'support-bot', variables: { customer: 'Ada' } });
    await expect(routeRequest(missing, tenant, lookup)).rejects.toThrow(/Missing variables.*product/);
    await expect(
      routeRequest(parseChatRequest({ model: 'nope', messages: [] }), tenant, lookup),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      routeRequest(
        parseChatRequest({
          model: 'support-bot',
          environment: 'dev',
          variables: { customer: 'a', product: 'b' },
        }),
        tenant,
        lookup,
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      routeRequest(parseChatRequest({ model: 'support-bot', environment: 'qa' }), tenant, lookup),
    ).rejects.toBeInstanceOf(ValidationError);
    // Another project's configuration of the same name is not found.
    await expect(
      routeRequest(
        parseChatRequest({ model: 'support-bot', variables: { customer: 'a', product: 'b' } }),
        { ...tenant, project_id: 'other' },
        lookup,
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('fills every placeholder with its value, whatever the value holds', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.string()), (variables) => {
        const names = Object.keys(variables);
        const template = names.map((name) => `[{{${name}}}]`).join('');
        expect(fillTemplate(template, variables)).toBe(names.map((name) => `[${variables[name]}]`).join(''));
      }),
    );
  });
});
