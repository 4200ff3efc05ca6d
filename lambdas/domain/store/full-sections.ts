/**
 * Brings back the whole inputs/outputs of a stored event whose row holds only truncated copies.
 * The writer needs this before applying an update to a stored event: merging into (or re-storing)
 * the truncated copy would replace the full value with its preview in the new version.
 */
import { gunzipSync } from 'node:zlib';
import type { JsonObject, WaggleEvent } from '../events/event';
import type { ObjectStore } from '../ports';

export type EventWithRefs = WaggleEvent & { inputs_ref?: string | null; outputs_ref?: string | null };

/** The event with full sections and without the *_ref fields; the event itself when it has no refs. */
export async function withFullSections(store: ObjectStore, event: EventWithRefs): Promise<WaggleEvent> {
  const { inputs_ref: inputsRef, outputs_ref: outputsRef, ...rest } = event;
  if (!inputsRef && !outputsRef) return rest;
  const [inputs, outputs] = await Promise.all([
    inputsRef ? loadPayload(store, inputsRef) : event.inputs,
    outputsRef ? loadPayload(store, outputsRef) : event.outputs,
  ]);
  return { ...rest, inputs, outputs };
}

export async function loadPayload(store: ObjectStore, key: string): Promise<JsonObject> {
  const body = await store.get(key);
  if (body === undefined) throw new Error(`Payload object ${key} is missing`);
  const value = JSON.parse(gunzipSync(body).toString('utf8')) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`Payload object ${key} does not hold a JSON object`);
  }
  return value as JsonObject;
}
