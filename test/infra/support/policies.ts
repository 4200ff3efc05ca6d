/** Reading IAM policies out of a synthesized template, for the infra tests that check what a function may do. */
export type TemplateResource = { Type: string; Properties: Record<string, unknown> };
export type PolicyStatement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown };

/** Every statement of the policies attached to a role (by the role's logical id). */
export function statementsOfRole(
  resources: Record<string, TemplateResource>,
  roleId: string,
): PolicyStatement[] {
  return Object.values(resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        (resource.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleId),
    )
    .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement);
}

export const actionsOf = (statement: PolicyStatement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** Every action of a list of statements. */
export const allActions = (statements: PolicyStatement[]): string[] => statements.flatMap(actionsOf);
