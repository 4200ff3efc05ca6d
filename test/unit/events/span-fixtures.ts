import type { NormalizeContext } from '../../../lambdas/domain/events/normalize-span';
import type { Attributes, OtlpSpan, OtlpSpanEvent } from '../../../lambdas/domain/otlp/model';

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const SPAN_ID = '00f067aa0ba902b7';
export const PARENT_SPAN_ID = '53995c3f42cd8ad8';

export function makeSpan(attributes: Attributes, overrides: Partial<OtlpSpan> = {}): OtlpSpan {
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    parentSpanId: PARENT_SPAN_ID,
    traceState: '',
    name: 'test span',
    kind: 1,
    startTimeUnixMs: 1_763_000_000_000,
    endTimeUnixMs: 1_763_000_001_250.5,
    attributes,
    events: [] as OtlpSpanEvent[],
    links: [],
    statusCode: 0,
    statusMessage: '',
    ...overrides,
  };
}

export function makeContext(overrides: Partial<NormalizeContext> = {}): NormalizeContext {
  return {
    resourceAttributes: { 'service.name': 'support-bot', 'telemetry.sdk.language': 'python' },
    scopeName: 'test-scope',
    scopeVersion: '1.2.3',
    tenant: { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' },
    projectName: 'support-bot',
    ingestedAt: 1_763_000_005_000,
    version: 1_763_000_005_000_000,
    rawArchiveKey: 'raw/proj-1/2025/11/13/req-1.pb.gz',
    ...overrides,
  };
}
