import { describe, expect, it } from 'vitest';
import { updateEvent } from '../../../lambdas/domain/honeyhive';
import { INGESTED_AT, onlyUpdate, rejectionOf, testContext } from './context';
import { UPDATE_EVENT_EXAMPLE } from './spec-examples';

describe('updateEvent (PUT /events)', () => {
  it('turns the spec example into an update record versioned by the context', () => {
    const ctx = testContext();
    const result = updateEvent(UPDATE_EVENT_EXAMPLE, ctx);
    const update = onlyUpdate(result.records);
    const { event_id, ...patch } = UPDATE_EVENT_EXAMPLE;

    expect(result.partial).toBe(false);
    expect(result.response).toEqual({ success: true, event_id });
    expect(update).toEqual({
      org_id: 'org-1',
      workspace_id: 'ws-1',
      project_id: 'proj-1',
      event_id,
      version: ctx.version,
      ingested_at: INGESTED_AT,
      patch,
    });
  });

  it('carries only the fields that were sent', () => {
    const update = onlyUpdate(
      updateEvent({ event_id: 'e-1', feedback: { liked: true } }, testContext()).records,
    );
    expect(update.patch).toEqual({ feedback: { liked: true } });
  });

  it('accepts end_time and error, and error null clears an error', () => {
    const update = onlyUpdate(
      updateEvent({ event_id: 'e-1', end_time: 5000, error: null }, testContext()).records,
    );
    expect(update.patch).toEqual({ end_time: 5000, error: null });
  });

  it('ignores fields that cannot be updated but still needs one that can', () => {
    const update = onlyUpdate(
      updateEvent({ event_id: 'e-1', inputs: { x: 1 }, metrics: { m: 1 } }, testContext()).records,
    );
    expect(update.patch).toEqual({ metrics: { m: 1 } });
    const error = rejectionOf(() => updateEvent({ event_id: 'e-1', inputs: { x: 1 } }, testContext()));
    expect(error.status).toBe(400);
    expect(error.message).toContain('nothing to update');
  });

  it.each([
    ['a body that is a string', 'x', 'body must be an object'],
    ['no event_id', { metadata: {} }, 'event_id is required'],
    ['a numeric event_id', { event_id: 1, metadata: {} }, 'event_id must be a string'],
    ['an over-long event_id', { event_id: 'e'.repeat(200), metadata: {} }, 'event_id is longer than 128'],
    ['metadata that is a string', { event_id: 'e', metadata: 'x' }, 'metadata must be an object'],
    ['a string duration', { event_id: 'e', duration: '42' }, 'duration must be a finite number'],
    ['a negative duration', { event_id: 'e', duration: -5 }, 'duration must not be negative'],
    ['another project', { event_id: 'e', metrics: {}, project: 'nope' }, 'project names a project other'],
  ])('rejects %s with 400', (_name, body, message) => {
    const error = rejectionOf(() => updateEvent(body, testContext()));
    expect(error.status).toBe(400);
    expect(error.message).toContain(message);
  });
});
