/**
 * The local servers' one line per request: method, path, status, milliseconds, and what the
 * handler reported (project, spans accepted or refused) or why it refused. Failures (5xx, and
 * requests that got no answer) are errors; health checks, which poll, are debug. A gRPC call's
 * line also names the status code it got (`grpc_status`); `status` is the HTTP status the ingest
 * handler answered it with, absent when grpc-js refused the call before the handler saw it.
 */
import type { AnsweredRequest } from './http-server';
import type { Logger } from './logger';

/** `quiet`: requests logged at debug when answered below 400 (the console's files, CORS preflights). */
export function logAnsweredRequest(
  logger: Logger,
  options: { quiet?: (request: AnsweredRequest) => boolean } = {},
): (request: AnsweredRequest) => void {
  return (request) => {
    const refusedByGrpc = request.status === 0 && request.grpcStatus !== undefined;
    const unanswered = request.status === 0 && (!refusedByGrpc || request.grpcStatus === 'CANCELLED');
    const level =
      request.status >= 500 || unanswered
        ? 'error'
        : request.path === '/healthz' || (request.status < 400 && options.quiet?.(request))
          ? 'debug'
          : 'info';
    logger[level](`${request.method} ${request.path}`, {
      status: refusedByGrpc ? undefined : request.status,
      grpc_status: request.grpcStatus,
      ms: request.ms,
      ...request.notes,
      why: request.why,
    });
  };
}
