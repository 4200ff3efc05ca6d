/** PKCE (RFC 7636) for Cognito's authorization-code flow: a random verifier and its S256 challenge. */

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** 32 random bytes as base64url: a 43-character verifier (RFC 7636 allows 43 to 128). */
export function createVerifier(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** `BASE64URL(SHA256(ASCII(code_verifier)))`. */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** A random `state` value that ties the callback to this browser's sign-in. */
export function createState(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}
