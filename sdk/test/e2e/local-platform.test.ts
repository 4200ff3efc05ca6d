/**
 * The SDK against the local platform (the same code `npm start` runs): spans created through the
 * SDK come out of the read side as events with the right types, inputs, outputs, metadata and session.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/read-api-client';
import { platformForFile } from '../../../test/support/temp-platform';
import { enrichSpan, WaggleTracer } from '../../src/index';

const TENANT = { org_id: 'local', workspace_id: 'local', project_id: 'default' };
const local = platformForFile('waggle-sdk-e2e-', { writer: { maximumBatchingWindowMs: 100 } });

describe('SDK -> local platform', () => {
  it('traces a chain with a model call and a tool call into one session', async () => {
    const tracer = new WaggleTracer({
      apiKey: local.platform.apiKey,
      project: 'default',
      source: 'sdk-e2e',
      serverUrl: local.platform.url,
      sessionName: 'support chat',
    });
    const lookup = tracer.trace(
      async function searchDocs(query: string) {
        return [`doc about ${query}`];
      },
      { eventType: 'tool' },
    );
    const complete = tracer.trace(
      async function chatCompletion(prompt: string) {
        enrichSpan({
          config: { model: 'gpt-4o-mini', provider: 'openai' },
          metadata: { prompt_tokens: 120, completion_tokens: 30 },
        });
        return `answer to ${prompt}`;
      },
      { eventType: 'model' },
    );
    const answer = tracer.trace(async function answerQuestion(question: string) {
      const docs = await lookup(question);
      enrichSpan({ metadata: { docs: docs.length }, userProperties: { plan: 'pro' } });
      return complete(`${question} using ${docs[0]}`);
    });

    expect(await answer('refunds')).toBe('answer to refunds using doc about refunds');
    expect(await tracer.flush(5_000)).toBe(true);
    const sessionId = tracer.getSessionId();
    expect(sessionId).toBeTruthy();

    const events = await eventually(async () => {
      const found = await local.platform.queries.exportEvents(TENANT, {
        filters: [{ field: 'session_id', operator: 'is', value: sessionId as string, type: 'string' }],
        limit: 100,
        page: 1,
      });
      return found.events.filter((e) => e.event_type !== 'session').length >= 3 ? found.events : undefined;
    });
    const byName = new Map(events.map((e) => [e.event_name, e]));
    const chain = byName.get('answerQuestion');
    const tool = byName.get('searchDocs');
    const model = byName.get('chatCompletion');
    expect(chain?.event_type).toBe('chain');
    expect(tool?.event_type).toBe('tool');
    expect(model?.event_type).toBe('model');
    expect(tool?.parent_id).toBe(chain?.event_id);
    expect(model?.parent_id).toBe(chain?.event_id);
    expect(chain?.inputs).toMatchObject({ question: 'refunds' });
    expect(JSON.stringify(chain?.outputs)).toContain('answer to refunds');
    expect(chain?.metadata).toMatchObject({ docs: 1 });
    expect(model?.model).toBe('gpt-4o-mini');
    expect(model?.source).toBe('sdk-e2e');

    const session = await eventually(async () =>
      local.platform.queries.getSession(TENANT, sessionId as string),
    );
    expect(session.rollup.num_events).toBeGreaterThanOrEqual(3);
    await tracer.shutdown(5_000);
  });

  it('costs the application nothing when the platform refuses its key', async () => {
    const tracer = new WaggleTracer({
      apiKey: 'wgl_not-a-real-key',
      project: 'default',
      serverUrl: local.platform.url,
    });
    const work = tracer.trace((n: number) => n * 2);
    expect(work(21)).toBe(42);
    const failing = tracer.trace(() => {
      throw new RangeError('boom');
    });
    expect(() => failing()).toThrow(RangeError);
    await tracer.flush(2_000);
    await tracer.shutdown(2_000);
  });
});
