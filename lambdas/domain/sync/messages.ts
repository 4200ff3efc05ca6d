/**
 * The sync messages the control plane sends to a data plane's inbox, version 1. A message says
 * "entity <kind>/<entityId> is now at entityVersion, with this payload". Payloads carry hashes
 * only: an API key travels as the SHA-256 the registry stores, never as the key.
 * Validation is strict (unknown fields, kinds or versions are refused) so that a data plane never
 * applies something it only half understands.
 */

import { monitorPayloadProblem } from '../alerts/monitors/synced';
import { API_KEY_SCOPES, type ApiKeyScope } from '../auth/principal';
import { promptPayloadProblem, toolPayloadProblem } from '../configurations/synced';
import { evaluatorPayloadProblem } from '../evaluators/definitions/synced';
import { isPlainObject, type JsonObject } from './canonical-json';

export const SYNC_MESSAGE_VERSION = 1;

export const ENTITY_KINDS = ['project', 'api-key', 'evaluator', 'prompt', 'alert', 'tool'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];
/** Entities the data plane keeps in its ConfigStore (API keys go to the KeyRegistry). */
export type ConfigKind = Exclude<EntityKind, 'api-key'>;

const SYNC_KINDS = [
  'project.upserted',
  'project.deleted',
  'api-key.upserted',
  'api-key.revoked',
  'evaluator.upserted',
  'evaluator.deleted',
  'prompt.upserted',
  'prompt.deleted',
  'alert.upserted',
  'alert.deleted',
  'tool.upserted',
  'tool.deleted',
] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];

export interface SyncMessage {
  v: typeof SYNC_MESSAGE_VERSION;
  dataPlaneId: string;
  /** Assigned by the control plane, strictly increasing per data plane; a watermark, not an order. */
  seq: number;
  /** Epoch ms at which the control plane signed the message. */
  issuedAt: number;
  kind: SyncKind;
  entityId: string;
  /** The entity's version; for one entity a higher version always describes a later state. */
  entityVersion: number;
  payload: JsonObject;
}

/** What an inbox message body holds: the message and a detached signature over its canonical JSON. */
export interface SignedSyncMessage {
  message: SyncMessage;
  /** Which control-plane key signed (so a rotation can verify with the previous key for a while). */
  keyId: string;
  /** Base64url of the DER-encoded ECDSA P-256 / SHA-256 signature of canonicalJson(message). */
  signature: string;
}

/**
 * The API-key payload: an ApiKeyRecord's fields, plus what the control plane's change carries
 * (lambdas/domain/control-plane/changes.ts): its key id, the revoked flag (which must agree with
 * the kind) and, for a rotated key, when it expires.
 */
export interface ApiKeyPayload {
  key_id?: string;
  revoked?: boolean;
  /** Epoch ms after which the key must be refused. */
  expiresAt?: number;
  keyHash: string;
  org_id: string;
  workspace_id: string;
  project_id: string;
  projectName: string;
  scopes: ApiKeyScope[];
  createdAt: number;
}

export class SyncMessageError extends Error {
  override readonly name = 'SyncMessageError';
}

const MESSAGE_FIELDS = [
  'v',
  'dataPlaneId',
  'seq',
  'issuedAt',
  'kind',
  'entityId',
  'entityVersion',
  'payload',
] as const;
const API_KEY_FIELDS = [
  'keyHash',
  'org_id',
  'workspace_id',
  'project_id',
  'projectName',
  'scopes',
  'createdAt',
] as const;
const OPTIONAL_API_KEY_FIELDS = ['key_id', 'revoked', 'expiresAt'] as const;
const DATA_PLANE_ID = /^[A-Za-z0-9._-]{1,128}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what an id must not hold.
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F]/;
const MAX_ID_LENGTH = 256;
const KEY_HASH = /^[0-9a-f]{64}$/;
/** Field names that suggest a secret; such a payload is refused on both planes. */
const SECRET_FIELD = /secret|passw(or)?d|private[-_]?key|credential|^api[-_]?key$|^token$/i;
/** A Waggle API key or a PEM block in any string: the secret itself, which must never travel. */
const SECRET_VALUE = /wgl_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

export function entityKindOf(kind: SyncKind): EntityKind {
  return kind.slice(0, kind.indexOf('.')) as EntityKind;
}

function isSyncKind(value: unknown): value is SyncKind {
  return (SYNC_KINDS as readonly unknown[]).includes(value);
}

/** Checks every field of a message and returns it typed; throws SyncMessageError naming the first problem. */
export function checkSyncMessage(value: unknown): SyncMessage {
  if (!isPlainObject(value)) throw new SyncMessageError('message is not an object');
  for (const key of Object.keys(value)) {
    if (!(MESSAGE_FIELDS as readonly string[]).includes(key))
      throw new SyncMessageError(`unknown field "${key}"`);
  }
  if (value.v !== SYNC_MESSAGE_VERSION) throw new SyncMessageError('unsupported message version');
  const dataPlaneId = value.dataPlaneId;
  if (typeof dataPlaneId !== 'string' || !DATA_PLANE_ID.test(dataPlaneId))
    throw new SyncMessageError('bad dataPlaneId');
  const seq = requireCount(value.seq, 'seq', 1);
  const issuedAt = requireCount(value.issuedAt, 'issuedAt', 0);
  const entityVersion = requireCount(value.entityVersion, 'entityVersion', 1);
  if (!isSyncKind(value.kind)) throw new SyncMessageError('unknown kind');
  const entityId = value.entityId;
  if (
    typeof entityId !== 'string' ||
    entityId.length === 0 ||
    entityId.length > MAX_ID_LENGTH ||
    CONTROL_CHARACTERS.test(entityId)
  )
    throw new SyncMessageError('bad entityId');
  if (!isPlainObject(value.payload)) throw new SyncMessageError('payload is not an object');
  const payload = value.payload as JsonObject;
  assertNoSecrets(payload);
  const entityKind = entityKindOf(value.kind);
  if (entityKind === 'api-key') checkApiKeyPayload(payload, entityId, value.kind === 'api-key.revoked');
  // Configurations, tools and metrics are read by the proxy, the HoneyHive API and online
  // evaluation: held to their own shapes.
  const problem =
    entityKind === 'prompt'
      ? promptPayloadProblem(payload, entityId)
      : entityKind === 'tool'
        ? toolPayloadProblem(payload, entityId)
        : entityKind === 'evaluator'
          ? evaluatorPayloadProblem(payload, entityId)
          : entityKind === 'alert'
            ? monitorPayloadProblem(payload, entityId)
            : undefined;
  if (problem !== undefined) throw new SyncMessageError(`${entityKind} payload: ${problem}`);
  return {
    v: SYNC_MESSAGE_VERSION,
    dataPlaneId,
    seq,
    issuedAt,
    kind: value.kind,
    entityId,
    entityVersion,
    payload,
  };
}

/** Throws when a payload holds a field named like a secret or a string that is one. */
export function assertNoSecrets(value: unknown, path = 'payload'): void {
  if (typeof value === 'string') {
    if (SECRET_VALUE.test(value)) throw new SyncMessageError(`${path} holds a secret`);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      assertNoSecrets(item, `${path}[${index}]`);
    });
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (SECRET_FIELD.test(key)) throw new SyncMessageError(`${path}.${key} is named like a secret`);
      assertNoSecrets(item, `${path}.${key}`);
    }
  }
}

function checkApiKeyPayload(payload: JsonObject, entityId: string, revokedKind: boolean): void {
  const keys = Object.keys(payload);
  const allowed: readonly string[] = [...API_KEY_FIELDS, ...OPTIONAL_API_KEY_FIELDS];
  if (!API_KEY_FIELDS.every((field) => keys.includes(field)) || !keys.every((key) => allowed.includes(key)))
    throw new SyncMessageError(
      `api-key payload must have ${API_KEY_FIELDS.join(', ')} and at most ${OPTIONAL_API_KEY_FIELDS.join(', ')}`,
    );
  if (
    payload.key_id !== undefined &&
    (typeof payload.key_id !== 'string' || payload.key_id.length > MAX_ID_LENGTH)
  )
    throw new SyncMessageError('api-key payload key_id is not a string');
  // A flag contradicting the kind means a confused sender; neither reading is safe to apply.
  if (payload.revoked !== undefined && payload.revoked !== revokedKind)
    throw new SyncMessageError('api-key payload revoked flag contradicts the message kind');
  if (payload.expiresAt !== undefined) requireCount(payload.expiresAt, 'expiresAt', 0);
  if (typeof payload.keyHash !== 'string' || !KEY_HASH.test(payload.keyHash))
    throw new SyncMessageError('api-key payload keyHash is not a lowercase hex SHA-256');
  // The entity id is what ordering is tracked by; a payload for another key would dodge that.
  if (payload.keyHash !== entityId) throw new SyncMessageError('api-key entityId differs from keyHash');
  for (const field of ['org_id', 'workspace_id', 'project_id', 'projectName'] as const) {
    const text = payload[field];
    if (typeof text !== 'string' || text.length === 0 || text.length > MAX_ID_LENGTH)
      throw new SyncMessageError(`api-key payload ${field} is not a non-empty string`);
  }
  const scopes = payload.scopes;
  if (
    !Array.isArray(scopes) ||
    !scopes.every((scope) => (API_KEY_SCOPES as readonly unknown[]).includes(scope))
  )
    throw new SyncMessageError('api-key payload scopes are not known scopes');
  requireCount(payload.createdAt, 'createdAt', 0);
}

function requireCount(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw new SyncMessageError(`${name} is not an integer >= ${min}`);
  return value;
}
