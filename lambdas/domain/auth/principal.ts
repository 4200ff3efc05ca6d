import type { Tenant } from '../events/event';

export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** The registry's record of one API key. Only the SHA-256 of the key is ever stored. */
export interface ApiKeyRecord extends Tenant {
  /** Lowercase hex SHA-256 of the full key string. */
  keyHash: string;
  /** Project name as clients know it (HoneyHive `project` field); events are stored under project_id. */
  projectName: string;
  scopes: ApiKeyScope[];
  revoked: boolean;
  createdAt: number;
  /** Epoch ms from which the key is refused (a rotated key's grace period ends); absent: no expiry. */
  expiresAt?: number;
}

/** Who is calling, after authentication. */
export interface Principal extends Tenant {
  projectName: string;
  scopes: ApiKeyScope[];
  keyHash: string;
}
