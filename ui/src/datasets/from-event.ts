/**
 * "Add to dataset": an event (or a session's own event) as a datapoint. Its inputs become the
 * datapoint's inputs and its outputs the ground truth; the datapoint is linked to the event
 * (`linked_event`) and to the chosen dataset (`linked_datasets`), and its metadata says where it came
 * from. A value the read API cut (too large to return whole: `_truncated`) cannot be copied, so such an
 * event is refused with a reason instead of storing a preview as if it were the value.
 */
import type { DatapointCreate, JsonRecord } from '../api/experiments';
import type { WaggleEvent } from '../api/types';
import { isTruncated } from '../event/chat';
import { isJsonRecord } from './json-text';

function holdsTruncated(value: unknown, depth = 0): boolean {
  if (isTruncated(value)) return true;
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  return Object.values(value).some((item) => holdsTruncated(item, depth + 1));
}

/** A section as an object: an object as it is, anything else under `value`, nothing as `{}`. */
function asObject(value: unknown): JsonRecord {
  if (value === undefined || value === null) return {};
  return isJsonRecord(value) ? value : { value };
}

export function datapointFromEvent(
  event: WaggleEvent,
  datasetId: string,
): { body: DatapointCreate; error?: undefined } | { body?: undefined; error: string } {
  if (holdsTruncated(event.inputs) || holdsTruncated(event.outputs))
    return {
      error:
        "This event's inputs or outputs are too large to be shown whole here, so they cannot be copied into a datapoint: export the event and import it instead.",
    };
  return {
    body: {
      inputs: asObject(event.inputs),
      ground_truth: asObject(event.outputs),
      linked_event: event.event_id,
      linked_datasets: [datasetId],
      metadata: {
        event_type: event.event_type,
        event_name: event.event_name,
        session_id: event.session_id,
      },
    },
  };
}
