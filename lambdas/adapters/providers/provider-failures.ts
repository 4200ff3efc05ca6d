/**
 * What a failed call through an AI SDK provider adapter means for the proxy. 429, 408, 409 and 5xx
 * answers, connection failures and timeouts are transient; other 4xx answers are the request's
 * fault and are never retried nor handed to a fallback, except 401/403, which say the stored
 * provider key was refused. Retry-After (seconds or an HTTP date) and OpenAI's retry-after-ms
 * are read from the provider's answer.
 */
import { APICallError } from 'ai';
import type { FailureClass } from '../../domain/proxy/retry';

export function classifyProviderFailure(error: unknown, now: number = Date.now()): FailureClass {
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const retryAfterMs = retryAfterOf(error.responseHeaders, now);
    if (status === undefined) return { transient: true };
    const transient = status === 408 || status === 409 || status === 429 || status >= 500;
    return {
      transient,
      providerStatus: status,
      ...((status === 401 || status === 403) && { credentialsRejected: true }),
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    };
  }
  // No answer: refused connections, resets, DNS failures, our own timeout (an AbortError/TimeoutError).
  return { transient: true };
}

export function retryAfterOf(headers: Record<string, string> | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const ms = Number(lower['retry-after-ms']);
  if (lower['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const value = lower['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
