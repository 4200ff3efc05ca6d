/**
 * The stacks in another partition: a deployment config whose planes are in the China regions must
 * synthesize ARNs and endpoint URLs of that partition, never the commercial `arn:aws:` or a bare
 * `amazonaws.com` (service principal names, which are the same in every partition, aside).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDeploymentConfig } from '../../lib/config/deployment-config';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { buildTestApp, type TestWaggleApp } from './support/test-app';

let waggle: TestWaggleApp;
let templates: Map<string, Record<string, unknown>>;

beforeAll(() => {
  waggle = buildTestApp(
    parseDeploymentConfig({
      controlPlane: { account: '100000000001', region: 'cn-north-1', url: 'https://cp.waggle.test' },
      dataPlanes: [
        { name: 'bj', account: '200000000002', region: 'cn-north-1', hostingModel: 'multi-tenant' },
        { name: 'nx', account: '300000000003', region: 'cn-northwest-1', hostingModel: 'dedicated' },
      ],
    }),
  );
  templates = new Map(
    [waggle.controlPlane, ...waggle.dataPlanes.values()].map((stack) => [
      stack.stackName,
      Template.fromStack(stack).toJSON(),
    ]),
  );
});

/** Every string in a template with the path of keys that leads to it. */
function strings(value: unknown, path: string[] = []): { path: string[]; text: string }[] {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => strings(item, [...path, String(index)]));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) => strings(item, [...path, key]));
  return [];
}

/** A principal's service name (a policy's Principal.Service, a Lambda permission's Principal). */
function isServicePrincipal(path: string[]): boolean {
  return (path.includes('Principal') && path.includes('Service')) || path.at(-1) === 'Principal';
}

/** Resolves what CloudFormation would for the China partition: Fn::Join over AWS::Partition / AWS::URLSuffix. */
function inChina(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inChina);
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  if (object.Ref === 'AWS::Partition') return 'aws-cn';
  if (object.Ref === 'AWS::URLSuffix') return 'amazonaws.com.cn';
  if (Array.isArray(object['Fn::Join'])) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    const resolved = parts.map(inChina);
    if (resolved.every((part) => typeof part === 'string')) return resolved.join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, inChina(item)]));
}

describe('a deployment in the China partition', () => {
  it('writes no commercial-partition ARN in any stack', () => {
    for (const [name, template] of templates) {
      const literal = strings(template).filter(({ text }) => text.includes('arn:aws:'));
      expect(literal, name).toEqual([]);
    }
  });

  it('uses amazonaws.com.cn for every endpoint; only service principal names say amazonaws.com', () => {
    for (const [name, template] of templates) {
      const commercial = strings(template)
        .filter(({ text }) => /amazonaws\.com(?!\.cn)/.test(text))
        .filter(({ path }) => !isServicePrincipal(path));
      expect(
        commercial.map(({ path, text }) => `${path.join('.')}: ${text}`),
        name,
      ).toEqual([]);
    }
  });

  it('resolves the cross-account names to the China partition: inbox senders, heartbeat queue, KMS via SQS', () => {
    const nx = waggle.dataPlanes.get('nx') as DataPlaneStack;
    const dataPlane = JSON.stringify(inChina(templates.get(nx.stackName)));
    const controlPlane = JSON.stringify(inChina(templates.get(waggle.controlPlane.stackName)));
    const expected: [string, string][] = [
      [dataPlane, 'arn:aws-cn:iam::100000000001:role/waggle-cp-api-cn-north-1'],
      [dataPlane, 'arn:aws-cn:iam::100000000001:role/waggle-cp-sync-cn-north-1'],
      [dataPlane, 'https://sqs.cn-north-1.amazonaws.com.cn/100000000001/waggle-nx-heartbeats'],
      [dataPlane, '"kms:ViaService":"sqs.cn-northwest-1.amazonaws.com.cn"'],
      [controlPlane, 'arn:aws-cn:iam::300000000003:role/waggle-hb-nx-cn-northwest-1'],
      [controlPlane, 'https://sqs.cn-northwest-1.amazonaws.com.cn/300000000003/waggle-nx-inbox'],
      [controlPlane, '"kms:ViaService":"sqs.cn-north-1.amazonaws.com.cn"'],
      // The JWT authorizer trusts the user pool's issuer as Cognito writes it in this partition.
      [controlPlane, '"https://cognito-idp.cn-north-1.amazonaws.com.cn/"'],
    ];
    for (const [template, text] of expected) expect(template.includes(text), text).toBe(true);
  });
});
