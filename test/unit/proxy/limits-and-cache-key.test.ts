/** The limits document's reader (strict, bounded, clear refusals) and the response cache key. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/domain/errors';
import { responseCacheKey } from '../../../lambdas/domain/proxy/cache-key';
import { formatUsd, parseProxyLimits } from '../../../lambdas/domain/proxy/limits';

const TENANT = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' };

describe('parseProxyLimits', () => {
  it('reads project and credential limits; absent fields and null are no limit', () => {
    expect(
      parseProxyLimits({
        project: { usd_per_day: 5, usd_per_month: 100.5, requests_per_minute: null },
        credentials: {
          'api-key:0123456789abcdef': { requests_per_minute: 60 },
          'user:alice@example.com': {},
        },
      }),
    ).toEqual({
      project: { usd_per_day: 5, usd_per_month: 100.5 },
      credentials: { 'api-key:0123456789abcdef': { requests_per_minute: 60 }, 'user:alice@example.com': {} },
    });
    expect(parseProxyLimits({})).toEqual({ project: {}, credentials: {} });
  });

  it.each([
    [{ budgets: {} }, 'the body has unknown field "budgets"'],
    [{ project: { usd_per_week: 1 } }, 'project has unknown field "usd_per_week"'],
    [{ project: [] }, 'project must be an object'],
    [{ project: { usd_per_day: -1 } }, 'project.usd_per_day must be a number of dollars from 0 to 1000000'],
    [{ project: { usd_per_day: '5' } }, 'project.usd_per_day must be a number'],
    [
      { project: { usd_per_month: 1e7 } },
      'project.usd_per_month must be a number of dollars from 0 to 1000000',
    ],
    [{ project: { requests_per_minute: 1.5 } }, 'requests_per_minute must be an integer from 0 to 100000'],
    [
      { project: { requests_per_minute: 100_001 } },
      'requests_per_minute must be an integer from 0 to 100000',
    ],
    [{ credentials: [] }, 'credentials must be an object'],
    [{ credentials: { 'sk-123': {} } }, 'a credentials key must be a credential id'],
    [{ credentials: { 'api-key:0123': {} } }, 'a credentials key must be a credential id'],
    [{ credentials: { 'user:a b': {} } }, 'a credentials key must be a credential id'],
    [{ credentials: { 'user:alice': { usd_per_day: Number.NaN } } }, 'credentials["user:alice"].usd_per_day'],
  ])('refuses %j', (body, message) => {
    expect(() => parseProxyLimits(body as Record<string, unknown>)).toThrow(ValidationError);
    expect(() => parseProxyLimits(body as Record<string, unknown>)).toThrow(message);
  });

  it('refuses more than 100 credentials', () => {
    const credentials = Object.fromEntries(
      Array.from({ length: 101 }, (_, i) => [`user:u${i}`, { requests_per_minute: 1 }]),
    );
    expect(() => parseProxyLimits({ credentials })).toThrow('at most 100 credentials');
  });

  it('formats dollars with cents, and with more digits when a budget has them', () => {
    expect(formatUsd(5)).toBe('$5.00');
    expect(formatUsd(0.5)).toBe('$0.50');
    expect(formatUsd(0.0025)).toBe('$0.0025');
  });
});

describe('responseCacheKey', () => {
  const request = {
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Hi' }],
    temperature: 0,
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
  };
  const key = responseCacheKey(TENANT, 'openai/gpt-4o', request);

  it('is 64 hex digits, the same for the same request in any key order', () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const reordered = {
      tools: [{ function: { parameters: { type: 'object' }, name: 'f' }, type: 'function' }],
      temperature: 0,
      messages: [{ content: 'Hi', role: 'user' }],
      model: 'gpt-4o',
    };
    expect(responseCacheKey(TENANT, 'openai/gpt-4o', reordered)).toBe(key);
  });

  it('ignores stream, stream_options, user, metadata, undefined fields and the model name sent', () => {
    expect(
      responseCacheKey(TENANT, 'openai/gpt-4o', {
        ...request,
        model: 'my-alias',
        stream: true,
        stream_options: { include_usage: true },
        user: 'u-1',
        metadata: { run: 1 },
        seed: undefined,
      }),
    ).toBe(key);
  });

  it('changes with the routed model, the messages, the tools, a parameter and the project', () => {
    const others = [
      responseCacheKey(TENANT, 'anthropic/claude', request),
      responseCacheKey(TENANT, 'openai/gpt-4o', { ...request, messages: [{ role: 'user', content: 'Hi!' }] }),
      responseCacheKey(TENANT, 'openai/gpt-4o', { ...request, tools: [] }),
      responseCacheKey(TENANT, 'openai/gpt-4o', { ...request, temperature: 0.1 }),
      responseCacheKey(TENANT, 'openai/gpt-4o', { ...request, max_tokens: 10 }),
      responseCacheKey({ ...TENANT, project_id: 'proj-2' }, 'openai/gpt-4o', request),
      responseCacheKey({ ...TENANT, workspace_id: 'ws-2' }, 'openai/gpt-4o', request),
    ];
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
  });
});
