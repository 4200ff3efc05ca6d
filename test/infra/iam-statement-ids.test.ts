/**
 * IAM refuses a policy in which two statements share a Sid ("Statement IDs (SID) in a single policy
 * must be unique"), and CloudFormation only warns at synth time, so the deploy would fail. CDK merges
 * a role's grants into one policy, so grants from different constructs can collide.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestWaggleApp } from './support/test-app';

let waggle: TestWaggleApp;

beforeAll(() => {
  waggle = buildTestApp();
});

type Statement = { Sid?: string };
type PolicyResource = { Type: string; Properties: Record<string, unknown> };

/** Every policy document of a template: identity policies, resource policies and key policies. */
function policyDocuments(template: Template): [string, { Statement: Statement[] }][] {
  const resources = template.toJSON().Resources as Record<string, PolicyResource>;
  return Object.entries(resources).flatMap(([id, resource]) => {
    // A role's inline policies are a list (a user pool's Policies is its password policy, not one).
    const inline = resource.Properties?.Policies;
    const documents = [
      resource.Properties?.PolicyDocument,
      resource.Properties?.KeyPolicy,
      ...(Array.isArray(inline)
        ? inline.map((policy: { PolicyDocument: unknown }) => policy.PolicyDocument)
        : []),
    ].filter((document): document is { Statement: Statement[] } =>
      Array.isArray((document as { Statement?: unknown })?.Statement),
    );
    return documents.map((document) => [id, document] as [string, { Statement: Statement[] }]);
  });
}

describe('IAM statement ids', () => {
  it('are unique within every policy of every stack', () => {
    const stacks = [waggle.controlPlane, ...waggle.dataPlanes.values()];
    let checked = 0;
    for (const stack of stacks) {
      for (const [id, document] of policyDocuments(Template.fromStack(stack))) {
        const sids = document.Statement.map((statement) => statement.Sid).filter((sid) => sid !== undefined);
        const repeated = sids.filter((sid, index) => sids.indexOf(sid) !== index);
        expect(repeated, `${stack.stackName} ${id}`).toEqual([]);
        checked += 1;
      }
    }
    // The check looked at real policies (the writer's role holds both event-store grants).
    expect(checked).toBeGreaterThan(20);
  });

  it('would catch a repeated Sid (the check above can fail)', () => {
    const sids = ['A', 'B', 'A'];
    expect(sids.filter((sid, index) => sids.indexOf(sid) !== index)).toEqual(['A']);
  });
});
