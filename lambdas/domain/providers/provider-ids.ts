/**
 * The ids of the LLM providers Waggle can call: the `<provider>` of the proxy's `<provider>/<model>`
 * and the path parameter of /v1/provider-keys/{provider}. No imports, so the console can take the
 * same list (ui/src/api/client.ts) without any platform code entering its bundle.
 */
export const PROVIDERS = [
  'openai',
  'anthropic',
  'azure',
  'google-vertex',
  'bedrock',
  'openai-compatible',
] as const;

export type ProviderId = (typeof PROVIDERS)[number];
