/** enrichSpan / enrichSession payloads and their encoding as `honeyhive_*` attributes. */
import type { Attributes } from '@opentelemetry/api';
import type { SessionUpdate } from '../utils/sessions';
import { ATTR, type Encoder, type Section } from './encoder';
import { errorMessage } from './span-end';

export interface EnrichSpanInput {
  metadata?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  feedback?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
  outputs?: unknown;
  config?: Record<string, unknown>;
  userProperties?: Record<string, unknown>;
  /** An Error or a message; recorded as the event's error. */
  error?: unknown;
  eventName?: string;
}

export type EnrichSessionInput = Omit<EnrichSpanInput, 'inputs' | 'eventName'>;

const SECTIONS: [keyof EnrichSpanInput, Section][] = [
  ['metadata', 'metadata'],
  ['metrics', 'metrics'],
  ['feedback', 'feedback'],
  ['inputs', 'inputs'],
  ['outputs', 'outputs'],
  ['config', 'config'],
  ['userProperties', 'user_properties'],
];

export function enrichmentAttributes(encoder: Encoder, input: EnrichSpanInput): Attributes {
  // The first section's object is the result (section() returns a fresh object): one copy fewer.
  let attributes: Attributes | undefined;
  for (let i = 0; i < SECTIONS.length; i++) {
    const [key, section] = SECTIONS[i] as [keyof EnrichSpanInput, Section];
    const value = input[key];
    if (value === undefined) continue;
    const encoded = encoder.section(section, value);
    if (attributes === undefined) attributes = encoded;
    else Object.assign(attributes, encoded);
  }
  attributes ??= {};
  if (input.error !== undefined && input.error !== null) attributes[ATTR.error] = errorMessage(input.error);
  if (input.eventName !== undefined) attributes[ATTR.eventName] = input.eventName;
  return attributes;
}

/** The `PUT /events` body fields for a session event (objects are merged key by key there). */
export function sessionUpdate(encoder: Encoder, input: EnrichSessionInput): SessionUpdate {
  const update: SessionUpdate = {};
  if (input.metadata !== undefined) update.metadata = encoder.json(input.metadata);
  if (input.metrics !== undefined) update.metrics = encoder.json(input.metrics);
  if (input.feedback !== undefined) update.feedback = encoder.json(input.feedback);
  if (input.outputs !== undefined) update.outputs = encoder.json(input.outputs);
  if (input.config !== undefined) update.config = encoder.json(input.config);
  if (input.userProperties !== undefined) update.user_properties = encoder.json(input.userProperties);
  if (input.error !== undefined && input.error !== null) update.error = errorMessage(input.error);
  return update;
}
