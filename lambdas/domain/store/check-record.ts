/**
 * A shape check of records coming off the queue. Ingest built them, so a failure here means a bug or
 * a foreign message: the whole message fails (and, after its retries, lands in the dead-letter
 * archive) rather than writing a row the read side would choke on.
 */
import type { EventRecord } from '../events/event';

export class InvalidRecordError extends Error {
  override readonly name = 'InvalidRecordError';
}

export function checkRecord(value: unknown): EventRecord {
  if (!isObject(value)) throw new InvalidRecordError('record is not an object');
  if (value.kind === 'event') {
    const event = objectField(value, 'event');
    checkTenant(event, 'event');
    checkText(event, 'event_id', 'event');
    checkNumber(event, 'version', 'event');
    checkNumber(event, 'start_time', 'event');
    return value as EventRecord;
  }
  if (value.kind === 'update') {
    const update = objectField(value, 'update');
    checkTenant(update, 'update');
    checkText(update, 'event_id', 'update');
    checkNumber(update, 'version', 'update');
    if (!isObject(update.patch)) throw new InvalidRecordError('update.patch is not an object');
    return value as EventRecord;
  }
  if (value.kind === 'tombstone') {
    const tombstone = objectField(value, 'tombstone');
    checkTenant(tombstone, 'tombstone');
    checkText(tombstone, 'id', 'tombstone');
    checkNumber(tombstone, 'deleted_at', 'tombstone');
    if (tombstone.target !== 'event' && tombstone.target !== 'session') {
      throw new InvalidRecordError('tombstone.target is neither "event" nor "session"');
    }
    return value as EventRecord;
  }
  if (value.kind === 'score') {
    const score = objectField(value, 'score');
    checkTenant(score, 'score');
    for (const field of ['score_id', 'event_id', 'session_id', 'evaluator_id', 'evaluator_name', 'source'])
      checkText(score, field, 'score');
    for (const field of ['event_start_time', 'evaluator_version', 'scored_at'])
      checkNumber(score, field, 'score');
    if (score.status !== 'ok' && score.status !== 'error')
      throw new InvalidRecordError('score.status is neither "ok" nor "error"');
    if (!['number', 'boolean', 'string'].includes(typeof score.value) && score.value !== null)
      throw new InvalidRecordError('score.value is not a number, boolean, string or null');
    return value as EventRecord;
  }
  throw new InvalidRecordError(`unknown record kind ${JSON.stringify(value.kind)}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectField(record: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = record[name];
  if (!isObject(value)) throw new InvalidRecordError(`${name} record has no ${name} object`);
  return value;
}

function checkTenant(value: Record<string, unknown>, where: string): void {
  for (const field of ['org_id', 'workspace_id', 'project_id']) checkText(value, field, where);
}

function checkText(value: Record<string, unknown>, field: string, where: string): void {
  if (typeof value[field] !== 'string' || value[field] === '') {
    throw new InvalidRecordError(`${where}.${field} is not a non-empty string`);
  }
}

function checkNumber(value: Record<string, unknown>, field: string, where: string): void {
  const number = value[field];
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw new InvalidRecordError(`${where}.${field} is not a finite number`);
  }
}
