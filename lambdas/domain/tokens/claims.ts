/**
 * What a control-plane token says. Short names follow JWT habit; the data plane maps them onto its
 * tenant fields (org -> org_id, workspace -> workspace_id, projects -> the project ids it may touch).
 */
const TOKEN_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** Tokens live at most 15 minutes: a leaked token is useless soon, and revocation needs no deny-list. */
export const MAX_TOKEN_TTL_SECONDS = 900;

/** What the caller decides; the issuer adds iat, nbf, exp and jti. */
export interface TokenSubject {
  /** The control plane's URL (the `iss` every data plane expects). */
  iss: string;
  /** The data plane id this token is for; no other data plane accepts it. */
  aud: string;
  /** The user (or service) the token speaks for. */
  sub: string;
  org: string;
  workspace: string;
  /** Project ids inside `workspace` the bearer may touch. */
  projects: string[];
  role: TokenRole;
}

export interface TokenClaims extends TokenSubject {
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
}

export function isTokenRole(value: unknown): value is TokenRole {
  return typeof value === 'string' && (TOKEN_ROLES as readonly string[]).includes(value);
}
