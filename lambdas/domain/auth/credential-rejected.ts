import { HttpError } from '../http/errors';

/**
 * A refusal because the credential proves nothing: missing or malformed header, bad checksum,
 * unknown, revoked or expired key, a token that does not verify, a token where none are accepted.
 * These are the failures the brute-force guard counts. A valid credential refused for its scope or
 * project, and outages (503), are plain HttpErrors and are not counted.
 */
export class CredentialRejected extends HttpError {
  override readonly name: string = 'CredentialRejected';
}
