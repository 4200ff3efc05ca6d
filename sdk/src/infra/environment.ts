/**
 * Where the application runs: service, runtime, host, OS, cloud (Lambda, ECS, Kubernetes) and CI.
 * A pure function of the environment variables and a snapshot of system facts, so it is testable
 * with tables and costs nothing after start-up: no network, no shell-outs, computed once.
 */
import { readFileSync } from 'node:fs';
import { arch, hostname, platform } from 'node:os';
import { join } from 'node:path';

export type Env = Record<string, string | undefined>;

/** System facts read once from node:os / process; injectable so tests do not depend on the machine. */
export interface SystemInfo {
  hostname?: string;
  /** Node's process.arch / os.arch(), e.g. x64, arm64. */
  arch: string;
  /** Node's os.platform(), e.g. linux, darwin, win32. */
  platform: string;
  /** Node version without the leading v. */
  runtimeVersion: string;
  /** name/version of the application's package.json in the working directory, when readable. */
  packageName?: string;
  packageVersion?: string;
}

export interface CloudInfo {
  provider: 'aws' | 'gcp' | 'azure';
  /** Semantic-convention cloud.platform value, e.g. aws_lambda, aws_ecs. */
  platform?: string;
  region?: string;
}

export interface FaasInfo {
  name: string;
  version?: string;
  /** Lambda log stream: the closest thing to an instance id the environment offers. */
  instance?: string;
  /** Bytes, as faas.max_memory requires. */
  maxMemory?: number;
}

export interface EcsInfo {
  /** FARGATE / EC2 from AWS_EXECUTION_ENV; task ARNs need the metadata endpoint, which we never call. */
  launchType?: 'fargate' | 'ec2';
}

export interface KubernetesInfo {
  podName?: string;
  namespace?: string;
  nodeName?: string;
}

export interface CiInfo {
  /** github_actions, gitlab_ci, circleci, buildkite, jenkins, aws_codebuild, or generic. */
  provider: string;
  pipelineName?: string;
  runId?: string;
  runUrl?: string;
  taskName?: string;
}

export interface EnvironmentInfo {
  service: { name: string; version?: string; namespace?: string };
  deploymentEnvironment?: string;
  runtime: { name: 'nodejs'; version: string };
  host: { name?: string; arch: string };
  os: { type: string };
  cloud?: CloudInfo;
  faas?: FaasInfo;
  ecs?: EcsInfo;
  kubernetes?: KubernetesInfo;
  ci?: CiInfo;
}

// Node names -> semantic-convention values (host.arch, os.type).
const ARCH: Record<string, string> = { x64: 'amd64', ia32: 'x86', arm: 'arm32', arm64: 'arm64' };
const OS_TYPE: Record<string, string> = { win32: 'windows', sunos: 'solaris' };

function readPackage(cwd: string): { name?: string; version?: string } {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { name, version } = parsed as { name?: unknown; version?: unknown };
    return {
      name: typeof name === 'string' ? name : undefined,
      version: typeof version === 'string' ? version : undefined,
    };
  } catch {
    return {};
  }
}

/** Snapshot of the machine facts detectEnvironment needs; one small file read, no processes. */
export function readSystemInfo(cwd: string = process.cwd()): SystemInfo {
  const pkg = readPackage(cwd);
  let host: string | undefined;
  try {
    host = hostname();
  } catch {
    host = undefined;
  }
  return {
    hostname: host,
    arch: arch(),
    platform: platform(),
    runtimeVersion: process.versions.node,
    packageName: pkg.name,
    packageVersion: pkg.version,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function first(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = nonEmpty(env[name]);
    if (value !== undefined) return value;
  }
  return undefined;
}

function detectLambda(env: Env): FaasInfo | undefined {
  const name = nonEmpty(env.AWS_LAMBDA_FUNCTION_NAME);
  if (!name) return undefined;
  const memoryMb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  return {
    name,
    version: nonEmpty(env.AWS_LAMBDA_FUNCTION_VERSION),
    instance: nonEmpty(env.AWS_LAMBDA_LOG_STREAM_NAME),
    maxMemory: Number.isFinite(memoryMb) && memoryMb > 0 ? memoryMb * 1024 * 1024 : undefined,
  };
}

function detectEcs(env: Env): EcsInfo | undefined {
  if (!first(env, 'ECS_CONTAINER_METADATA_URI_V4', 'ECS_CONTAINER_METADATA_URI')) return undefined;
  const execution = env.AWS_EXECUTION_ENV ?? '';
  if (execution === 'AWS_ECS_FARGATE') return { launchType: 'fargate' };
  if (execution === 'AWS_ECS_EC2') return { launchType: 'ec2' };
  return {};
}

function detectKubernetes(env: Env): KubernetesInfo | undefined {
  if (!nonEmpty(env.KUBERNETES_SERVICE_HOST)) return undefined;
  return {
    // The downward API names are explicit; HOSTNAME is the pod name by Kubernetes default.
    podName: first(env, 'K8S_POD_NAME', 'POD_NAME', 'HOSTNAME'),
    namespace: first(env, 'K8S_NAMESPACE', 'POD_NAMESPACE', 'K8S_NAMESPACE_NAME'),
    nodeName: first(env, 'K8S_NODE_NAME', 'NODE_NAME'),
  };
}

function detectCi(env: Env): CiInfo | undefined {
  if (env.GITHUB_ACTIONS === 'true') {
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    const repo = nonEmpty(env.GITHUB_REPOSITORY);
    const runId = nonEmpty(env.GITHUB_RUN_ID);
    return {
      provider: 'github_actions',
      pipelineName: nonEmpty(env.GITHUB_WORKFLOW),
      runId,
      runUrl: repo && runId ? `${server}/${repo}/actions/runs/${runId}` : undefined,
      taskName: nonEmpty(env.GITHUB_JOB),
    };
  }
  if (env.GITLAB_CI === 'true') {
    return {
      provider: 'gitlab_ci',
      pipelineName: first(env, 'CI_PIPELINE_NAME', 'CI_PROJECT_PATH'),
      runId: nonEmpty(env.CI_PIPELINE_ID),
      runUrl: nonEmpty(env.CI_PIPELINE_URL),
      taskName: nonEmpty(env.CI_JOB_NAME),
    };
  }
  if (env.CIRCLECI === 'true') {
    return {
      provider: 'circleci',
      pipelineName: nonEmpty(env.CIRCLE_PROJECT_REPONAME),
      runId: first(env, 'CIRCLE_WORKFLOW_ID', 'CIRCLE_BUILD_NUM'),
      runUrl: nonEmpty(env.CIRCLE_BUILD_URL),
      taskName: nonEmpty(env.CIRCLE_JOB),
    };
  }
  if (env.BUILDKITE === 'true') {
    return {
      provider: 'buildkite',
      pipelineName: nonEmpty(env.BUILDKITE_PIPELINE_SLUG),
      runId: nonEmpty(env.BUILDKITE_BUILD_ID),
      runUrl: nonEmpty(env.BUILDKITE_BUILD_URL),
      taskName: nonEmpty(env.BUILDKITE_LABEL),
    };
  }
  if (nonEmpty(env.CODEBUILD_BUILD_ID)) {
    return {
      provider: 'aws_codebuild',
      pipelineName: nonEmpty(env.CODEBUILD_PROJECT_NAME) ?? env.CODEBUILD_BUILD_ID?.split(':')[0],
      runId: nonEmpty(env.CODEBUILD_BUILD_ID),
      runUrl: nonEmpty(env.CODEBUILD_BUILD_URL),
    };
  }
  if (nonEmpty(env.JENKINS_URL)) {
    return {
      provider: 'jenkins',
      pipelineName: nonEmpty(env.JOB_NAME),
      runId: nonEmpty(env.BUILD_ID),
      runUrl: nonEmpty(env.BUILD_URL),
    };
  }
  const ci = env.CI?.toLowerCase();
  if (ci === 'true' || ci === '1') return { provider: 'generic' };
  return undefined;
}

function detectCloud(env: Env, faas: FaasInfo | undefined, ecs: EcsInfo | undefined): CloudInfo | undefined {
  const awsRegion = first(env, 'AWS_REGION', 'AWS_DEFAULT_REGION');
  if (faas) return { provider: 'aws', platform: 'aws_lambda', region: awsRegion };
  if (ecs) return { provider: 'aws', platform: 'aws_ecs', region: awsRegion };
  if (nonEmpty(env.K_SERVICE))
    return { provider: 'gcp', platform: 'gcp_cloud_run', region: nonEmpty(env.GOOGLE_CLOUD_REGION) };
  if (nonEmpty(env.FUNCTIONS_WORKER_RUNTIME) && nonEmpty(env.WEBSITE_SITE_NAME)) {
    return { provider: 'azure', platform: 'azure.functions', region: nonEmpty(env.REGION_NAME) };
  }
  // A region alone (e.g. EC2 or EKS with AWS_REGION set) still says which cloud we are in.
  if (awsRegion) return { provider: 'aws', region: awsRegion };
  return undefined;
}

/**
 * Detects the runtime environment from env and a system snapshot. Never throws; unknown values are
 * left out rather than guessed.
 */
export function detectEnvironment(
  env: Env = process.env,
  system: SystemInfo = readSystemInfo(),
): EnvironmentInfo {
  const faas = detectLambda(env);
  const ecs = detectEcs(env);
  const kubernetes = detectKubernetes(env);
  const ci = detectCi(env);
  const cloud = detectCloud(env, faas, ecs);
  const serviceName =
    first(env, 'WAGGLE_SERVICE_NAME', 'OTEL_SERVICE_NAME') ??
    faas?.name ??
    nonEmpty(system.packageName) ??
    // The OpenTelemetry default, so our spans group with the app's own when nothing is configured.
    'unknown_service:node';
  return {
    service: {
      name: serviceName,
      version:
        first(env, 'WAGGLE_SERVICE_VERSION', 'OTEL_SERVICE_VERSION') ?? nonEmpty(system.packageVersion),
      namespace: nonEmpty(env.WAGGLE_SERVICE_NAMESPACE),
    },
    deploymentEnvironment: first(env, 'WAGGLE_ENVIRONMENT', 'DEPLOYMENT_ENVIRONMENT', 'NODE_ENV'),
    runtime: { name: 'nodejs', version: system.runtimeVersion },
    host: { name: nonEmpty(system.hostname), arch: ARCH[system.arch] ?? system.arch },
    os: { type: OS_TYPE[system.platform] ?? system.platform },
    cloud,
    faas,
    ecs,
    kubernetes,
    ci,
  };
}

let cached: EnvironmentInfo | undefined;

/** detectEnvironment() for this process, computed on first use and reused by every tracer. */
export function processEnvironment(): EnvironmentInfo {
  cached ??= detectEnvironment();
  return cached;
}

/** Resource attributes under OpenTelemetry semantic-convention keys; absent values are omitted. */
export function environmentResourceAttributes(info: EnvironmentInfo): Record<string, string | number> {
  const attributes: Record<string, string | number | undefined> = {
    'service.name': info.service.name,
    'service.version': info.service.version,
    'service.namespace': info.service.namespace,
    'deployment.environment.name': info.deploymentEnvironment,
    'process.runtime.name': info.runtime.name,
    'process.runtime.version': info.runtime.version,
    'host.name': info.host.name,
    'host.arch': info.host.arch,
    'os.type': info.os.type,
    'cloud.provider': info.cloud?.provider,
    'cloud.platform': info.cloud?.platform,
    'cloud.region': info.cloud?.region,
    'faas.name': info.faas?.name,
    'faas.version': info.faas?.version,
    'faas.instance': info.faas?.instance,
    'faas.max_memory': info.faas?.maxMemory,
    'aws.ecs.launchtype': info.ecs?.launchType,
    'k8s.pod.name': info.kubernetes?.podName,
    'k8s.namespace.name': info.kubernetes?.namespace,
    'k8s.node.name': info.kubernetes?.nodeName,
    // There is no semantic-convention key for the CI vendor itself, hence the waggle.* name.
    'waggle.ci.provider': info.ci?.provider,
    'cicd.pipeline.name': info.ci?.pipelineName,
    'cicd.pipeline.run.id': info.ci?.runId,
    'cicd.pipeline.run.url.full': info.ci?.runUrl,
    'cicd.pipeline.task.name': info.ci?.taskName,
  };
  const result: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) result[key] = value;
  }
  return result;
}
