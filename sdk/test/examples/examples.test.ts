/**
 * The examples in sdk/examples, run in-process through their exported main(): each starts the
 * local platform on loopback, traces through the SDK and reads the events back via the read API.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FAKE_ANSWER, FAKE_USAGE } from '../../examples/fake-openai-server';
import { main as lambdaMain } from '../../examples/lambda-handler';
import { main as multiTenantMain } from '../../examples/multi-tenant-server';
import { main as openaiMain } from '../../examples/openai-app';

beforeEach(() => {
  // The examples use an external Waggle only when these are set; the tests want the local one.
  vi.stubEnv('WAGGLE_SERVER_URL', '');
  vi.stubEnv('WAGGLE_API_KEY', '');
  vi.stubEnv('WAGGLE_PROJECT', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('examples', () => {
  it('openai-app: the OpenInference span of a real openai call becomes a model event with tokens and cost', async () => {
    const lines: string[] = [];
    const result = await openaiMain((line) => lines.push(line));
    expect(result.answer).toBe(FAKE_ANSWER);
    const chain = result.events.find((e) => e.event_name === 'answerQuestion');
    const model = result.events.find((e) => e.event_type === 'model');
    expect(chain?.event_type).toBe('chain');
    expect(model?.event_name).toBe('OpenAI Chat Completions');
    expect(model?.model).toBe('gpt-4o-mini');
    expect(model?.provider).toBe('openai');
    expect(model?.prompt_tokens).toBe(FAKE_USAGE.prompt_tokens);
    expect(model?.completion_tokens).toBe(FAKE_USAGE.completion_tokens);
    expect(model?.total_tokens).toBe(FAKE_USAGE.total_tokens);
    expect(model?.cost).toBeGreaterThan(0);
    expect(model?.parent_id).toBe(chain?.event_id);
    expect(model?.session_id).toBe(result.sessionId);
    expect(lines.join('\n')).toContain('model=gpt-4o-mini');
  });

  it('lambda-handler: the wrapped handler has flushed its spans when the invocation returns', async () => {
    const result = await lambdaMain(() => {});
    expect(result.response.statusCode).toBe(200);
    expect(JSON.parse(result.response.body)).toEqual({
      answer: 'Order A-1001 is shipped, arriving tomorrow.',
    });
    const byName = new Map(result.events.map((e) => [e.event_name, e]));
    const chain = byName.get('handleOrderStatus');
    expect(chain?.event_type).toBe('chain');
    expect(byName.get('lookupOrder')?.event_type).toBe('tool');
    expect(byName.get('lookupOrder')?.parent_id).toBe(chain?.event_id);
    const model = byName.get('draftReply');
    expect(model?.event_type).toBe('model');
    expect(model?.model).toBe('gpt-4o-mini');
    expect(model?.prompt_tokens).toBe(35);
    expect(model?.completion_tokens).toBe(12);
    expect(result.events.some((e) => e.event_type === 'session')).toBe(true);
  });

  it('multi-tenant-server: each tenant traces into its own environment and project, sessions carry over turns', async () => {
    const result = await multiTenantMain(() => {});
    expect(result.statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(result.statuses).toContain(404);
    expect(result.evictions).toBe(1);
    expect(result.crossTenantEvents).toBe(0);

    const acme = result.events.acme ?? [];
    const globex = result.events.globex ?? [];
    expect(acme.every((e) => e.project === 'acme')).toBe(true);
    expect(globex.every((e) => e.project === 'globex')).toBe(true);
    const names = (events: typeof acme) => events.map((e) => `${e.event_type}:${e.event_name}`).sort();
    expect(names(acme)).toEqual([
      'chain:chatTurn',
      'chain:chatTurn',
      'chain:ingestDocuments',
      'model:generateAnswer',
      'model:generateAnswer',
      'tool:embedDocument',
      'tool:embedDocument',
      'tool:retrieveContext',
      'tool:retrieveContext',
    ]);
    expect(names(globex)).toEqual([
      'chain:chatTurn',
      'chain:ingestDocuments',
      'model:generateAnswer',
      'tool:embedDocument',
      'tool:retrieveContext',
    ]);
    // Two chat turns in one session for acme, plus its ingest session.
    expect([...(result.sessions.acme?.values() ?? [])].sort()).toEqual([3, 6]);
    const acmeTurns = acme.filter((e) => e.event_name === 'chatTurn');
    expect(acmeTurns[0]?.session_id).toBe(acmeTurns[1]?.session_id);
  });
});
