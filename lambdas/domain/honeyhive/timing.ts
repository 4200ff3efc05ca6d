import { fieldPath, invalidField } from './fields';
import { MAX_EPOCH_MS } from './limits';

export interface EventTiming {
  start_time: number;
  end_time: number;
  duration: number;
}

interface GivenTiming {
  start_time?: number | undefined;
  end_time?: number | undefined;
  duration?: number | undefined;
}

/**
 * Completes start, end and duration from whatever subset the client sent, so that always
 * end_time = start_time + duration. When start and end are both given they win over a given duration.
 * A missing start defaults to the time of ingestion (`ingestedAt`), as the HoneyHive API does.
 */
export function resolveTiming(given: GivenTiming, ingestedAt: number, parent: string): EventTiming {
  const { start_time: start, end_time: end, duration } = given;
  if (start !== undefined && end !== undefined) {
    if (end < start) throw invalidField(fieldPath(parent, 'end_time'), 'must not be before start_time');
    return { start_time: start, end_time: end, duration: end - start };
  }
  if (end !== undefined) {
    const length = duration ?? 0;
    if (length > end) throw invalidField(fieldPath(parent, 'duration'), 'is longer than end_time allows');
    return { start_time: end - length, end_time: end, duration: length };
  }
  const begin = start ?? ingestedAt;
  const length = duration ?? 0;
  if (begin + length > MAX_EPOCH_MS) {
    throw invalidField(fieldPath(parent, 'duration'), 'puts end_time after the year 9999');
  }
  return { start_time: begin, end_time: begin + length, duration: length };
}
