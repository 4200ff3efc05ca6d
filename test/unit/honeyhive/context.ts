import { DomainError } from '../../../lambdas/domain/errors';
import type { EventRecord, WaggleEvent, WaggleEventUpdate } from '../../../lambdas/domain/events/event';
import type { IntakeContext } from '../../../lambdas/domain/honeyhive';
import { type HttpError, httpErrorOf } from '../../../lambdas/http/errors';

export const INGESTED_AT = 1_700_000_500_000;

/** A context whose generated ids are predictable: id-1, id-2, ... */
export function testContext(overrides: Partial<IntakeContext> = {}): IntakeContext {
  let counter = 0;
  return {
    tenant: { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' },
    projectName: 'my-project',
    ingestedAt: INGESTED_AT,
    version: INGESTED_AT * 1000,
    newId: () => {
      counter += 1;
      return `id-${counter}`;
    },
    ...overrides,
  };
}

export function eventsOf(records: EventRecord[]): WaggleEvent[] {
  return records.map((record) => {
    if (record.kind !== 'event') throw new Error(`expected an event record, got ${record.kind}`);
    return record.event;
  });
}

export function onlyEvent(records: EventRecord[]): WaggleEvent {
  const events = eventsOf(records);
  if (events.length !== 1) throw new Error(`expected one event, got ${events.length}`);
  return events[0] as WaggleEvent;
}

export function onlyUpdate(records: EventRecord[]): WaggleEventUpdate {
  const [record] = records;
  if (records.length !== 1 || record?.kind !== 'update') throw new Error('expected one update record');
  return record.update;
}

/**
 * Runs fn and returns the domain error it throws as the HTTP edge answers it (status, message),
 * failing when it throws nothing or something that is not a domain error.
 */
export function rejectionOf(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return httpErrorOf(error) as HttpError;
  }
  throw new Error('expected a rejection, got a result');
}
