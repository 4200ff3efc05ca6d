/** Shared pieces of the alerts tests: a stub resolver, a notification, a channel, a monitor input, in-memory ports. */
import type { ChannelRecord } from '../../../lambdas/domain/alerts/channel';
import type { HostResolver } from '../../../lambdas/domain/alerts/delivery-target';
import { type Notification, testNotification } from '../../../lambdas/domain/alerts/notification';
import type { SecretSealer } from '../../../lambdas/domain/providers/ports';

/**
 * A resolver answering from a table: a list per name, or a list of lists (one per call, the last
 * repeated: DNS rebinding). Names not in the table do not resolve. `calls` counts lookups per name.
 */
export function stubResolver(table: Record<string, string[] | string[][]>) {
  const calls = new Map<string, number>();
  const resolver: HostResolver = async (hostname) => {
    const count = calls.get(hostname) ?? 0;
    calls.set(hostname, count + 1);
    const entry = table[hostname];
    if (entry === undefined) throw new Error(`ENOTFOUND ${hostname}`);
    const answers = (
      Array.isArray(entry[0]) ? (entry[Math.min(count, entry.length - 1)] as string[]) : entry
    ) as string[];
    return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolver, calls };
}

/** A sealer that keeps the context in the "ciphertext" and refuses another on open (the real one is the ESDK). */
export const plainSealer: SecretSealer = {
  async seal(plaintext, context) {
    return new TextEncoder().encode(JSON.stringify({ context, secret: new TextDecoder().decode(plaintext) }));
  },
  async open(ciphertext, context) {
    const sealed = JSON.parse(new TextDecoder().decode(ciphertext)) as { context: unknown; secret: string };
    if (JSON.stringify(sealed.context) !== JSON.stringify(context)) throw new Error('context mismatch');
    return new TextEncoder().encode(sealed.secret);
  },
};

export const NOW = Date.UTC(2026, 11, 4, 10, 0, 0);

export function aNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    ...testNotification({ id: 'msg_1', now: NOW, org_id: 'org1', project_id: 'p1', project_name: 'alpha' }),
    type: 'monitor.state_changed',
    monitor_id: 'mon1',
    monitor_name: 'Model errors',
    value: 12,
    threshold: 10,
    ...overrides,
  };
}

export function aChannel(overrides: Partial<ChannelRecord> = {}): ChannelRecord {
  return {
    kind: 'channel',
    org_id: 'org1',
    id: 'ch1',
    version: 1,
    created_at: new Date(NOW).toISOString(),
    updated_at: new Date(NOW).toISOString(),
    workspace_id: 'w1',
    project_id: 'p1',
    name: 'hook',
    type: 'webhook',
    url: 'https://hooks.example.com/waggle',
    severities: ['critical', 'warning', 'resolution'],
    format: 'standard',
    created_by: 'owner',
    ...overrides,
  };
}

/** A valid monitor body: model events' errors counted over 5 minutes, critical above 0, to channel ch1. */
export const ERROR_COUNT_MONITOR = {
  name: 'model errors',
  event_type: 'model',
  aggregation: 'count',
  field: 'errors',
  window_minutes: 5,
  critical: 0,
  channels: ['ch1'],
};
