/**
 * The local servers' one line per request: method, path, status, milliseconds, and what the
 * handler reported (project, spans accepted or refused) or why it refused. Failures (5xx) are
 * errors; health checks, which poll, are debug.
 */
import type { AnsweredRequest } from './http-server';
import type { Logger } from './logger';

export function logAnsweredRequest(logger: Logger): (request: AnsweredRequest) => void {
  return (request) => {
    const level =
      request.status >= 500 || request.status === 0
        ? 'error'
        : request.path === '/healthz'
          ? 'debug'
          : 'info';
    logger[level](`${request.method} ${request.path}`, {
      status: request.status,
      ms: request.ms,
      ...request.notes,
      why: request.why,
    });
  };
}
