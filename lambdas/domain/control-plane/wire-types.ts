/**
 * Control-plane API shapes the console reads too. The console imports this file with `import type`
 * only (erased by its build: no platform code enters its bundle); it imports nothing but the scope
 * type, so the console's typecheck reads only it, auth/principal.ts and events/event.ts.
 */
import type { ApiKeyScope } from '../auth/principal';

/** What listing shows of a key: never the key, nor (needlessly) its hash. */
export interface ApiKeyView {
  id: string;
  project_id: string;
  prefix: string;
  scopes: ApiKeyScope[];
  status: 'active' | 'revoked';
  created_at: string;
  created_by: string;
  expires_at?: string;
  revoked_at?: string;
  replaced_by?: string;
}
