/**
 * Path parameters arrive percent-encoded. decodeURIComponent throws a URIError on a malformed escape
 * (`%ff`, `%E0%A4%A`); that is the client's mistake, so every router decodes through here and
 * answers 400 rather than letting the URIError become a 500.
 */
import { badRequest } from './errors';

export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`Path segment "${segment.slice(0, 64)}" is not valid percent-encoding`);
  }
}
