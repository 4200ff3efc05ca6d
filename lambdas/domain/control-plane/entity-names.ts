/**
 * What the control plane's named, synced entities (configurations, metrics) share: a name unique in
 * its project, held by a name-claim record so two creators racing for one name cannot both win, and
 * content that must carry no secret (the sync refuses secret-like fields and values, so a write that
 * holds one is refused here rather than stored and never synced).
 */
import { ConflictError, ValidationError } from '../errors';
import { assertNoSecrets, SyncMessageError } from '../sync/messages';
import { type ControlPlaneContext, isoNow } from './context';
import { firstVersion, type NameClaim } from './model';

/** An entity named uniquely in its project. */
interface NamedEntity {
  id: string;
  org_id: string;
  project_id: string;
  name: string;
}

export interface ProjectNameClaims<Entity extends NamedEntity> {
  /** Claims the entity's name; a ConflictError naming it when another entity of the kind holds it. */
  claim(context: ControlPlaneContext, entity: Entity): Promise<void>;
  /** Releases the entity's name if it still holds it (a new entity may have claimed it since). */
  release(context: ControlPlaneContext, entity: Entity): Promise<void>;
}

/**
 * The name claims of one kind of entity: `label` names the kind in the conflict message, `claimIdOf`
 * makes the claim's id from the project and the name (e.g. configurationNameClaimId).
 */
export function projectNameClaims<Entity extends NamedEntity>(
  label: string,
  claimIdOf: (projectId: string, name: string) => string,
): ProjectNameClaims<Entity> {
  const key = (entity: Entity) => ({
    kind: 'name-claim' as const,
    org_id: entity.org_id,
    id: claimIdOf(entity.project_id, entity.name),
  });
  return {
    async claim(context, entity) {
      const claim: NameClaim = { ...key(entity), owner_id: entity.id, ...firstVersion(isoNow(context)) };
      try {
        await context.store.put(claim);
      } catch (error) {
        if (error instanceof ConflictError)
          throw new ConflictError(`A ${label} named "${entity.name}" exists in this project`);
        throw error;
      }
    },
    async release(context, entity) {
      const claim = await context.store.get(key(entity));
      if (claim?.owner_id === entity.id) await context.store.delete(key(entity), claim.version);
    },
  };
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
