import { describe, expect, it } from 'vitest';
import { startSession } from '../../../lambdas/domain/honeyhive';
import { INGESTED_AT, onlyEvent, rejectionOf, testContext } from './context';
import { SESSION_START_RESPONSE_KEYS } from './spec-examples';

const SESSION = {
  session_id: 'caf77ace-3417-4da4-944d-f4a0688f3c23',
  project: 'my-project',
  session_name: 'chat with support',
  source: 'sdk-python',
  user_properties: { user_id: 'u-1' },
  metadata: { tier: 'gold' },
  inputs: { question: 'hi' },
  config: { app_version: '1.2' },
};

describe('startSession (POST /session/start)', () => {
  it('accepts the session as the JSON-encoded string the spec names', () => {
    const ctx = testContext();
    const result = startSession({ session: JSON.stringify(SESSION) }, ctx);
    const session = onlyEvent(result.records);

    // source, user_properties, metadata, inputs and config are stored as sent.
    const { session_id, project: _, session_name, ...asSent } = SESSION;
    expect(result.partial).toBe(false);
    expect(session).toMatchObject({
      org_id: 'org-1',
      workspace_id: 'ws-1',
      project_id: 'proj-1',
      event_id: session_id,
      session_id,
      parent_id: null,
      event_type: 'session',
      event_name: 'chat with support',
      ...asSent,
      start_time: INGESTED_AT,
      version: ctx.version,
    });
  });

  it('accepts the session as an object with the same result', () => {
    const fromString = startSession({ session: JSON.stringify(SESSION) }, testContext());
    expect(startSession({ session: SESSION }, testContext())).toEqual(fromString);
  });

  it('answers with the PostSessionStartResponse fields of the stored session', () => {
    const result = startSession({ session: SESSION }, testContext());
    const session = onlyEvent(result.records);
    const response = result.response as Record<string, unknown>;
    expect(Object.keys(response)).toEqual(SESSION_START_RESPONSE_KEYS);
    for (const key of SESSION_START_RESPONSE_KEYS) {
      expect(response[key]).toEqual(session[key as keyof typeof session]);
    }
  });

  it('generates the session id and names the session after the project when both are absent', () => {
    const session = onlyEvent(startSession({ session: {} }, testContext()).records);
    expect(session).toMatchObject({
      event_id: 'id-1',
      session_id: 'id-1',
      event_name: 'my-project',
      source: 'unknown',
    });
  });

  it('is a session even when the properties claim another event_type', () => {
    const session = onlyEvent(startSession({ session: { event_type: 'model' } }, testContext()).records);
    expect(session.event_type).toBe('session');
  });

  it.each([
    ['no session', {}, 'session is required'],
    ['a session that is a number', { session: 5 }, 'session must be an object'],
    ['a session string that is not JSON', { session: 'not json' }, 'session is a string but not valid JSON'],
    ['a session_id that is a number', { session: { session_id: 12 } }, 'session.session_id must be a string'],
    [
      'user_properties that are a list',
      { session: { user_properties: [] } },
      'session.user_properties must be an object',
    ],
    ['another project', { session: { project: 'someone-else' } }, 'session.project names a project other'],
  ])('rejects %s with 400', (_name, body, message) => {
    const error = rejectionOf(() => startSession(body, testContext()));
    expect(error.status).toBe(400);
    expect(error.message).toContain(message);
  });
});
