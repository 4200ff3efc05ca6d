/**
 * The one authorization decision of the control plane. Every route names an action; the matrix
 * below says at which level (organization or workspace) the action is checked and the weakest
 * role that may do it.
 *
 * Inheritance: a role held at the organization applies in every one of its workspaces, so the
 * role that counts in a workspace is the stronger of the org role and the workspace role.
 * A workspace role never grants anything at organization level.
 */
import type { Actor } from './actor';
import { ROLES, type Role } from './model';

/**
 * - `authenticated`: any signed-in user (creating an organization).
 * - `org`: the role held at the organization.
 * - `org-any`: the strongest role held anywhere in the organization (lists that are then filtered
 *   record by record, so a workspace-only member can list what they can see).
 * - `workspace`: the effective role in the resource's workspace.
 */
type PolicyLevel = 'authenticated' | 'org' | 'org-any' | 'workspace';

interface PolicyRule {
  level: PolicyLevel;
  minRole: Role;
}

export const ROLE_MATRIX = {
  'org.create': { level: 'authenticated', minRole: 'viewer' },
  'org.read': { level: 'org', minRole: 'viewer' },
  'org.update': { level: 'org', minRole: 'admin' },
  'workspace.list': { level: 'org-any', minRole: 'viewer' },
  'workspace.read': { level: 'workspace', minRole: 'viewer' },
  'workspace.create': { level: 'org', minRole: 'admin' },
  'member.list': { level: 'org', minRole: 'member' },
  'member.set-org': { level: 'org', minRole: 'admin' },
  'member.set-workspace': { level: 'workspace', minRole: 'admin' },
  'project.list': { level: 'org-any', minRole: 'viewer' },
  'project.read': { level: 'workspace', minRole: 'viewer' },
  'project.create': { level: 'workspace', minRole: 'admin' },
  'project.update': { level: 'workspace', minRole: 'admin' },
  'project.delete': { level: 'workspace', minRole: 'admin' },
  'key.list': { level: 'workspace', minRole: 'member' },
  'key.create': { level: 'workspace', minRole: 'admin' },
  'key.rotate': { level: 'workspace', minRole: 'admin' },
  'key.revoke': { level: 'workspace', minRole: 'admin' },
  // Configurations and tools are project content, like the events members send: members write them.
  'configuration.write': { level: 'workspace', minRole: 'member' },
  // Notification channels (lambdas/domain/alerts/): members see them, admins change and test them.
  'channel.list': { level: 'workspace', minRole: 'member' },
  'channel.manage': { level: 'workspace', minRole: 'admin' },
  // Monitors (lambdas/domain/alerts/monitors/): project content, like metrics: members write them.
  'monitor.list': { level: 'workspace', minRole: 'viewer' },
  'monitor.manage': { level: 'workspace', minRole: 'member' },
} as const satisfies Record<string, PolicyRule>;

export type Action = keyof typeof ROLE_MATRIX;

export interface Resource {
  org_id?: string;
  workspace_id?: string;
  /**
   * For membership changes: the role being granted, and the role the target holds now. Nobody may
   * grant, change or remove a role stronger than their own, so an admin cannot make an owner.
   */
  grantRole?: Role;
  targetRole?: Role;
}

type Decision = { allowed: true; role: Role } | { allowed: false; reason: string };

export function authorize(actor: Actor | undefined, action: Action, resource: Resource): Decision {
  if (!actor) return deny('not signed in');
  const rule: PolicyRule | undefined = ROLE_MATRIX[action];
  if (!rule) return deny(`unknown action ${String(action)}`);
  if (rule.level === 'authenticated') return { allowed: true, role: rule.minRole };
  if (!resource.org_id) return deny('no organization');
  const role = roleAt(actor, rule.level, resource.org_id, resource.workspace_id);
  if (role === undefined) return deny('not a member');
  if (rank(role) < rank(rule.minRole)) return deny(`${action} needs ${rule.minRole}, actor is ${role}`);
  for (const other of [resource.grantRole, resource.targetRole]) {
    if (other !== undefined && rank(other) > rank(role)) return deny(`cannot manage a ${other} as ${role}`);
  }
  return { allowed: true, role };
}

/** The role that counts for a check at this level; undefined when the actor has none there. */
export function roleAt(
  actor: Actor,
  level: Exclude<PolicyLevel, 'authenticated'>,
  orgId: string,
  workspaceId: string | undefined,
): Role | undefined {
  const inOrg = actor.memberships.filter((membership) => membership.org_id === orgId);
  const orgRole = inOrg.find((membership) => membership.workspace_id === undefined)?.role;
  if (level === 'org') return orgRole;
  if (level === 'org-any') return strongest(inOrg.map((membership) => membership.role));
  // A workspace check without a workspace fails closed rather than falling back to the org role.
  if (workspaceId === undefined) return undefined;
  const workspaceRole = inOrg.find((membership) => membership.workspace_id === workspaceId)?.role;
  return strongest([orgRole, workspaceRole]);
}

export function rank(role: Role): number {
  return ROLES.indexOf(role);
}

function strongest(roles: (Role | undefined)[]): Role | undefined {
  let best: Role | undefined;
  for (const role of roles)
    if (role !== undefined && (best === undefined || rank(role) > rank(best))) best = role;
  return best;
}

function deny(reason: string): Decision {
  return { allowed: false, reason };
}
