import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestWaggleApp } from './support/test-app';

let waggle: TestWaggleApp;

beforeAll(() => {
  waggle = buildTestApp();
});

function allConstructs(root: IConstruct): IConstruct[] {
  return [root, ...root.node.children.flatMap((child) => allConstructs(child))];
}

/** Every `Validations.of(x).acknowledge(...)` in the app, as (construct path, rule id, reason). */
function acknowledgements(root: IConstruct) {
  return allConstructs(root).flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions checks', () => {
  it('are registered on the app by buildWaggleApp', () => {
    expect(waggle.nagPack).toBeInstanceOf(AwsSolutionsChecks);
  });

  it('find no unacknowledged violation in any stack of the app', () => {
    const report = waggle.nagPack?.validateScope(waggle.app);
    const findings = report?.violations.map(
      (violation) =>
        `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('let the whole app synthesize, which runs every registered validation plugin', () => {
    expect(() => waggle.app.synth()).not.toThrow();
  });

  it('give a reason for every acknowledgement', () => {
    const acknowledged = acknowledgements(waggle.app);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledged) {
      expect(reason.trim().length, `acknowledgement ${id} on ${path}`).toBeGreaterThan(20);
    }
  });

  it('acknowledge only the findings that are explained: authorizers, X-Ray, named bucket prefixes, the log bucket, inbox keys', () => {
    const ids = new Set(acknowledgements(waggle.app).map(({ id }) => id.replace(/^Annotation::/, '')));
    const expected = [
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-S1',
      // The failed-run queues of scheduled functions are Lambda on-failure destinations (failed-runs.ts).
      'AwsSolutions-SQS3',
      'CloudFormation-Validate::W9003',
      // CDK's own note on every VPC flow log (the evaluator executor's refused flows): its
      // DestinationOptions are camelCase although the spec lists PascalCase (F3002, F3003).
      'CloudFormation-Validate::F3002',
      'CloudFormation-Validate::F3003',
      // The console's distribution (console-hosting.ts): static app files for every visitor.
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR3',
      'AwsSolutions-CFR4',
      // CDK's BucketDeployment custom resource that uploads the console build (console-hosting.ts).
      'AwsSolutions-L1',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
      'AwsSolutions-IAM5[Action::s3:Abort*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-100000000001-us-east-1/*]',
    ];
    for (const id of ids) {
      const explained =
        expected.includes(id) ||
        // The control plane's senders may use inbox keys in data-plane accounts, by alias (inbox-access.ts).
        /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:kms:[a-z0-9-]+:\d{12}:key\/\*\]$/.test(id) ||
        /^AwsSolutions-IAM5\[Resource::<ConsoleFiles\w+\.Arn>\/\*\]$/.test(id) ||
        // The LLM proxy invokes whichever Bedrock model a request names (llm-proxy.ts).
        id === 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/*]' ||
        id ===
          'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:*:<AWS::AccountId>:inference-profile/*]' ||
        /^AwsSolutions-IAM5\[Resource::<\w+\.Arn>\/(raw\/project_id=|raw\/batches\/|compaction\/changed\/|(raw|overflow|events|tombstones|payloads|locator|event-schemas|scores|rollups|dead-letters|results|compaction|backfills|experiments)\/)\*\]$/.test(
          id,
        ) ||
        // The monitor schedule's role invokes the evaluator and its versions (monitor-evaluator.ts).
        /^AwsSolutions-IAM5\[Resource::<MonitorsFunction\w+\.Arn>:\*\]$/.test(id) ||
        // The backfill and experiment state machines' own executions and Map Runs, named per run (map-workflow.ts).
        /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:[a-z0-9-]+:\d{12}:(execution|mapRun):<(Backfills|Experiments)Workflow\w+\.Name>[:/]\*\]$/.test(
          id,
        );
      expect(explained, `unexpected acknowledgement ${id}`).toBe(true);
    }
  });

  it('do report violations when there are some (the check above can fail)', () => {
    const app = new App();
    new Bucket(new Stack(app, 'Careless'), 'PlainBucket');
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']),
    );
  });
});
