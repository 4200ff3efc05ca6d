import { type CredentialChallenge, DomainError } from '../errors';

/**
 * A refusal because the credential proves nothing: missing or malformed header, bad checksum,
 * unknown, revoked or expired key, a token that does not verify, a token where none are accepted.
 * These are the failures the brute-force guard counts. A valid credential refused for its scope or
 * project (ForbiddenError), and outages (UnavailableError), are not counted.
 */
export class CredentialRejected extends DomainError {
  override readonly name: string = 'CredentialRejected';

  constructor(
    /** unauthorized for a credential that is missing or not valid; forbidden for a revoked or expired key. */
    readonly kind: 'unauthorized' | 'forbidden',
    message: string,
    override readonly challenge?: CredentialChallenge,
  ) {
    super(message);
  }
}
