/**
 * The response cache's key: a SHA-256 over the canonical JSON (sorted keys, no spaces) of what
 * decides a chat completion's answer, scoped to the project. Two requests share a key only when
 * the same project sends the same routed model, messages, tools and parameters, whatever the key
 * order or spacing they came with. Fields that change how the answer travels or is attributed, not
 * what it says (stream, stream_options, user, metadata), are left out, so a streamed and a
 * non-streamed request can share one cached answer.
 */
import { createHash } from 'node:crypto';
import type { ProjectTenant } from '../providers/resolve';
import { canonicalJson } from '../sync/canonical-json';

/** Request fields that never change the answer's content. */
export const FIELDS_OUTSIDE_CACHE_KEY: readonly string[] = ['stream', 'stream_options', 'user', 'metadata'];

/** Bumped when what goes into the key changes, so old entries are simply never hit again. */
const KEY_VERSION = 'waggle-proxy-cache-v1';

/**
 * @param routedModel the model actually called (`<provider>/<model>` after routing and prompt
 *   configurations), not the name the caller sent
 * @param request the OpenAI chat completion request body (messages, tools, temperature, ...)
 * @returns 64 lower-case hex digits
 */
export function responseCacheKey(
  tenant: ProjectTenant,
  routedModel: string,
  request: Record<string, unknown>,
): string {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(request)) {
    if (name === 'model' || value === undefined || FIELDS_OUTSIDE_CACHE_KEY.includes(name)) continue;
    fields[name] = value;
  }
  const scoped = {
    v: KEY_VERSION,
    tenant: [tenant.org_id, tenant.workspace_id, tenant.project_id],
    model: routedModel,
    request: fields,
  };
  return createHash('sha256')
    .update(canonicalJson(dropUndefined(scoped)), 'utf8')
    .digest('hex');
}

/** JSON.stringify leaves out undefined object fields; canonicalJson refuses them. Do as the wire does. */
function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : dropUndefined(item)));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = dropUndefined(item);
    return out;
  }
  return value;
}
