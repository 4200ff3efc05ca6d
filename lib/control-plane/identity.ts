import { Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ProviderAttribute,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolIdentityProviderOidc,
  UserPoolIdentityProviderSaml,
  UserPoolIdentityProviderSamlMetadata,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { authDomainPrefixOf } from '../config/console-origins';
import type { ControlPlaneConfig, IdentityProviderConfig } from '../config/deployment-config';

export interface ControlPlaneIdentityProps {
  readonly controlPlane: ControlPlaneConfig;
  /** The web console's origin: Cognito sends the browser back to `<origin>/auth/callback`. */
  readonly consoleOrigin: string;
}

/** The password rules every Waggle user pool enforces (cdk-nag COG1 and then some). */
export const PASSWORD_POLICY = {
  minLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
  tempPasswordValidity: Duration.days(3),
} as const;

/**
 * Who may use the control plane: a Cognito user pool with email and password sign-in and
 * REQUIRED TOTP MFA (no SMS: SIM swapping, and no phone numbers to hold), the Plus feature plan with
 * threat protection enforcing (compromised-credential and risky sign-in checks), organizations'
 * own SAML 2.0 / OIDC providers from the deployment config, and the web app's client. Federated users
 * do their second factor at their own IdP; Cognito's MFA applies to local (email and password) users.
 */
export class ControlPlaneIdentity extends Construct {
  readonly userPool: UserPool;
  readonly webClient: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly providerNames: string[];

  constructor(scope: Construct, id: string, props: ControlPlaneIdentityProps) {
    super(scope, id);
    const { controlPlane } = props;

    this.userPool = new UserPool(this, 'UserPool', {
      // Users sign up by invitation (an admin adds them), never by themselves.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: PASSWORD_POLICY,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      // Users and their MFA secrets cannot be recreated: losing the pool locks everyone out.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const providers = (controlPlane.identityProviders ?? []).map((provider) => this.addProvider(provider));
    this.providerNames = providers.map((provider) => provider.providerName);

    // The console signs in through Cognito's managed login, which lives on this domain.
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: authDomainPrefixOf(controlPlane) },
    });

    this.webClient = this.userPool.addClient('WebClient', {
      // A browser app cannot keep a secret.
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.minutes(60),
      idTokenValidity: Duration.minutes(60),
      refreshTokenValidity: Duration.days(30),
      supportedIdentityProviders: [
        UserPoolClientIdentityProvider.COGNITO,
        ...this.providerNames.map((name) => UserPoolClientIdentityProvider.custom(name)),
      ],
      // Authorization code only (the console adds PKCE; a public client has no secret to add).
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${props.consoleOrigin}/auth/callback`, ...(controlPlane.callbackUrls ?? [])],
        logoutUrls: [`${props.consoleOrigin}/`, ...(controlPlane.logoutUrls ?? [])],
      },
    });
    // The client can only list a provider once it exists.
    for (const provider of providers) this.webClient.node.addDependency(provider);
  }

  private addProvider(provider: IdentityProviderConfig) {
    const attributeMapping = { email: ProviderAttribute.other('email') };
    if (provider.type === 'saml') {
      return new UserPoolIdentityProviderSaml(this, `Saml-${provider.name}`, {
        userPool: this.userPool,
        name: provider.name,
        metadata: UserPoolIdentityProviderSamlMetadata.url(provider.metadataUrl),
        attributeMapping: {
          email: ProviderAttribute.other(
            'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
          ),
        },
      });
    }
    return new UserPoolIdentityProviderOidc(this, `Oidc-${provider.name}`, {
      userPool: this.userPool,
      name: provider.name,
      issuerUrl: provider.issuer,
      clientId: provider.clientId,
      // A CloudFormation dynamic reference: resolved by CloudFormation at deploy time, so the secret
      // is in neither the config file nor the template.
      clientSecret: SecretValue.secretsManager(provider.clientSecretArn).unsafeUnwrap(),
      scopes: ['openid', 'email', 'profile'],
      attributeMapping,
    });
  }
}
