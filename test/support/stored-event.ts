/**
 * One stored event for read-path tests: every field of WaggleEvent filled (a span of a session
 * with no model, no tokens and empty JSON sections), so a test names only what it is about.
 */
import { plainEvent, type Tenant } from '../../lambdas/domain/events/event';
import type { StoredEvent } from '../../lambdas/domain/query/types';

export function storedEventFixture(
  tenant: Tenant,
  overrides: Partial<StoredEvent> & { event_id: string },
): StoredEvent {
  const start = overrides.start_time ?? 1_000;
  return plainEvent(tenant, {
    version: 1,
    session_id: 's-1',
    event_type: 'chain',
    event_name: 'step',
    source: 'test',
    start_time: start,
    end_time: start + 100,
    duration: 100,
    ingested_at: start + 1_000,
    ...overrides,
  });
}
