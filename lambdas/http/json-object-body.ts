/** Request bodies that are small JSON objects (control-plane API, tokens, local sign-in, provider keys). */
import { ValidationError } from '../domain/errors';
import type { HttpRequest } from './router';

/** Control-plane bodies are small JSON objects: 64 KiB, sent or inflated. */
export const CONTROL_PLANE_BODY_LIMITS = { maxBodyBytes: 64 * 1024, maxDecompressedBytes: 64 * 1024 };

export type JsonObject = Record<string, unknown>;

/** The body as a JSON object; no body is an empty one. */
export function parseJsonObject(request: HttpRequest): JsonObject {
  if (request.event.body === undefined || request.event.body === '') return {};
  const bytes = request.body();
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ValidationError('The body must be JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ValidationError('The body must be a JSON object');
  return value as JsonObject;
}
