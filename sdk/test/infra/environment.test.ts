import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  detectEnvironment,
  type Env,
  environmentResourceAttributes,
  processEnvironment,
  readSystemInfo,
  type SystemInfo,
} from '../../src/infra/environment';

const system: SystemInfo = {
  hostname: 'build-host',
  arch: 'x64',
  platform: 'linux',
  runtimeVersion: '24.1.0',
  packageName: 'my-app',
  packageVersion: '2.3.4',
};

const attrs = (env: Env, sys: SystemInfo = system) =>
  environmentResourceAttributes(detectEnvironment(env, sys));

describe('detectEnvironment', () => {
  it('plain machine: service from package.json, runtime, host and os with semantic-convention values', () => {
    expect(attrs({})).toEqual({
      'service.name': 'my-app',
      'service.version': '2.3.4',
      'process.runtime.name': 'nodejs',
      'process.runtime.version': '24.1.0',
      'host.name': 'build-host',
      'host.arch': 'amd64',
      'os.type': 'linux',
    });
  });

  it.each([
    ['x64', 'amd64'],
    ['arm64', 'arm64'],
    ['ia32', 'x86'],
    ['arm', 'arm32'],
    ['s390x', 's390x'],
  ])('maps arch %s to host.arch %s', (arch, expected) => {
    expect(attrs({}, { ...system, arch })['host.arch']).toBe(expected);
  });

  it.each([
    ['win32', 'windows'],
    ['darwin', 'darwin'],
    ['sunos', 'solaris'],
  ])('maps platform %s to os.type %s', (platform, expected) => {
    expect(attrs({}, { ...system, platform })['os.type']).toBe(expected);
  });

  it('service name precedence: WAGGLE_SERVICE_NAME, OTEL_SERVICE_NAME, Lambda function, package, default', () => {
    const lambda = { AWS_LAMBDA_FUNCTION_NAME: 'fn' };
    expect(attrs({ WAGGLE_SERVICE_NAME: 'w', OTEL_SERVICE_NAME: 'o', ...lambda })['service.name']).toBe('w');
    expect(attrs({ OTEL_SERVICE_NAME: 'o', ...lambda })['service.name']).toBe('o');
    expect(attrs(lambda)['service.name']).toBe('fn');
    expect(attrs({ WAGGLE_SERVICE_NAME: '   ' })['service.name']).toBe('my-app');
    expect(attrs({}, { ...system, packageName: undefined })['service.name']).toBe('unknown_service:node');
    expect(attrs({ WAGGLE_SERVICE_VERSION: '9' })['service.version']).toBe('9');
  });

  it('AWS Lambda: faas.* and cloud.* from the runtime variables, memory in bytes', () => {
    const result = attrs({
      AWS_LAMBDA_FUNCTION_NAME: 'checkout',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/22/[$LATEST]abc',
      AWS_REGION: 'eu-west-1',
    });
    expect(result).toMatchObject({
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      'cloud.region': 'eu-west-1',
      'faas.name': 'checkout',
      'faas.version': '$LATEST',
      'faas.instance': '2026/11/22/[$LATEST]abc',
      'faas.max_memory': 512 * 1024 * 1024,
    });
    expect(result['aws.ecs.launchtype']).toBeUndefined();
  });

  it('ECS: platform aws_ecs and launch type from AWS_EXECUTION_ENV, no metadata call', () => {
    const result = attrs({
      ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/abc',
      AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
      AWS_DEFAULT_REGION: 'us-east-2',
    });
    expect(result).toMatchObject({
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_ecs',
      'cloud.region': 'us-east-2',
      'aws.ecs.launchtype': 'fargate',
    });
    expect(result['faas.name']).toBeUndefined();
    expect(
      attrs({ ECS_CONTAINER_METADATA_URI: 'http://x', AWS_EXECUTION_ENV: 'AWS_ECS_EC2' })[
        'aws.ecs.launchtype'
      ],
    ).toBe('ec2');
  });

  it('Kubernetes: HOSTNAME is the pod name unless the downward API names are set', () => {
    expect(attrs({ KUBERNETES_SERVICE_HOST: '10.0.0.1', HOSTNAME: 'api-7d9f-xk2' })).toMatchObject({
      'k8s.pod.name': 'api-7d9f-xk2',
    });
    const explicit = attrs({
      KUBERNETES_SERVICE_HOST: '10.0.0.1',
      HOSTNAME: 'ignored',
      POD_NAME: 'api-1',
      POD_NAMESPACE: 'prod',
      NODE_NAME: 'node-a',
    });
    expect(explicit).toMatchObject({
      'k8s.pod.name': 'api-1',
      'k8s.namespace.name': 'prod',
      'k8s.node.name': 'node-a',
    });
    // HOSTNAME alone (a laptop shell) says nothing about Kubernetes.
    expect(attrs({ HOSTNAME: 'laptop' })['k8s.pod.name']).toBeUndefined();
  });

  it('GitHub Actions: cicd.* with the run URL', () => {
    expect(
      attrs({
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKFLOW: 'ci',
        GITHUB_RUN_ID: '42',
        GITHUB_JOB: 'test',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/app',
      }),
    ).toMatchObject({
      'waggle.ci.provider': 'github_actions',
      'cicd.pipeline.name': 'ci',
      'cicd.pipeline.run.id': '42',
      'cicd.pipeline.task.name': 'test',
      'cicd.pipeline.run.url.full': 'https://github.com/acme/app/actions/runs/42',
    });
  });

  it.each<[Env, string]>([
    [{ GITLAB_CI: 'true', CI_PIPELINE_ID: '7' }, 'gitlab_ci'],
    [{ CIRCLECI: 'true' }, 'circleci'],
    [{ BUILDKITE: 'true' }, 'buildkite'],
    [{ CODEBUILD_BUILD_ID: 'proj:123' }, 'aws_codebuild'],
    [{ JENKINS_URL: 'http://jenkins' }, 'jenkins'],
    [{ CI: 'true' }, 'generic'],
    [{ CI: '1' }, 'generic'],
  ])('CI provider for %o is %s', (env, provider) => {
    expect(attrs(env)['waggle.ci.provider']).toBe(provider);
  });

  it('no CI, no cloud: none of those keys appear', () => {
    const keys = Object.keys(attrs({ CI: 'false' }));
    expect(keys.filter((k) => /^(cicd|waggle\.ci|cloud|faas|k8s|aws)\./.test(k))).toEqual([]);
  });

  it('deployment environment from WAGGLE_ENVIRONMENT, then NODE_ENV', () => {
    expect(
      attrs({ WAGGLE_ENVIRONMENT: 'staging', NODE_ENV: 'production' })['deployment.environment.name'],
    ).toBe('staging');
    expect(attrs({ NODE_ENV: 'production' })['deployment.environment.name']).toBe('production');
  });

  it('is a pure function of its inputs', () => {
    const env = { AWS_LAMBDA_FUNCTION_NAME: 'f', AWS_REGION: 'eu-west-1' };
    expect(detectEnvironment(env, system)).toEqual(detectEnvironment({ ...env }, { ...system }));
  });
});

describe('readSystemInfo and processEnvironment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'waggle-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the package name and version from cwd, and survives a missing or broken package.json', () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'from-disk', version: '1.0.0' }));
    expect(readSystemInfo(dir)).toMatchObject({ packageName: 'from-disk', packageVersion: '1.0.0' });
    writeFileSync(join(dir, 'package.json'), '{not json');
    expect(readSystemInfo(dir).packageName).toBeUndefined();
    expect(readSystemInfo(join(dir, 'missing')).runtimeVersion).toBe(process.versions.node);
  });

  it('computes the process environment once and reuses it', () => {
    expect(processEnvironment()).toBe(processEnvironment());
    expect(processEnvironment().runtime.version).toBe(process.versions.node);
  });
});
