/**
 * The ControlPlaneForwarder over HTTPS (fetch), for the Lambda handler and the local platform.
 * Bounded well under API Gateway's 29 s integration timeout, so a slow control plane is a clear
 * 504 rather than the gateway's own.
 */
import { TimedOutError, UnavailableError } from '../domain/errors';
import type { ControlPlaneForwarder } from './app';

const FORWARD_TIMEOUT_MS = 10_000;

export function fetchForwarder(
  controlPlaneUrl: string,
  timeoutMs = FORWARD_TIMEOUT_MS,
): ControlPlaneForwarder {
  const base = controlPlaneUrl.replace(/\/+$/, '');
  return async (write) => {
    let response: Response;
    try {
      response = await fetch(`${base}${write.pathAndQuery}`, {
        method: write.method,
        headers: write.headers,
        ...(write.body !== undefined && { body: write.body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError')
        throw new TimedOutError('The control plane did not answer in time; try again');
      throw new UnavailableError('The control plane cannot be reached; try again');
    }
    return {
      statusCode: response.status,
      headers: { 'content-type': response.headers.get('content-type') ?? 'application/json' },
      body: await response.text(),
    };
  };
}
