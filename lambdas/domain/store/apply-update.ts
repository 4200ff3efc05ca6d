/**
 * Applies a partial update (HoneyHive PUT /events) to the newest known version of its event.
 * Object sections merge key by key (the update's keys win); scalars replace.
 */
import type { JsonObject, WaggleEvent, WaggleEventUpdate } from '../events/event';

const OBJECT_SECTIONS = ['metadata', 'feedback', 'metrics', 'outputs', 'config', 'user_properties'] as const;

export function applyUpdate(base: WaggleEvent, update: WaggleEventUpdate): WaggleEvent {
  const { patch } = update;
  const next: WaggleEvent = {
    ...base,
    // An update older than what it patches still must supersede it: it was applied last.
    version: update.version > base.version ? update.version : base.version + 1,
    ingested_at: update.ingested_at,
  };
  for (const section of OBJECT_SECTIONS) {
    const value = patch[section];
    if (value !== undefined) next[section] = mergeObjects(base[section], value);
  }
  if (patch.error !== undefined) next.error = patch.error;
  if (patch.end_time !== undefined) next.end_time = patch.end_time;
  if (patch.duration !== undefined) next.duration = patch.duration;
  else if (patch.end_time !== undefined) next.duration = Math.max(0, patch.end_time - base.start_time);
  return next;
}

function mergeObjects(base: JsonObject | undefined, patch: JsonObject): JsonObject {
  return { ...(base ?? {}), ...patch };
}
