/**
 * Who is calling the control plane: an authenticated user and the memberships the store holds for
 * them. Memberships come from the store on every request, never from token claims, so a role
 * removed a moment ago is not honoured from a still-valid token.
 */
import type { Membership } from './model';
import type { ControlPlaneStore } from './store';

export interface Actor {
  user_id: string;
  email?: string;
  memberships: Membership[];
}

/** Identity claims as an HTTP API JWT authorizer passes them (`requestContext.authorizer.jwt.claims`). */
export type JwtClaims = Record<string, string | number | boolean | string[] | undefined>;

/** The actor for verified JWT claims, or undefined without a usable `sub` (fail closed). */
export async function actorFromClaims(
  claims: JwtClaims | undefined,
  store: ControlPlaneStore,
): Promise<Actor | undefined> {
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub.trim() === '') return undefined;
  const email = typeof claims?.email === 'string' ? claims.email : undefined;
  return { user_id: sub, email, memberships: await store.membershipsOfUser(sub) };
}
