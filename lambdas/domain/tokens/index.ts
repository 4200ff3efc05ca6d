export * from './claims';
export * from './der-to-jose';
export * from './issue-token';
export * from './jwks';
export type * from './signer';
export * from './token-cache';
