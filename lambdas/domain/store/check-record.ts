/**
 * A shape check of records coming off the queue. Ingest built them, so a failure here means a bug or
 * a foreign message: the whole message fails (and, after its retries, lands in the dead-letter
 * archive) rather than writing a row the read side would choke on.
 */
import type { EventRecord } from '../events/event';

export class InvalidRecordError extends Error {
  override readonly name = 'InvalidRecordError';
}

/** What a kind's body must hold besides its tenant: non-empty texts, then finite numbers. */
interface RequiredFields {
  texts: readonly string[];
  numbers: readonly string[];
}

const REQUIRED_FIELDS: Record<EventRecord['kind'], RequiredFields> = {
  event: { texts: ['event_id'], numbers: ['version', 'start_time'] },
  update: { texts: ['event_id'], numbers: ['version'] },
  tombstone: { texts: ['id'], numbers: ['deleted_at'] },
  score: {
    texts: ['score_id', 'event_id', 'session_id', 'evaluator_id', 'evaluator_name', 'source'],
    numbers: ['event_start_time', 'evaluator_version', 'scored_at'],
  },
};

export function checkRecord(value: unknown): EventRecord {
  if (!isObject(value)) throw new InvalidRecordError('record is not an object');
  const kind = value.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(REQUIRED_FIELDS, kind))
    throw new InvalidRecordError(`unknown record kind ${JSON.stringify(value.kind)}`);
  const body = objectField(value, kind);
  checkTenant(body, kind);
  const required = REQUIRED_FIELDS[kind as EventRecord['kind']];
  for (const field of required.texts) checkText(body, field, kind);
  for (const field of required.numbers) checkNumber(body, field, kind);
  if (kind === 'update' && !isObject(body.patch))
    throw new InvalidRecordError('update.patch is not an object');
  if (kind === 'tombstone' && body.target !== 'event' && body.target !== 'session')
    throw new InvalidRecordError('tombstone.target is neither "event" nor "session"');
  if (kind === 'score') {
    if (body.status !== 'ok' && body.status !== 'error')
      throw new InvalidRecordError('score.status is neither "ok" nor "error"');
    if (!['number', 'boolean', 'string'].includes(typeof body.value) && body.value !== null)
      throw new InvalidRecordError('score.value is not a number, boolean, string or null');
  }
  return value as EventRecord;
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
