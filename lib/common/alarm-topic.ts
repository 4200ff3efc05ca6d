import { Aspects, type IAspect, Stack } from 'aws-cdk-lib';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';
import { createCustomerKey } from './customer-key';

interface AlarmTopicProps {
  /** Which plane's alarms, for the topic's display name and key description. */
  readonly planeName: string;
  /** Addresses subscribed by email (each confirms once, from the message SNS sends). */
  readonly emails?: readonly string[];
}

/**
 * Where a plane's alarms go: one SNS topic, encrypted with its own customer key, that refuses
 * publishing without TLS, with the config's email subscriptions. Every CloudWatch alarm in the
 * stack notifies it when it goes off and when it recovers (an aspect adds both actions), so an
 * alarm added later cannot be forgotten.
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.key = createCustomerKey(
      this,
      'Key',
      `Waggle alarms (${props.planeName}): encrypts alarm notifications`,
    );
    // CloudWatch publishes the alarms: it must be able to use the key of the encrypted topic.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchPublishesAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: `Waggle alarms: ${props.planeName}`,
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const email of props.emails ?? []) this.topic.addSubscription(new EmailSubscription(email));
    Aspects.of(Stack.of(this)).add(new NotifyOnEveryAlarm(new SnsAction(this.topic)));
  }
}

class NotifyOnEveryAlarm implements IAspect {
  constructor(private readonly action: SnsAction) {}

  visit(node: IConstruct): void {
    if (!(node instanceof Alarm)) return;
    node.addAlarmAction(this.action);
    node.addOkAction(this.action);
  }
}
