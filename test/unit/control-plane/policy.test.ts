import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../lambdas/domain/control-plane/actor';
import { type Membership, ROLES, type Role } from '../../../lambdas/domain/control-plane/model';
import { type Action, authorize, ROLE_MATRIX, rank } from '../../../lambdas/domain/control-plane/policy';

function membership(role: Role, workspace_id?: string, org_id = 'org'): Membership {
  return {
    kind: 'membership',
    org_id,
    id: `u#${workspace_id ?? 'org'}`,
    user_id: 'u',
    role,
    workspace_id,
    version: 1,
    created_at: '',
    updated_at: '',
  };
}

const actor = (...memberships: Membership[]): Actor => ({ user_id: 'u', memberships });

describe('authorize', () => {
  it('refuses without an actor, an organization, or a workspace for a workspace action', () => {
    expect(authorize(undefined, 'org.create', {}).allowed).toBe(false);
    expect(authorize(actor(membership('owner')), 'org.read', {}).allowed).toBe(false);
    expect(authorize(actor(membership('owner')), 'project.create', { org_id: 'org' }).allowed).toBe(false);
    expect(authorize(actor(membership('owner')), 'nope' as Action, { org_id: 'org' }).allowed).toBe(false);
  });

  it('an org role applies in every workspace; a workspace role only in its own and never at org level', () => {
    const orgMember = actor(membership('member'));
    expect(authorize(orgMember, 'key.list', { org_id: 'org', workspace_id: 'w9' })).toEqual({
      allowed: true,
      role: 'member',
    });
    const wsAdmin = actor(membership('viewer'), membership('admin', 'w1'));
    expect(authorize(wsAdmin, 'project.create', { org_id: 'org', workspace_id: 'w1' })).toEqual({
      allowed: true,
      role: 'admin',
    });
    expect(authorize(wsAdmin, 'project.create', { org_id: 'org', workspace_id: 'w2' }).allowed).toBe(false);
    expect(authorize(wsAdmin, 'workspace.create', { org_id: 'org' }).allowed).toBe(false);
    // A weaker workspace role never lowers an org role.
    const both = actor(membership('admin'), membership('viewer', 'w1'));
    expect(authorize(both, 'key.create', { org_id: 'org', workspace_id: 'w1' }).allowed).toBe(true);
  });

  it('roles in another organization count for nothing', () => {
    const elsewhere = actor(membership('owner', undefined, 'other'), membership('owner', 'w1', 'other'));
    for (const action of Object.keys(ROLE_MATRIX) as Action[]) {
      if (action === 'org.create') continue;
      expect(authorize(elsewhere, action, { org_id: 'org', workspace_id: 'w1' }).allowed).toBe(false);
    }
  });

  it('is allowed exactly when the org role reaches the matrix minimum, and grants never exceed it', () => {
    const actions = Object.keys(ROLE_MATRIX) as Action[];
    fc.assert(
      fc.property(
        fc.constantFrom(...ROLES),
        fc.constantFrom(...actions),
        fc.option(fc.constantFrom(...ROLES), { nil: undefined }),
        (role, action, grantRole) => {
          const rule = ROLE_MATRIX[action];
          const decision = authorize(actor(membership(role)), action, {
            org_id: 'org',
            workspace_id: 'w1',
            grantRole,
          });
          const expected =
            rule.level === 'authenticated' ||
            (rank(role) >= rank(rule.minRole) && (grantRole === undefined || rank(grantRole) <= rank(role)));
          expect(decision.allowed).toBe(expected);
        },
      ),
    );
  });
});
