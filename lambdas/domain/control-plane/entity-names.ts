/**
 * What the control plane's named, synced entities (configurations, metrics) share: a name unique in
 * its project, held by a name-claim record so two creators racing for one name cannot both win, and
 * content that must carry no secret (the sync refuses secret-like fields and values, so a write that
 * holds one is refused here rather than stored and never synced).
 */
import { ConflictError, ValidationError } from '../errors';
import { assertNoSecrets, SyncMessageError } from '../sync/messages';
import { type ControlPlaneContext, isoNow } from './context';
import type { NameClaim } from './model';

export interface NameClaimRef {
  org_id: string;
  /** The claim's id: the project and the name (e.g. configurationNameClaimId). */
  claimId: string;
  /** The id of the entity that holds the name. */
  ownerId: string;
}

/** Claims the name for its owner; a ConflictError with `conflictMessage` when another holds it. */
export async function claimEntityName(
  context: ControlPlaneContext,
  ref: NameClaimRef,
  conflictMessage: string,
): Promise<void> {
  const now = isoNow(context);
  const claim: NameClaim = {
    kind: 'name-claim',
    org_id: ref.org_id,
    id: ref.claimId,
    owner_id: ref.ownerId,
    version: 1,
    created_at: now,
    updated_at: now,
  };
  try {
    await context.store.put(claim);
  } catch (error) {
    if (error instanceof ConflictError) throw new ConflictError(conflictMessage);
    throw error;
  }
}

/** Releases the name if its owner still holds it (a new entity may have claimed it since). */
export async function releaseEntityName(context: ControlPlaneContext, ref: NameClaimRef): Promise<void> {
  const key = { kind: 'name-claim' as const, org_id: ref.org_id, id: ref.claimId };
  const claim = await context.store.get(key);
  if (claim?.owner_id === ref.ownerId) await context.store.delete(key, claim.version);
}

/** Refuses content with a secret-like field or value as a ValidationError naming the field, with advice. */
export function refuseSecrets(content: unknown, subject: string, advice: string): void {
  try {
    assertNoSecrets(content, subject);
  } catch (error) {
    if (error instanceof SyncMessageError)
      throw new ValidationError(
        `${error.message.replace(new RegExp(`^${subject}\\.?`), 'field ')}: ${advice}`,
      );
    throw error;
  }
}
