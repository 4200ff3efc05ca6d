/**
 * The optional gRPC collector (dataPlanes[].grpcCollector): absent, a data plane has no VPC, ECS or
 * load balancer at all; present, the upstream OpenTelemetry Collector on Fargate behind a TLS
 * Network Load Balancer on 4317 (ALPN h2), reachable only through the load balancer, forwarding to
 * the plane's HTTP API with the caller's Authorization, with alarms on the plane's topic, a
 * dashboard row, and nothing cdk-nag objects to. One app, synthesized once: "acme" with the
 * defaults and a domain in Route 53, "edge" with restricted CIDRs and a larger task, "shared-ap"
 * without a collector.
 */
import { readFileSync } from 'node:fs';
import { type Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDeploymentConfig } from '../../lib/config/deployment-config';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import type { GrpcCollector } from '../../lib/data-plane/grpc-collector';
import {
  collectorConfig,
  DEFAULT_COLLECTOR_IMAGE,
  goMemLimit,
  memoryLimits,
  renderCollectorConfig,
} from '../../lib/data-plane/otel-collector-config';
import { buildTestApp, type TestWaggleApp, TWO_DATA_PLANES_CONFIG } from './support/test-app';

// biome-ignore lint/suspicious/noExplicitAny: template JSON, read field by field
type Resource = { Type: string; Properties: Record<string, any> };

const ACME_CERTIFICATE =
  'arn:aws:acm:eu-central-1:200000000002:certificate/0f0e0d0c-1111-2222-3333-444455556666';
const EDGE_CERTIFICATE =
  'arn:aws:acm:us-west-2:400000000004:certificate/9a8b7c6d-1111-2222-3333-444455556666';
const EDGE_CIDRS = ['203.0.113.0/24', '198.51.100.16/28'];

let waggle: TestWaggleApp;
let acme: DataPlaneStack;
let edge: DataPlaneStack;
let sharedAp: DataPlaneStack;
let acmeTemplate: Template;
let edgeTemplate: Template;
let sharedApTemplate: Template;

beforeAll(() => {
  // Through the config parser, as `cdk synth` reads it.
  const raw = JSON.parse(readFileSync(TWO_DATA_PLANES_CONFIG, 'utf8'));
  raw.dataPlanes[0].grpcCollector = {
    certificateArn: ACME_CERTIFICATE,
    domainName: 'otlp.acme.test',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  };
  raw.dataPlanes.push({
    name: 'edge',
    account: '400000000004',
    region: 'us-west-2',
    hostingModel: 'dedicated',
    grpcCollector: {
      certificateArn: EDGE_CERTIFICATE,
      desiredCount: 3,
      cpu: 1024,
      memoryMiB: 4096,
      allowedCidrs: EDGE_CIDRS,
    },
  });
  waggle = buildTestApp(parseDeploymentConfig(raw, 'test config'));
  const plane = (name: string) => waggle.dataPlanes.get(name) as DataPlaneStack;
  [acme, edge, sharedAp] = [plane('acme'), plane('edge'), plane('shared-ap')];
  acmeTemplate = Template.fromStack(acme);
  edgeTemplate = Template.fromStack(edge);
  sharedApTemplate = Template.fromStack(sharedAp);
});

const collectorOf = (stack: DataPlaneStack) => stack.grpcCollector as GrpcCollector;
const logicalId = (stack: Stack, construct: IConstruct) =>
  stack.getLogicalId(construct.node.defaultChild as never);
/**
 * Resources of one type, leaving out the evaluator executor's: every data plane has that isolated VPC
 * of its own (lib/data-plane/evaluator-executor.ts; test/infra/evaluator-executor.test.ts checks it).
 */
const resourcesOf = (template: Template, type: string) =>
  Object.entries(template.findResources(type) as Record<string, Resource>).filter(
    ([id]) => !id.startsWith('EvaluatorExecutor'),
  );

/** The OTEL_CONFIG value of the task definition, tokens replaced by `<token>`, parsed. */
function deployedCollectorConfig(template: Template) {
  const [[, taskDefinition]] = resourcesOf(template, 'AWS::ECS::TaskDefinition') as [[string, Resource]];
  const [container] = taskDefinition.Properties.ContainerDefinitions;
  const value = container.Environment.find((entry: { Name: string }) => entry.Name === 'OTEL_CONFIG').Value;
  const parts: unknown[] = typeof value === 'string' ? [value] : value['Fn::Join'][1];
  return {
    parts,
    config: JSON.parse(parts.map((part) => (typeof part === 'string' ? part : '<token>')).join('')),
  };
}

describe('without grpcCollector in the config', () => {
  it('the data plane has no VPC, ECS, load balancer or DNS resource of a collector, and no collector output', () => {
    const types = Object.entries(sharedApTemplate.toJSON().Resources as Record<string, Resource>)
      .filter(([id]) => !id.startsWith('EvaluatorExecutor'))
      .map(([, resource]) => resource.Type);
    expect(types.filter((type) => /^AWS::(ECS|ElasticLoadBalancingV2|EC2|Route53)::/.test(type))).toEqual([]);
    expect(sharedAp.grpcCollector).toBeUndefined();
    expect(
      Object.keys(sharedApTemplate.findOutputs('*')).filter((id) => id.startsWith('GrpcCollector')),
    ).toEqual([]);
  });

  it('while a plane that has one gets them (the check above can fail)', () => {
    for (const type of ['AWS::ECS::Service', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::EC2::VPC'])
      expect(resourcesOf(acmeTemplate, type), type).toHaveLength(1);
  });
});

describe('the Fargate service', () => {
  it('runs the pinned upstream contrib image on ARM64 with the defaults: 2 tasks of 0.5 vCPU and 1 GiB', () => {
    acmeTemplate.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '512',
      Memory: '1024',
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [
        Match.objectLike({
          Image: DEFAULT_COLLECTOR_IMAGE,
          Command: ['--config=env:OTEL_CONFIG'],
          ReadonlyRootFilesystem: true,
          Environment: Match.arrayWith([{ Name: 'GOMEMLIMIT', Value: goMemLimit(1024) }]),
          PortMappings: [
            { ContainerPort: 4317, Protocol: 'tcp' },
            { ContainerPort: 13133, Protocol: 'tcp' },
          ],
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        }),
      ],
    });
    expect(DEFAULT_COLLECTOR_IMAGE).toMatch(
      /^ghcr\.io\/open-telemetry\/opentelemetry-collector-releases\/opentelemetry-collector-contrib:\d+\.\d+\.\d+$/,
    );
    const collector = collectorOf(acme);
    acmeTemplate.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      EnableExecuteCommand: false,
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          AssignPublicIp: 'ENABLED',
          SecurityGroups: [acme.resolve(collector.taskSecurityGroup.securityGroupId)],
          Subnets: collector.vpc.publicSubnets.map((subnet) => acme.resolve(subnet.subnetId)),
        },
      },
      LoadBalancers: [
        {
          ContainerName: 'Collector',
          ContainerPort: 4317,
          TargetGroupArn: { Ref: logicalId(acme, collector.targetGroup) },
        },
      ],
    });
    acmeTemplate.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('takes the count and size from the config', () => {
    edgeTemplate.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
    edgeTemplate.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024',
      Memory: '4096',
      ContainerDefinitions: [
        Match.objectLike({ Environment: Match.arrayWith([{ Name: 'GOMEMLIMIT', Value: '3276MiB' }]) }),
      ],
    });
  });

  it('lives in its own two-zone VPC of public subnets, without NAT gateways, zones picked without a lookup', () => {
    expect(resourcesOf(acmeTemplate, 'AWS::EC2::NatGateway')).toEqual([]);
    const subnets = resourcesOf(acmeTemplate, 'AWS::EC2::Subnet');
    expect(subnets).toHaveLength(2);
    expect(subnets.map(([, subnet]) => subnet.Properties.AvailabilityZone)).toEqual([
      { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] },
    ]);
    for (const [, subnet] of subnets) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(true);
    expect(
      resourcesOf(acmeTemplate, 'AWS::EC2::FlowLog').map(([, flowLog]) => flowLog.Properties.TrafficType),
    ).toEqual(['REJECT']);
    // Nothing asked the account for its zones: synth stays offline.
    expect(waggle.app.synth().manifest.missing).toBeUndefined();
  });

  it('has a task role without any permission (the collector calls no AWS API)', () => {
    const taskRole = logicalId(acme, collectorOf(acme).taskDefinition.taskRole as never);
    const role = acmeTemplate.findResources('AWS::IAM::Role')[taskRole] as Resource;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    const policies = resourcesOf(acmeTemplate, 'AWS::IAM::Policy').filter(([, policy]) =>
      JSON.stringify(policy.Properties.Roles).includes(taskRole),
    );
    expect(policies).toEqual([]);
  });
});

describe('the load balancer', () => {
  it('listens with TLS on 4317, with the configured certificate, a TLS 1.2+ policy and ALPN for HTTP/2', () => {
    const collector = collectorOf(acme);
    acmeTemplate.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    acmeTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'TLS',
      Port: 4317,
      Certificates: [{ CertificateArn: ACME_CERTIFICATE }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      AlpnPolicy: ['HTTP2Preferred'],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalId(acme, collector.targetGroup) } }],
    });
    edgeTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Certificates: [{ CertificateArn: EDGE_CERTIFICATE }],
    });
  });

  it('is internet-facing, in the public subnets, cross-zone, with its own security group and access logs', () => {
    const collector = collectorOf(acme);
    acmeTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internet-facing',
      SecurityGroups: [acme.resolve(collector.loadBalancerSecurityGroup.securityGroupId)],
      Subnets: collector.vpc.publicSubnets.map((subnet) => acme.resolve(subnet.subnetId)),
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: acme.resolve(acme.rawArchive.accessLogBucket.bucketName) },
        { Key: 'access_logs.s3.prefix', Value: 'grpc-collector' },
      ]),
    });
  });

  it('forwards TCP to the tasks on 4317 and checks them over HTTP on the health_check port', () => {
    acmeTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'TCP',
      Port: 4317,
      TargetType: 'ip',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: '13133',
      HealthCheckPath: '/',
    });
  });
});

describe('security groups', () => {
  /** Every ingress rule of a group: inline ones and separate AWS::EC2::SecurityGroupIngress resources. */
  function ingressOf(template: Template, groupId: string) {
    const group = template.findResources('AWS::EC2::SecurityGroup')[groupId] as Resource;
    const inline = (group.Properties.SecurityGroupIngress ?? []) as Record<string, unknown>[];
    const separate = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')
      .filter(([, rule]) => JSON.stringify(rule.Properties.GroupId).includes(groupId))
      .map(([, rule]) => rule.Properties);
    return [...inline, ...separate].map(
      ({ CidrIp, SourceSecurityGroupId, FromPort, ToPort, IpProtocol }) => ({
        CidrIp,
        SourceSecurityGroupId,
        FromPort,
        ToPort,
        IpProtocol,
      }),
    );
  }
  const egressOf = (template: Template, groupId: string) =>
    (template.findResources('AWS::EC2::SecurityGroup')[groupId] as Resource).Properties.SecurityGroupEgress;

  it('let clients reach the load balancer on 4317 only, from 0.0.0.0/0 by default', () => {
    const group = logicalId(acme, collectorOf(acme).loadBalancerSecurityGroup);
    expect(ingressOf(acmeTemplate, group)).toEqual([
      {
        CidrIp: '0.0.0.0/0',
        SourceSecurityGroupId: undefined,
        FromPort: 4317,
        ToPort: 4317,
        IpProtocol: 'tcp',
      },
    ]);
  });

  it('or from the configured CIDRs only', () => {
    const group = logicalId(edge, collectorOf(edge).loadBalancerSecurityGroup);
    expect(ingressOf(edgeTemplate, group)).toEqual(
      EDGE_CIDRS.map((CidrIp) => ({
        CidrIp,
        SourceSecurityGroupId: undefined,
        FromPort: 4317,
        ToPort: 4317,
        IpProtocol: 'tcp',
      })),
    );
  });

  it('let only the load balancer reach the tasks (OTLP and health check), and the tasks out on HTTPS only', () => {
    const collector = collectorOf(acme);
    const fromLoadBalancer = acme.resolve(collector.loadBalancerSecurityGroup.securityGroupId);
    const tasks = logicalId(acme, collector.taskSecurityGroup);
    expect(ingressOf(acmeTemplate, tasks)).toEqual(
      [4317, 13133].map((port) => ({
        CidrIp: undefined,
        SourceSecurityGroupId: fromLoadBalancer,
        FromPort: port,
        ToPort: port,
        IpProtocol: 'tcp',
      })),
    );
    expect(egressOf(acmeTemplate, tasks)).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    ]);
    // The load balancer's group sends only to the tasks, on those two ports.
    const loadBalancerGroup = logicalId(acme, collector.loadBalancerSecurityGroup);
    const egress = resourcesOf(acmeTemplate, 'AWS::EC2::SecurityGroupEgress')
      .filter(([, rule]) => JSON.stringify(rule.Properties.GroupId).includes(loadBalancerGroup))
      .map(([, rule]) => [rule.Properties.FromPort, rule.Properties.DestinationSecurityGroupId]);
    expect(egress).toEqual([
      [4317, acme.resolve(collector.taskSecurityGroup.securityGroupId)],
      [13133, acme.resolve(collector.taskSecurityGroup.securityGroupId)],
    ]);
  });
});

describe('the collector configuration', () => {
  const config = collectorConfig({ apiUrl: 'https://api.waggle.test/', memoryMiB: 1024 });

  it('receives OTLP/gRPC on all interfaces and keeps the callers’ metadata', () => {
    expect(config.receivers.otlp.protocols.grpc).toMatchObject({
      endpoint: '0.0.0.0:4317',
      include_metadata: true,
    });
    expect(config.extensions.health_check).toEqual({ endpoint: '0.0.0.0:13133', path: '/' });
  });

  it('forwards to the API with the caller’s Authorization, gzip-compressed', () => {
    expect(config.extensions.headers_setter.headers).toEqual([
      { action: 'upsert', key: 'Authorization', from_context: 'authorization' },
      // The project a token of several projects addresses (docs/ingestion.md).
      { action: 'upsert', key: 'x-waggle-project', from_context: 'x-waggle-project' },
    ]);
    expect(config.exporters.otlp_http).toMatchObject({
      endpoint: 'https://api.waggle.test/',
      compression: 'gzip',
      encoding: 'proto',
      auth: { authenticator: 'headers_setter' },
      retry_on_failure: { enabled: true },
    });
    expect(config.service.extensions).toEqual(['health_check', 'headers_setter']);
  });

  it('never puts two credentials in one outgoing request: the queue batches per authorization value, the batch processor is not used', () => {
    const queue = config.exporters.otlp_http.sending_queue;
    expect(queue).toMatchObject({ enabled: true, wait_for_result: true });
    expect(queue.batch.partition.metadata_keys).toEqual(['authorization', 'x-waggle-project']);
    expect(queue.batch.max_size).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(Object.keys(config.processors)).toEqual(['memory_limiter']);
    expect(config.service.pipelines).toEqual({
      traces: { receivers: ['otlp'], processors: ['memory_limiter'], exporters: ['otlp_http'] },
    });
  });

  it('sizes the memory limiter from the task memory', () => {
    expect(memoryLimits(1024)).toEqual({ limitMiB: 819, spikeLimitMiB: 204 });
    expect(config.processors.memory_limiter).toEqual({
      check_interval: '1s',
      limit_mib: 819,
      spike_limit_mib: 204,
    });
  });

  it('renders as JSON, which is YAML for the collector, and reads back unchanged', () => {
    expect(JSON.parse(renderCollectorConfig(config))).toEqual(config);
  });

  it('is what the task definition passes in OTEL_CONFIG, with the data plane API URL in the exporter', () => {
    const { parts, config: deployed } = deployedCollectorConfig(acmeTemplate);
    expect(deployed).toEqual(
      collectorConfig({ apiUrl: 'https://<token>.execute-api.eu-central-1.<token>/', memoryMiB: 1024 }),
    );
    // The tokens are the ingest API's: its id and the URL suffix.
    expect(parts).toContainEqual({ Ref: logicalId(acme, acme.ingestApi.api) });
    expect(deployedCollectorConfig(edgeTemplate).config.processors.memory_limiter.limit_mib).toBe(3276);
  });
});

describe('alarms, outputs and dashboard', () => {
  const topicOf = (template: Template) => ({
    Ref: (resourcesOf(template, 'AWS::SNS::Topic')[0] as [string, Resource])[0],
  });

  it('alarm on an unhealthy target for 5 minutes, to the plane’s topic', () => {
    const collector = collectorOf(acme);
    acmeTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/NetworkELB',
      MetricName: 'UnHealthyHostCount',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 5,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: Match.arrayWith([
        {
          Name: 'TargetGroup',
          Value: { 'Fn::GetAtt': [logicalId(acme, collector.targetGroup), 'TargetGroupFullName'] },
        },
      ]),
      AlarmActions: [topicOf(acmeTemplate)],
      OKActions: [topicOf(acmeTemplate)],
    });
  });

  it('alarm when fewer tasks than desired run for 5 minutes, to the plane’s topic', () => {
    for (const [stack, template, desired] of [
      [acme, acmeTemplate, 2],
      [edge, edgeTemplate, 3],
    ] as const) {
      const collector = collectorOf(stack);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'ECS/ContainerInsights',
        MetricName: 'RunningTaskCount',
        Dimensions: [
          { Name: 'ClusterName', Value: stack.resolve(collector.cluster.clusterName) },
          { Name: 'ServiceName', Value: stack.resolve(collector.service.serviceName) },
        ],
        Threshold: desired,
        ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 5,
        TreatMissingData: 'breaching',
        AlarmActions: [topicOf(template)],
        OKActions: [topicOf(template)],
      });
    }
  });

  it('output the endpoint clients use: the domain name, or the load balancer’s DNS name', () => {
    acmeTemplate.hasOutput('GrpcCollectorEndpoint', { Value: 'https://otlp.acme.test:4317' });
    const loadBalancer = logicalId(edge, collectorOf(edge).loadBalancer);
    edgeTemplate.hasOutput('GrpcCollectorEndpoint', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [loadBalancer, 'DNSName'] }, ':4317']] },
    });
    acmeTemplate.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'otlp.acme.test.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: Match.objectLike({
        DNSName: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      }),
    });
    edgeTemplate.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  it('show a collector row on the dashboard, and the collector alarms in its alarm widget', () => {
    const body = (template: Template) =>
      JSON.stringify(
        (resourcesOf(template, 'AWS::CloudWatch::Dashboard')[0] as [string, Resource])[1].Properties,
      );
    const acmeBody = body(acmeTemplate);
    for (const text of [
      'gRPC collector: targets and tasks',
      'gRPC collector: connections',
      'RunningTaskCount',
    ])
      expect(acmeBody).toContain(text);
    for (const alarm of [collectorOf(acme).unhealthyTargetsAlarm, collectorOf(acme).runningTasksAlarm])
      expect(acmeBody).toContain(logicalId(acme, alarm));
    expect(body(sharedApTemplate)).not.toContain('gRPC collector');
  });
});

describe('cdk-nag', () => {
  /** cdk-nag acknowledgements under `root` (CDK's own CloudFormation-Validate ones, e.g. on the flow log, aside). */
  function acknowledgedIds(root: IConstruct): string[] {
    return root.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) => Object.entries(entry.data as Record<string, string>)),
      )
      .map(([id, reason]) => {
        expect(reason.length, id).toBeGreaterThan(40);
        return id.replace(/^Annotation::/, '');
      })
      .filter((id) => id.startsWith('AwsSolutions-'));
  }

  it('finds nothing unacknowledged in the planes with a collector', () => {
    const report = waggle.nagPack?.validateScope(waggle.app);
    expect(report?.violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it('acknowledges only the environment-held configuration, and the open port where it is open to all', () => {
    expect([...new Set(acknowledgedIds(collectorOf(acme)))].sort()).toEqual([
      'AwsSolutions-EC23',
      'AwsSolutions-ECS2',
    ]);
    expect([...new Set(acknowledgedIds(collectorOf(edge)))]).toEqual(['AwsSolutions-ECS2']);
  });
});
