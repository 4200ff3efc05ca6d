/**
 * The console's Content-Security-Policy, the same locally (lambdas/local/console-files.ts) and on
 * AWS (CloudFront's response headers policy, lib/control-plane/console-hosting.ts): scripts, styles
 * and images from the console's own origin only; API calls to `connectSources` (duplicates dropped).
 */
export function consoleContentSecurityPolicy(connectSources: Iterable<string>): string {
  return [
    "default-src 'self'",
    `connect-src ${[...new Set(connectSources)].join(' ')}`,
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
