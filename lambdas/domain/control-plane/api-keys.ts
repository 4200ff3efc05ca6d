/**
 * The API-key lifecycle of a project. The key itself exists only in the create and rotate results
 * (shown once); the store and every change event hold its SHA-256 and a short display prefix.
 */
import { generateApiKey, hashApiKey } from '../auth/api-key';
import type { ApiKeyScope } from '../auth/principal';
import { ConflictError, ValidationError } from '../errors';
import { pickFields } from '../pick-fields';
import { apiKeyChange } from './changes';
import { type ControlPlaneContext, findInProject, isoNow, putAndPublish } from './context';
import { type ApiKey, firstVersion, inProject, nextVersion, type Project } from './model';
import type { ApiKeyView } from './wire-types';

/** `wgl_` plus 4 characters of the random part: enough to tell keys apart, 24 of 256 bits. */
const DISPLAY_PREFIX_LENGTH = 8;
/**
 * Scopes a key gets when none are asked for, everywhere keys are made (API, `npm run keys`): what a
 * new user expects, to send data and read it back. Never admin by default.
 */
export const DEFAULT_KEY_SCOPES: readonly ApiKeyScope[] = ['ingest', 'read'];
/** Longest grace period a rotated key may keep working. */
const MAX_ROTATION_GRACE_SECONDS = 7 * 24 * 3600;

export interface IssuedKey {
  /** The API key; returned once and never stored. */
  key: string;
  record: ApiKey;
}

export type { ApiKeyView };

export async function createKey(
  context: ControlPlaneContext,
  project: Project,
  input: { scopes: ApiKeyScope[]; created_by: string },
): Promise<IssuedKey> {
  const key = generateApiKey();
  return { key, record: await registerKey(context, project, key, input) };
}

/**
 * Stores a key for a project and publishes it, as createKey does for the key it issues. The local
 * platform also registers a key it was given (WAGGLE_LOCAL_API_KEY) this way.
 */
export async function registerKey(
  context: ControlPlaneContext,
  project: Project,
  key: string,
  input: { scopes: readonly ApiKeyScope[]; created_by: string },
): Promise<ApiKey> {
  const record: ApiKey = {
    kind: 'api-key',
    ...inProject(project),
    project_name: project.name,
    id: context.newId(),
    key_hash: hashApiKey(key),
    prefix: key.slice(0, DISPLAY_PREFIX_LENGTH),
    scopes: [...new Set(input.scopes)],
    status: 'active',
    created_by: input.created_by,
    ...firstVersion(isoNow(context)),
  };
  return putKey(context, record);
}

export async function listKeys(context: ControlPlaneContext, project: Project): Promise<ApiKeyView[]> {
  const keys = await context.store.listByOrg('api-key', project.org_id);
  return keys.filter((key) => key.project_id === project.id).map(viewOf);
}

export async function findKey(
  context: ControlPlaneContext,
  project: Project,
  keyId: string,
): Promise<ApiKey> {
  return findInProject(context, 'api-key', project, keyId, 'No such API key');
}

/** Revokes a key; revoking a revoked key changes nothing and publishes nothing. */
export async function revokeKey(context: ControlPlaneContext, key: ApiKey): Promise<ApiKey> {
  if (key.status === 'revoked') return key;
  const now = isoNow(context);
  return putKey(context, nextVersion(key, { status: 'revoked', revoked_at: now }, now));
}

/** Writes a key and publishes it to the data planes. */
export async function putKey(context: ControlPlaneContext, key: ApiKey): Promise<ApiKey> {
  return putAndPublish(context, key, apiKeyChange);
}

/**
 * Issues a new key with the same scopes. The old key is revoked at once, or with a grace period
 * gets `expires_at` (published, for data planes to enforce) and is revoked by revokeExpiredKeys.
 */
export async function rotateKey(
  context: ControlPlaneContext,
  project: Project,
  old: ApiKey,
  input: { graceSeconds: number; created_by: string },
): Promise<{ issued: IssuedKey; old: ApiKey }> {
  if (old.status === 'revoked') throw new ConflictError('A revoked key cannot be rotated');
  if (
    !Number.isInteger(input.graceSeconds) ||
    input.graceSeconds < 0 ||
    input.graceSeconds > MAX_ROTATION_GRACE_SECONDS
  ) {
    throw new ValidationError(`grace_seconds must be an integer from 0 to ${MAX_ROTATION_GRACE_SECONDS}`);
  }
  const issued = await createKey(context, project, { scopes: old.scopes, created_by: input.created_by });
  const now = isoNow(context);
  if (input.graceSeconds === 0) {
    const revoked = nextVersion(
      old,
      { status: 'revoked', revoked_at: now, replaced_by: issued.record.id },
      now,
    );
    return { issued, old: await putKey(context, revoked) };
  }
  const expiresAt = new Date(context.clock() + input.graceSeconds * 1000).toISOString();
  const expiring = nextVersion(old, { expires_at: expiresAt, replaced_by: issued.record.id }, now);
  return { issued, old: await putKey(context, expiring) };
}

/** Revokes an organization's keys whose grace period is over (run on a schedule). */
export async function revokeExpiredKeys(context: ControlPlaneContext, orgId: string): Promise<ApiKey[]> {
  const now = context.clock();
  const revoked: ApiKey[] = [];
  for (const key of await context.store.listByOrg('api-key', orgId)) {
    if (key.status === 'active' && key.expires_at !== undefined && Date.parse(key.expires_at) <= now) {
      revoked.push(await revokeKey(context, key));
    }
  }
  return revoked;
}

/** What the API shows of a key: never its hash. */
export function viewOf(key: ApiKey): ApiKeyView {
  return {
    ...pickFields(key, [
      'id',
      'project_id',
      'prefix',
      'status',
      'created_at',
      'created_by',
      'expires_at',
      'revoked_at',
      'replaced_by',
    ]),
    scopes: [...key.scopes],
  };
}
