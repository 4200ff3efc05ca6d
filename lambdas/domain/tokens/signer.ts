/**
 * The token service's one port: something that holds an ECDSA P-256 private key and signs with it.
 * KMS holds it in AWS (the key never leaves the HSM); a node:crypto key stands in locally.
 */
export interface PublicKeySource {
  /** Published as the JWT header's and the JWK's `kid`; must be unique across rotations. */
  readonly keyId: string;
  /** The public key as DER SubjectPublicKeyInfo (what KMS GetPublicKey returns). */
  publicKeyDer(): Promise<Uint8Array>;
}

export interface Signer extends PublicKeySource {
  /**
   * ECDSA P-256 with SHA-256 over message; returns the DER (ASN.1 SEQUENCE of r, s) signature.
   * The adapter hashes the message itself when its backend needs a digest (KMS above 4096 bytes).
   */
  sign(message: Uint8Array): Promise<Uint8Array>;
}
