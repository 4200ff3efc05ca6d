/**
 * The LLM proxy's routes. On AWS the function sits behind a Lambda function URL (which streams),
 * so it matches method and path itself; the local platform serves the same keys.
 */
export const LLM_PROXY_ROUTES = ['POST /v1/chat/completions'] as const;

export type LlmProxyRouteKey = (typeof LLM_PROXY_ROUTES)[number];
