/**
 * Organizations, workspaces and memberships. Callers authorize first (policy.ts); these functions
 * only keep the records consistent: an organization always has a default workspace and an owner,
 * and its last owner can be neither removed nor demoted.
 */
import { ConflictError } from '../errors';
import { type ControlPlaneContext, isoNow } from './context';
import {
  firstVersion,
  type Membership,
  membershipId,
  nextVersion,
  type Organization,
  type Role,
  type Workspace,
} from './model';

interface CreatedOrganization {
  organization: Organization;
  workspace: Workspace;
  owner: Membership;
}

/** Creates an organization with a default workspace and makes the creator its owner. */
export async function createOrganization(
  context: ControlPlaneContext,
  creator: { user_id: string; email?: string },
  input: { name: string; workspaceName?: string },
): Promise<CreatedOrganization> {
  const now = isoNow(context);
  const orgId = context.newId();
  const workspaceId = context.newId();
  const base = { org_id: orgId, ...firstVersion(now) };
  const organization: Organization = {
    ...base,
    kind: 'organization',
    id: orgId,
    name: input.name,
    default_workspace_id: workspaceId,
  };
  const workspace: Workspace = {
    ...base,
    kind: 'workspace',
    id: workspaceId,
    name: input.workspaceName ?? 'Default',
  };
  const owner: Membership = {
    ...base,
    kind: 'membership',
    id: membershipId(creator.user_id),
    user_id: creator.user_id,
    role: 'owner',
  };
  if (creator.email !== undefined) owner.email = creator.email;
  // Owner last: until it exists nobody can see the half-made organization, so a failure part way
  // leaves only unreachable records behind.
  await context.store.put(organization);
  await context.store.put(workspace);
  await context.store.put(owner);
  return { organization, workspace, owner };
}

export async function renameOrganization(
  context: ControlPlaneContext,
  organization: Organization,
  name: string,
): Promise<Organization> {
  const updated = nextVersion(organization, { name }, isoNow(context));
  await context.store.put(updated);
  return updated;
}

export async function createWorkspace(
  context: ControlPlaneContext,
  orgId: string,
  input: { name: string },
): Promise<Workspace> {
  const workspace: Workspace = {
    kind: 'workspace',
    org_id: orgId,
    id: context.newId(),
    name: input.name,
    ...firstVersion(isoNow(context)),
  };
  await context.store.put(workspace);
  return workspace;
}

/** Grants (or changes) a user's role at the organization or in one workspace. */
export async function setMembership(
  context: ControlPlaneContext,
  input: { org_id: string; user_id: string; email?: string; workspace_id?: string; role: Role },
): Promise<Membership> {
  const ref = {
    kind: 'membership' as const,
    org_id: input.org_id,
    id: membershipId(input.user_id, input.workspace_id),
  };
  const existing = await context.store.get(ref);
  const now = isoNow(context);
  if (existing) {
    if (existing.role === 'owner' && input.role !== 'owner') await requireAnotherOwner(context, existing);
    const updated = nextVersion(existing, { role: input.role, email: input.email ?? existing.email }, now);
    await context.store.put(updated);
    return updated;
  }
  const membership: Membership = {
    ...ref,
    user_id: input.user_id,
    role: input.role,
    ...firstVersion(now),
  };
  if (input.email !== undefined) membership.email = input.email;
  if (input.workspace_id !== undefined) membership.workspace_id = input.workspace_id;
  await context.store.put(membership);
  return membership;
}

export async function removeMembership(context: ControlPlaneContext, membership: Membership): Promise<void> {
  if (membership.role === 'owner') await requireAnotherOwner(context, membership);
  await context.store.delete(membership, membership.version);
}

/** An organization without an owner could never be administered again. */
async function requireAnotherOwner(context: ControlPlaneContext, leaving: Membership): Promise<void> {
  if (leaving.workspace_id !== undefined) return;
  const owners = (await context.store.listByOrg('membership', leaving.org_id)).filter(
    (membership) => membership.workspace_id === undefined && membership.role === 'owner',
  );
  if (!owners.some((owner) => owner.user_id !== leaving.user_id)) {
    throw new ConflictError('An organization must keep at least one owner');
  }
}
