/** Template shapes that several infra tests expect of tables, buckets and KMS grants. */

/** A bucket that blocks every kind of public access and whose objects all belong to it. */
export const PRIVATE_BUCKET = {
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  },
  OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
};

/** Bucket encryption with its customer key (the key's ARN as the template has it) and a bucket key. */
export function customerKeyEncryption(keyArn: unknown) {
  return {
    ServerSideEncryptionConfiguration: [
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
      },
    ],
  };
}

export const PK_SK_KEY_SCHEMA = [
  { AttributeName: 'pk', KeyType: 'HASH' },
  { AttributeName: 'sk', KeyType: 'RANGE' },
];

/** A pk/sk table billed on demand, encrypted with its customer key (the key's ARN as the template has it), with PITR. */
export function customerKeyTable(keyArn: unknown) {
  return {
    KeySchema: PK_SK_KEY_SCHEMA,
    BillingMode: 'PAY_PER_REQUEST',
    SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
  };
}

/** The condition that limits a KMS grant to calls made through one AWS service in one region. */
export const viaService = (service: string, region: string) => ({
  StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` },
});
