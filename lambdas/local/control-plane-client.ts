/**
 * A small client for the control-plane API, as `npm run keys` uses it: sign in (local identity
 * provider) or take a given ID token (Cognito on AWS), find a project by name or id, create a key.
 * Errors say which call failed and what the control plane answered.
 */
import type { ApiKeyScope } from '../domain/auth/principal';

export interface ProjectSummary {
  id: string;
  name: string;
  org_id: string;
  workspace_id: string;
}

export interface CreatedKey {
  key: string;
  id: string;
  project_id: string;
  prefix: string;
  scopes: ApiKeyScope[];
}

/** The control plane could not be reached at all (nothing listens there: the platform is stopped). */
export class ControlPlaneUnreachableError extends Error {
  override readonly name = 'ControlPlaneUnreachableError';
}

export class ControlPlaneClient {
  private constructor(
    readonly url: string,
    private readonly idToken: string,
  ) {}

  static withToken(url: string, idToken: string): ControlPlaneClient {
    return new ControlPlaneClient(url.replace(/\/+$/, ''), idToken);
  }

  /** Signs in with the local identity provider (POST /v1/auth/sign-in). */
  static async signIn(url: string, email: string, password: string): Promise<ControlPlaneClient> {
    const base = url.replace(/\/+$/, '');
    const reply = await call<{ id_token: string }>(`${base}/v1/auth/sign-in`, 'sign-in', {
      method: 'POST',
      body: { email, password },
    });
    return new ControlPlaneClient(base, reply.id_token);
  }

  /** The caller's visible projects (of their only organization, or orgId). */
  listProjects(orgId?: string): Promise<ProjectSummary[]> {
    const query = orgId ? `?org_id=${encodeURIComponent(orgId)}` : '';
    return call(`${this.url}/v1/projects${query}`, 'list projects', { token: this.idToken });
  }

  createKey(projectId: string, scopes: readonly ApiKeyScope[]): Promise<CreatedKey> {
    return call(`${this.url}/v1/projects/${encodeURIComponent(projectId)}/keys`, 'create a key', {
      method: 'POST',
      token: this.idToken,
      body: { scopes },
    });
  }
}

/** The one project named (or with the id) `nameOrId`, or an error listing what there is. */
export function pickProject<P extends ProjectSummary>(projects: readonly P[], nameOrId: string): P {
  const found =
    projects.find((project) => project.id === nameOrId) ??
    projects.find((project) => project.name === nameOrId);
  if (found) return found;
  const known = projects.map((project) => `"${project.name}" (${project.id})`).join(', ') || 'none';
  throw new Error(`no project "${nameOrId}" in the control plane; its projects: ${known}`);
}

async function call<T>(
  url: string,
  what: string,
  options: { method?: string; token?: string; body?: unknown },
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED') throw new ControlPlaneUnreachableError(`nothing answers at ${url}`);
    throw new Error(`${what}: ${url} failed: ${(error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const message = (body as { error?: unknown } | undefined)?.error ?? (text.slice(0, 200) || 'no message');
    throw new Error(`${what}: the control plane answered ${response.status}: ${String(message)}`);
  }
  return body as T;
}
