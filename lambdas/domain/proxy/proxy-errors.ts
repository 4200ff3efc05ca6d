/**
 * Failures of the provider call itself, which the domain's error kinds do not cover: the provider
 * refused the request, could not be reached or kept failing, or timed out (the proxy's edge
 * answers them as OpenAI's API would: 400, 502, 504). Messages never carry the provider key:
 * providers sometimes echo part of a rejected key, so a refused key's message is replaced and
 * every other message has the key removed.
 */
import type { FailureClass } from './retry';

export class ProviderCallError extends Error {
  override readonly name = 'ProviderCallError';
  constructor(
    message: string,
    readonly code: 'provider_refused' | 'provider_unavailable' | 'provider_timeout',
  ) {
    super(message);
  }
}

const MAX_MESSAGE = 500;

/** The provider's error message, safe to return and store. */
export function safeProviderMessage(
  error: unknown,
  failure: FailureClass,
  provider: string,
  secret: string | undefined,
): string {
  if (failure.credentialsRejected) {
    return `${provider} refused the stored provider key (${failure.providerStatus}); replace it with PUT /v1/provider-keys/${provider}`;
  }
  let message = error instanceof Error ? error.message : String(error);
  if (secret !== undefined && secret.length > 0) message = message.split(secret).join('[redacted]');
  // A key-looking token (sk-..., long base64) is dropped too: partial echoes of a key are not matched above.
  message = message.replace(/\b(sk|key|AIza|xai|gsk)[-_A-Za-z0-9*]{8,}/g, '[redacted]');
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}

export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}
