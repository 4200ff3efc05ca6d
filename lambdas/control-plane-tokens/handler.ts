/**
 * AWS Lambda entry point of the token service: the KMS signing key (ECC_NIST_P256) as the key ring's
 * current key, an optional previous key during a rotation (PREVIOUS_SIGNING_KEY_ARN and _KID), the
 * control-plane table for the caller's memberships and projects, the JWT authorizer's claims.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import middy from '@middy/core';
import { DynamoControlPlaneStore } from '../adapters/aws/control-plane-store';
import { KmsSigner } from '../adapters/aws/kms-signer';
import { requiredEnv } from '../adapters/aws/required-env';
import { jwtAuthorizerActor } from '../control-plane-api/app';
import type { KeyRing } from '../domain/tokens';
import { controlPlaneSigner } from '../sync-publisher/aws-wiring';
import { createTokenService } from './app';

const logger = new Logger();
// X-Ray subsegments for every AWS SDK call (active tracing alone records only the invocation).
const tracer = new Tracer();
const store = new DynamoControlPlaneStore(
  tracer.captureAWSv3Client(new DynamoDBClient({})),
  requiredEnv('CONTROL_PLANE_TABLE_NAME'),
);

const previousArn = process.env.PREVIOUS_SIGNING_KEY_ARN;
const keyRing: KeyRing = {
  current: controlPlaneSigner(),
  ...(previousArn && {
    previous: new KmsSigner(tracer.captureAWSv3Client(new KMSClient({})), previousArn, {
      kid: requiredEnv('PREVIOUS_SIGNING_KEY_KID'),
    }),
  }),
};

const service = createTokenService({
  store,
  keyRing,
  issuer: requiredEnv('TOKEN_ISSUER'),
  dataPlaneIds: requiredEnv('DATA_PLANE_IDS').split(','),
  actorFrom: jwtAuthorizerActor(store),
  onError: (error, context) => logger.error('token service failure', { ...context, error: error as Error }),
});

export const handler = middy(service).use(
  injectLambdaContext(logger, { correlationIdPath: 'requestContext.requestId' }),
);
