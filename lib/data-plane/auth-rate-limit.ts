import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { RATE_LIMIT_TABLE } from '../../lambdas/adapters/aws/dynamo-rate-limiter';
import type { CALLER_AUTH_VARIABLES, CallerAuthInput } from '../../lambdas/config/caller-auth';

/** The environment variable that names the table; the ingest and query handlers read it. */
export const AUTH_RATE_LIMIT_TABLE_ENV: keyof typeof CALLER_AUTH_VARIABLES = 'AUTH_RATE_LIMIT_TABLE_NAME';

/**
 * The fleet-wide brute-force limit (lambdas/adapters/aws/dynamo-rate-limiter.ts): failed
 * authentications of every kind (bad keys, bad tokens, missing or malformed headers), one counter
 * per source IP and minute, shared by every instance of the ingest and query functions, so a
 * guesser is answered 429 with Retry-After however many instances or routes it reaches. Items hold
 * only a SHA-256 of the counter name, a count and a TTL (`expiresAt`), so the table empties itself.
 * Encrypted at rest with the DynamoDB-owned KMS key: there is nothing in it a customer key would
 * protect, and the functions need no KMS grant. DESTROY: the counters live a minute.
 */
export class AuthRateLimit extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: RATE_LIMIT_TABLE.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: RATE_LIMIT_TABLE.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      // Worth nothing to restore, but it costs next to nothing on a table this small (and cdk-nag DDB3).
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** { AUTH_RATE_LIMIT_TABLE_NAME } for a function that authenticates data-plane requests. */
  environment(): Pick<CallerAuthInput, 'AUTH_RATE_LIMIT_TABLE_NAME'> {
    return { AUTH_RATE_LIMIT_TABLE_NAME: this.table.tableName };
  }

  /** Count and read the counters: UpdateItem (atomic ADD) and GetItem on this table only. */
  grantCount(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'CountAuthFailures',
        actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
        resources: [this.table.tableArn],
      }),
    );
  }
}
