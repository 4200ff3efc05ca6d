/**
 * Request and response examples of HoneyHive's REST contract (its API reference's examples and key
 * lists), written out here as facts the intake tests check against. spec-examples.test.ts runs each
 * one through the honeyhive client's own schemas, so a fixture that drifts from what HoneyHive's SDK
 * sends or accepts fails there.
 */

/** POST /events requestBody example. */
export const CREATE_EVENT_EXAMPLE = {
  event:
    '{"event_type":"model","event_name":"llm_call","inputs":{"prompt":"hello"},"outputs":{"response":"hi"},"config":{"model":"gpt-4","temperature":0.7},"metadata":{"cost":0.00008,"completion_tokens":23,"prompt_tokens":35},"source":"sdk-python","duration":1500,"start_time":1700000000000,"end_time":1700000001500}',
};

/** POST /events 200 response example: the keys a PostEventResponse carries. */
export const CREATE_EVENT_RESPONSE_EXAMPLE = {
  event_id: '7f22137a-6911-4ed3-bc36-110f1dde6b66',
  success: true,
};

/** PUT /events requestBody example. */
export const UPDATE_EVENT_EXAMPLE = {
  event_id: '7f22137a-6911-4ed3-bc36-110f1dde6b66',
  metadata: { cost: 0.00008, completion_tokens: 23, prompt_tokens: 35, total_tokens: 58 },
  feedback: { rating: 5 },
  metrics: { num_words: 2 },
  outputs: { role: 'assistant', content: 'Hello world' },
  config: { template: [{ role: 'system', content: 'Hello, {{ name }}!' }] },
  user_properties: { user_id: '691b1f94-d38c-4e92-b051-5e03fee9ff86' },
  duration: 42,
};

/** POST /events/batch 200 response example. */
export const BATCH_RESPONSE_EXAMPLE = {
  event_ids: ['7f22137a-6911-4ed3-bc36-110f1dde6b66', '7f22137a-6911-4ed3-bc36-110f1dde6b67'],
  session_id: 'caf77ace-3417-4da4-944d-f4a0688f3c23',
  success: true,
};

/** POST /events/batch 500 (partial) response example. */
export const BATCH_PARTIAL_RESPONSE_EXAMPLE = {
  event_ids: ['7f22137a-6911-4ed3-bc36-110f1dde6b66', '7f22137a-6911-4ed3-bc36-110f1dde6b67'],
  errors: ['Could not create event due to missing inputs', 'Could not create event due to missing source'],
  success: true,
};

/** The keys PostSessionStartResponse lists (org_id, workspace_id, project_id required). */
export const SESSION_START_RESPONSE_KEYS = [
  'event_id',
  'session_id',
  'parent_id',
  'children_ids',
  'event_type',
  'event_name',
  'config',
  'inputs',
  'outputs',
  'error',
  'source',
  'duration',
  'user_properties',
  'metrics',
  'feedback',
  'metadata',
  'org_id',
  'workspace_id',
  'project_id',
  'start_time',
  'end_time',
];

/** The keys of one event object in PostEventBatchRequest.events (the spec's LegacyEvent). */
export const LEGACY_EVENT_KEYS = [
  'project',
  'project_id',
  'source',
  'event_name',
  'event_type',
  'event_id',
  'session_id',
  'parent_id',
  'children_ids',
  'config',
  'inputs',
  'outputs',
  'error',
  'start_time',
  'end_time',
  'duration',
  'metadata',
  'feedback',
  'metrics',
  'user_properties',
];
