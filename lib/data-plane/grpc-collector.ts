import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  GraphWidget,
  type IWidget,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Peer, Port, SecurityGroup, SubnetType, type Vpc } from 'aws-cdk-lib/aws-ec2';
import {
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargatePlatformVersion,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import {
  AlpnPolicy,
  ListenerCertificate,
  NetworkLoadBalancer,
  NetworkTargetGroup,
  Protocol,
  SslPolicy,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { LoadBalancerTarget } from 'aws-cdk-lib/aws-route53-targets';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { aboveZeroAlarm } from '../common/failure-queue-alarm';
import { planeVpc } from '../common/plane-vpc';
import type { GrpcCollectorConfig } from '../config/deployment-config';
import {
  collectorConfig,
  collectorTaskSize,
  DEFAULT_COLLECTOR_ALLOWED_CIDRS,
  DEFAULT_COLLECTOR_DESIRED_COUNT,
  DEFAULT_COLLECTOR_IMAGE,
  goMemLimit,
  HEALTH_CHECK_PATH,
  HEALTH_CHECK_PORT,
  OTLP_GRPC_PORT,
  renderCollectorConfig,
} from './otel-collector-config';

interface GrpcCollectorProps {
  readonly config: GrpcCollectorConfig;
  /** The data plane's HTTP API base URL (IngestApi.url): where the collector forwards OTLP/HTTP. */
  readonly apiUrl: string;
  /** The plane's log bucket (SSE-S3): the load balancer's access logs go under grpc-collector/. */
  readonly accessLogBucket: IBucket;
  /** Names the collector in alarm descriptions, e.g. "data plane acme". */
  readonly label: string;
}

const CONTAINER_NAME = 'Collector';
const ALARM_PERIOD = Duration.minutes(1);
/** Minutes in a row a collector alarm's condition must hold: a rolling deployment stays under it. */
const ALARM_MINUTES = 5;

/**
 * An optional OTLP/gRPC front door for a data plane: API Gateway cannot terminate gRPC, so the
 * upstream OpenTelemetry Collector runs on ECS Fargate behind a Network Load Balancer whose TLS
 * listener (port 4317, ALPN h2, the configured ACM certificate) passes plaintext HTTP/2 to the
 * tasks. Each task forwards what it receives to the plane's HTTP API as OTLP/HTTP with the caller's
 * own Authorization header (see collectorConfig): it holds no credential and needs no AWS
 * permission, so its task role has no statement.
 *
 * Network: a VPC of its own with two public subnets (two Availability Zones) and no NAT gateway.
 * The tasks get public addresses so they can pull the image and reach the API over the internet
 * gateway; a NAT gateway per AZ would cost about $33 a month each before traffic, while a public
 * IPv4 address costs about $3.65. Being public does not make the tasks reachable: their security
 * group admits only the load balancer's security group, on the OTLP and health-check ports, and
 * lets out only HTTPS. The load balancer's group admits the configured CIDRs on 4317 only.
 */
export class GrpcCollector extends Construct {
  readonly vpc: Vpc;
  readonly cluster: Cluster;
  readonly taskDefinition: FargateTaskDefinition;
  readonly service: FargateService;
  readonly loadBalancer: NetworkLoadBalancer;
  readonly targetGroup: NetworkTargetGroup;
  readonly loadBalancerSecurityGroup: SecurityGroup;
  readonly taskSecurityGroup: SecurityGroup;
  readonly logGroup: LogGroup;
  readonly unhealthyTargetsAlarm: Alarm;
  readonly runningTasksAlarm: Alarm;
  /** What clients set as their OTLP endpoint: https://<domainName or load balancer DNS name>:4317. */
  readonly endpoint: string;
  /** The configuration the collector runs, as passed in OTEL_CONFIG (with CDK tokens for the API URL). */
  readonly collectorConfigText: string;

  constructor(scope: Construct, id: string, props: GrpcCollectorProps) {
    super(scope, id);
    const { config } = props;
    const { cpu, memoryMiB } = collectorTaskSize(config);
    const desiredCount = config.desiredCount ?? DEFAULT_COLLECTOR_DESIRED_COUNT;
    const allowedCidrs = config.allowedCidrs ?? DEFAULT_COLLECTOR_ALLOWED_CIDRS;

    // Refused connections are logged (scans of the tasks' public addresses); the load balancer's
    // access logs record every TLS connection that was accepted.
    this.vpc = planeVpc(this, {
      cidr: '10.0.0.0/24',
      subnet: { name: 'Public', subnetType: SubnetType.PUBLIC },
    });

    this.cluster = new Cluster(this, 'Cluster', {
      vpc: this.vpc,
      // The RunningTaskCount metric the running-tasks alarm watches comes from Container Insights.
      containerInsightsV2: ContainerInsights.ENABLED,
    });

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.taskDefinition = new FargateTaskDefinition(this, 'Task', {
      cpu,
      memoryLimitMiB: memoryMiB,
      // Graviton: about 20% cheaper per vCPU-hour; the upstream image is built for linux/arm64.
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.ARM64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    this.collectorConfigText = renderCollectorConfig(collectorConfig({ apiUrl: props.apiUrl, memoryMiB }));
    this.taskDefinition.addContainer(CONTAINER_NAME, {
      image: ContainerImage.fromRegistry(config.image ?? DEFAULT_COLLECTOR_IMAGE),
      // The image's entry point is the collector; this replaces its default --config file.
      command: ['--config=env:OTEL_CONFIG'],
      environment: { OTEL_CONFIG: this.collectorConfigText, GOMEMLIMIT: goMemLimit(memoryMiB) },
      portMappings: [{ containerPort: OTLP_GRPC_PORT }, { containerPort: HEALTH_CHECK_PORT }],
      logging: LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'collector' }),
      readonlyRootFilesystem: true,
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds the collector configuration (OTEL_CONFIG: receivers, the data plane API URL, ' +
        'batching) and GOMEMLIMIT, no secret: the collector has no credential, it forwards each caller’s own.',
    });

    this.loadBalancerSecurityGroup = new SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: this.vpc,
      description: `Waggle gRPC collector load balancer (${props.label}): OTLP/gRPC in on ${OTLP_GRPC_PORT}`,
      allowAllOutbound: false,
    });
    for (const cidr of allowedCidrs) {
      this.loadBalancerSecurityGroup.addIngressRule(
        Peer.ipv4(cidr),
        Port.tcp(OTLP_GRPC_PORT),
        'OTLP/gRPC clients (TLS)',
      );
    }
    if (allowedCidrs.includes('0.0.0.0/0')) {
      Validations.of(this.loadBalancerSecurityGroup).acknowledge({
        id: 'AwsSolutions-EC23',
        reason:
          'A public ingestion endpoint, like the HTTP API: only the TLS port 4317 is open, and every request is ' +
          'authenticated by the data plane with the caller’s key or token. grpcCollector.allowedCidrs narrows it.',
      });
    }

    this.taskSecurityGroup = new SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: `Waggle gRPC collector tasks (${props.label}): only the load balancer in, only HTTPS out`,
      allowAllOutbound: false,
    });
    this.taskSecurityGroup.addEgressRule(
      Peer.anyIpv4(),
      Port.tcp(443),
      'HTTPS: the data plane API, the image registry, CloudWatch Logs',
    );

    this.service = new FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount,
      assignPublicIp: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [this.taskSecurityGroup],
      platformVersion: FargatePlatformVersion.LATEST,
      // A deployment starts the new tasks before stopping old ones, and rolls back if they never get healthy.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
      enableExecuteCommand: false,
    });

    this.targetGroup = new NetworkTargetGroup(this, 'Targets', {
      vpc: this.vpc,
      port: OTLP_GRPC_PORT,
      protocol: Protocol.TCP,
      targetType: TargetType.IP,
      // Long-lived gRPC connections keep going while a task drains; a minute bounds a deployment's steps.
      deregistrationDelay: Duration.seconds(60),
      healthCheck: {
        protocol: Protocol.HTTP,
        port: String(HEALTH_CHECK_PORT),
        path: HEALTH_CHECK_PATH,
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
      targets: [
        this.service.loadBalancerTarget({ containerName: CONTAINER_NAME, containerPort: OTLP_GRPC_PORT }),
      ],
    });

    this.loadBalancer = new NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [this.loadBalancerSecurityGroup],
      // A zone whose task is down still answers: its load balancer node sends to the other zone's task.
      crossZoneEnabled: true,
    });
    this.loadBalancer.logAccessLogs(props.accessLogBucket, 'grpc-collector');
    this.loadBalancer.addListener('Tls', {
      port: OTLP_GRPC_PORT,
      protocol: Protocol.TLS,
      certificates: [ListenerCertificate.fromArn(config.certificateArn)],
      sslPolicy: SslPolicy.RECOMMENDED_TLS,
      // gRPC clients require HTTP/2 negotiated by ALPN; the tasks then get plaintext HTTP/2 (h2c).
      alpnPolicy: AlpnPolicy.HTTP2_PREFERRED,
      defaultTargetGroups: [this.targetGroup],
    });
    // The load balancer forwards and health-checks from its own security group, and nothing else gets in.
    for (const port of [OTLP_GRPC_PORT, HEALTH_CHECK_PORT]) {
      this.service.connections.allowFrom(this.loadBalancer, Port.tcp(port), 'From the load balancer only');
    }

    if (config.hostedZoneId !== undefined && config.domainName !== undefined) {
      new ARecord(this, 'Alias', {
        zone: HostedZone.fromHostedZoneId(this, 'Zone', config.hostedZoneId),
        recordName: `${config.domainName}.`,
        target: RecordTarget.fromAlias(new LoadBalancerTarget(this.loadBalancer)),
      });
    }
    this.endpoint = `https://${config.domainName ?? this.loadBalancer.loadBalancerDnsName}:${OTLP_GRPC_PORT}`;

    this.unhealthyTargetsAlarm = aboveZeroAlarm(this, 'UnhealthyTargetsAlarm', {
      alarmDescription: `A gRPC collector task of the ${props.label} has failed its load balancer health check for ${ALARM_MINUTES} minutes. See docs/operations.md, "gRPC collector".`,
      metric: this.targetGroup.metrics.unHealthyHostCount({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      evaluationPeriods: ALARM_MINUTES,
    });
    this.runningTasksAlarm = new Alarm(this, 'RunningTasksAlarm', {
      alarmDescription: `Fewer than ${desiredCount} gRPC collector tasks of the ${props.label} have been running for ${ALARM_MINUTES} minutes (or Container Insights reported none). See docs/operations.md, "gRPC collector".`,
      metric: this.metricRunningTasks(),
      threshold: desiredCount,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: ALARM_MINUTES,
      // No data means no task reports (or the service is gone): that is the case to hear about.
      treatMissingData: TreatMissingData.BREACHING,
    });
  }

  /** Running tasks of the service (Container Insights, one-minute data). */
  metricRunningTasks(): Metric {
    return new Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: { ClusterName: this.cluster.clusterName, ServiceName: this.service.serviceName },
      period: ALARM_PERIOD,
      statistic: 'Minimum',
    });
  }

  /** One dashboard row: targets and tasks, CPU and memory, connections. */
  dashboardWidgets(): IWidget[] {
    const period = Duration.minutes(5);
    return [
      new GraphWidget({
        title: 'gRPC collector: targets and tasks',
        left: [
          this.targetGroup.metrics.healthyHostCount({ period, statistic: 'Minimum', label: 'healthy' }),
          this.targetGroup.metrics.unHealthyHostCount({ period, statistic: 'Maximum', label: 'unhealthy' }),
          this.metricRunningTasks().with({ period, label: 'running tasks' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'gRPC collector: CPU and memory (%)',
        left: [
          this.service.metricCpuUtilization({ period, statistic: 'Maximum', label: 'CPU' }),
          this.service.metricMemoryUtilization({ period, statistic: 'Maximum', label: 'memory' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'gRPC collector: connections',
        left: [
          this.loadBalancer.metrics.activeFlowCount({ period, statistic: 'Average', label: 'active' }),
          this.loadBalancer.metrics.newFlowCount({ period, statistic: 'Sum', label: 'new' }),
        ],
        right: [this.loadBalancer.metrics.processedBytes({ period, statistic: 'Sum', label: 'bytes' })],
        width: 8,
      }),
    ];
  }
}
