import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  type DeploymentConfig,
  loadDeploymentConfig,
  parseDeploymentConfig,
  type SigningKeysConfig,
} from '../../lib/config/deployment-config';
import type { ControlPlaneStack } from '../../lib/control-plane/control-plane-stack';
import { buildTestApp, TWO_DATA_PLANES_CONFIG } from './support/test-app';

type Statement = Record<string, unknown>;

function controlPlaneWith(signingKeys?: SigningKeysConfig) {
  const base = loadDeploymentConfig(TWO_DATA_PLANES_CONFIG);
  const config: DeploymentConfig = {
    ...base,
    controlPlane: { ...base.controlPlane, ...(signingKeys && { signingKeys }) },
  };
  const stack = buildTestApp(config).controlPlane as ControlPlaneStack;
  const template = Template.fromStack(stack);
  const signingFunctions = [
    stack.api.tokenFunction,
    stack.api.apiFunction,
    stack.reconciler.reconcileFunction,
  ];
  const statementsOf = (fn: (typeof signingFunctions)[number]): Statement[] => {
    const roleId = stack.getLogicalId(fn.role.node.defaultChild as never);
    return Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  };
  const environmentOf = (fn: (typeof signingFunctions)[number]): Record<string, unknown> => {
    const id = stack.getLogicalId(fn.function.node.defaultChild as never);
    return template.toJSON().Resources[id].Properties.Environment.Variables;
  };
  return { stack, template, signingFunctions, statementsOf, environmentOf };
}

const SIGN_CONDITION = { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } };

describe('signing key ring outside a rotation (the default, key "a")', () => {
  const { stack, template, signingFunctions, statementsOf, environmentOf } = controlPlaneWith();
  const keyArn = stack.resolve(stack.signingKey.key.keyArn);

  it('has one signing key, under the logical id of the key deployed before the key ring', () => {
    const keys = template.findResources('AWS::KMS::Key', { Properties: { KeySpec: 'ECC_NIST_P256' } });
    expect(Object.keys(keys)).toEqual([stack.getLogicalId(stack.signingKey.key.node.defaultChild as never)]);
    expect(stack.signingKey.key.node.path).toMatch(/\/SigningKey\/Key$/);
    expect(stack.signingKey.previousKey).toBeUndefined();
  });

  it('gives no function a previous key', () => {
    for (const fn of signingFunctions) {
      expect(environmentOf(fn)).not.toHaveProperty('PREVIOUS_SIGNING_KEY_ARN');
      expect(environmentOf(fn)).not.toHaveProperty('PREVIOUS_SIGNING_KEY_KID');
    }
    expect(statementsOf(stack.api.tokenFunction)).toContainEqual(
      expect.objectContaining({ Action: 'kms:GetPublicKey', Resource: keyArn }),
    );
  });
});

describe('signing key ring during a rotation from "a" to "b"', () => {
  const before = controlPlaneWith();
  const { stack, template, signingFunctions, statementsOf, environmentOf } = controlPlaneWith({
    current: 'b',
    previous: 'a',
  });
  const current = stack.signingKey.key;
  const previous = stack.signingKey.previousKey;
  const currentArn = stack.resolve(current.keyArn);
  const previousArn = stack.resolve(previous?.keyArn);

  it('manages both keys, both ECC_NIST_P256 SIGN_VERIFY and retained; "a" keeps its logical id', () => {
    const keys = template.findResources('AWS::KMS::Key', {
      Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
    });
    expect(Object.keys(keys)).toHaveLength(2);
    for (const key of Object.values(keys)) expect(key.DeletionPolicy).toBe('Retain');
    expect(previous).toBeDefined();
    expect(stack.getLogicalId(previous?.node.defaultChild as never)).toBe(
      before.stack.getLogicalId(before.stack.signingKey.key.node.defaultChild as never),
    );
    expect(currentArn).not.toEqual(previousArn);
  });

  it('points the alias at the new current key', () => {
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/waggle-control-plane-signing',
      TargetKeyId: currentArn,
    });
  });

  it('publishes both keys in the JWKS: the token function gets both, and GetPublicKey on both', () => {
    const env = environmentOf(stack.api.tokenFunction);
    expect(env).toMatchObject({
      SIGNING_KEY_ARN: currentArn,
      SIGNING_KEY_KID: stack.resolve(current.keyId),
      PREVIOUS_SIGNING_KEY_ARN: previousArn,
      PREVIOUS_SIGNING_KEY_KID: stack.resolve(previous?.keyId),
    });
    expect(statementsOf(stack.api.tokenFunction)).toContainEqual({
      Sid: 'ReadControlPlanePublicKey',
      Action: 'kms:GetPublicKey',
      Effect: 'Allow',
      Resource: [currentArn, previousArn],
    });
  });

  it('signs tokens and sync messages with the current key only: kms:Sign is granted on it and nothing else', () => {
    for (const fn of signingFunctions) {
      const statements = statementsOf(fn);
      const signing = statements.filter((statement) => JSON.stringify(statement.Action).includes('kms:Sign'));
      expect(signing).toEqual([
        {
          Sid: 'SignWithControlPlaneKey',
          Action: 'kms:Sign',
          Effect: 'Allow',
          Resource: currentArn,
          Condition: SIGN_CONDITION,
        },
      ]);
      expect(environmentOf(fn)).toMatchObject({ SIGNING_KEY_ARN: currentArn });
    }
  });

  it('lets only the token function read the previous public key; the sync senders never see it', () => {
    for (const fn of [stack.api.apiFunction, stack.reconciler.reconcileFunction]) {
      expect(environmentOf(fn)).not.toHaveProperty('PREVIOUS_SIGNING_KEY_ARN');
      const mentionsPrevious = statementsOf(fn).filter((statement) =>
        JSON.stringify(statement.Resource).includes(JSON.stringify(previousArn)),
      );
      expect(mentionsPrevious).toEqual([]);
    }
  });
});

describe('signing key ring after the rotation (previous dropped)', () => {
  const { stack, template } = controlPlaneWith({ current: 'b' });

  it('keeps only "b" in the template; the dropped key is retained in the account, not deleted', () => {
    const keys = template.findResources('AWS::KMS::Key', { Properties: { KeySpec: 'ECC_NIST_P256' } });
    expect(Object.keys(keys)).toEqual([stack.getLogicalId(stack.signingKey.key.node.defaultChild as never)]);
    expect(stack.signingKey.key.node.path).toMatch(/\/SigningKey\/Key-b$/);
  });
});

describe('controlPlane.signingKeys in the deployment config', () => {
  const base = loadDeploymentConfig(TWO_DATA_PLANES_CONFIG);
  const parse = (signingKeys: unknown) =>
    parseDeploymentConfig({ ...base, controlPlane: { ...base.controlPlane, signingKeys } }, 'test');

  it('accepts a current key and an optional previous key', () => {
    expect(parse({ current: 'b', previous: 'a' }).controlPlane.signingKeys).toEqual({
      current: 'b',
      previous: 'a',
    });
    expect(parse({ current: 'k2' }).controlPlane.signingKeys).toEqual({ current: 'k2' });
    expect(parseDeploymentConfig(base, 'test').controlPlane.signingKeys).toBeUndefined();
  });

  it('refuses a missing current key, the same key twice, bad names and unknown fields', () => {
    expect(() => parse({ previous: 'a' })).toThrow(/controlPlane\.signingKeys\.current/);
    expect(() => parse({ current: 'a', previous: 'a' })).toThrow(/must differ from current/);
    expect(() => parse({ current: 'Key-B' })).toThrow(/lower-case letters and digits/);
    expect(() => parse({ current: 'a', next: 'b' })).toThrow(/signingKeys/);
    expect(() => parse('a')).toThrow(/signingKeys/);
  });
});
