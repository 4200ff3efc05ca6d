/**
 * A stored provider key: which tenant and provider it is for, the secret sealed by a SecretSealer
 * (never the plaintext), and what may be shown of it. One record per (org, workspace, project or
 * the whole workspace, provider).
 */
import type { ProviderId } from './providers';

export type ProviderKeyScope = 'project' | 'workspace';
export const PROVIDER_KEY_SCOPES: readonly ProviderKeyScope[] = ['project', 'workspace'];

/** Where a key lives: a project's own key, or its workspace's (project_id null). */
export interface ProviderKeyRef {
  org_id: string;
  workspace_id: string;
  /** null: the workspace-wide key, which every project of the workspace without its own key uses. */
  project_id: string | null;
  provider: ProviderId;
}

export interface ProviderKeyRecord extends ProviderKeyRef {
  /** The sealed secret (an AWS Encryption SDK message); absent for providers authenticated by IAM (Bedrock). */
  sealedSecret?: Uint8Array;
  /** The secret's last four characters, or undefined when the secret is too short to show any. */
  last4?: string;
  baseUrl?: string;
  /** Bedrock only: the AWS region to call; absent: the function's own region. */
  region?: string;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
  /** 1 when created, +1 on each replacement: the optimistic lock of put and delete. */
  version: number;
}

export function scopeOf(ref: Pick<ProviderKeyRef, 'project_id'>): ProviderKeyScope {
  return ref.project_id === null ? 'workspace' : 'project';
}

/** What binds a sealed secret to its record: a ciphertext copied onto another record does not open. */
export type SealContext = Readonly<Record<string, string>>;

/** The purpose entry of every provider secret's context; also the KMS policy's condition value. */
export const PROVIDER_SECRET_PURPOSE = 'waggle-provider-key';

/** The project entry of a workspace-wide key's context. */
export const WORKSPACE_WIDE = '*';

export function sealContextOf(ref: ProviderKeyRef): SealContext {
  return {
    purpose: PROVIDER_SECRET_PURPOSE,
    org: ref.org_id,
    workspace: ref.workspace_id,
    project: ref.project_id ?? WORKSPACE_WIDE,
    provider: ref.provider,
  };
}

/** Keys shorter than this show nothing: their last four characters would be too much of them. */
const MIN_LENGTH_TO_SHOW_LAST4 = 12;

export function last4Of(secret: string): string | undefined {
  return secret.length >= MIN_LENGTH_TO_SHOW_LAST4 ? secret.slice(-4) : undefined;
}
