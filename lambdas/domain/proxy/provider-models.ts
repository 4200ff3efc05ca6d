/**
 * The maintained AI SDK adapter for each provider, built per call from the project's resolved key.
 * Every adapter speaks to its provider through `fetch`, which the proxy gives (on AWS a fetch that
 * refuses private addresses at connection time: lambdas/adapters/providers/guarded-fetch.ts). The secret is revealed here,
 * into the adapter's settings, and nowhere else.
 */
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createAzure } from '@ai-sdk/azure';
import { createVertex } from '@ai-sdk/google-vertex';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ValidationError } from '../errors';
import type { ResolvedProviderKey } from '../providers/resolve';
import type { ModelTarget } from './routing';
import type { ProviderModel as LanguageModelV4 } from './sdk-types';

export type FetchFunction = typeof globalThis.fetch;

export interface BedrockCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ModelFactoryOptions {
  fetch: FetchFunction;
  /** Bedrock: the calling function's role credentials (the handler reads the Lambda environment's). */
  bedrockCredentials?: () => PromiseLike<BedrockCredentials>;
  /** Bedrock region when the key record names none (the function's own region). */
  defaultRegion?: string;
}

export type ModelFactory = (target: ModelTarget, key: ResolvedProviderKey) => LanguageModelV4;

export function createModelFactory(options: ModelFactoryOptions): ModelFactory {
  // Adapters are reused while the resolver keeps the same key object (its cache, 60 s): a new key
  // version is a new object, and nothing here outlives the resolver's own hold on the secret.
  const built = new WeakMap<ResolvedProviderKey, Map<string, LanguageModelV4>>();
  return (target, key) => {
    let models = built.get(key);
    if (!models) {
      models = new Map();
      built.set(key, models);
    }
    const name = `${target.provider}/${target.model}`;
    const cached = models.get(name);
    if (cached) return cached;
    const model = build(target, key);
    // A handful of models per key; the bound keeps a caller cycling model names from growing it.
    if (models.size >= 32) models.clear();
    models.set(name, model);
    return model;
  };

  function build(target: ModelTarget, key: ResolvedProviderKey): LanguageModelV4 {
    const apiKey = key.apiKey?.reveal();
    const baseURL = key.baseUrl;
    const fetch = options.fetch;
    switch (target.provider) {
      case 'openai':
        // .chat: the Chat Completions API, which this endpoint mirrors (the default is the Responses API).
        return createOpenAI({ apiKey, ...(baseURL && { baseURL }), fetch }).chat(target.model);
      case 'openai-compatible':
        if (!baseURL) throw new ValidationError('openai-compatible needs a base_url on its provider key');
        // includeUsage: streamed answers end with the usage, so a streamed call's cost is known.
        return createOpenAICompatible({
          name: 'openai-compatible',
          apiKey,
          baseURL,
          includeUsage: true,
          fetch,
        }).chatModel(target.model);
      case 'anthropic':
        return createAnthropic({ apiKey, ...(baseURL && { baseURL }), fetch })(target.model);
      case 'azure':
        return createAzure({ apiKey, ...(baseURL && { baseURL }), fetch }).chat(target.model);
      case 'google-vertex':
        return createVertex({ apiKey, ...(baseURL && { baseURL }), fetch })(target.model);
      case 'bedrock': {
        const region = key.region ?? options.defaultRegion;
        if (!region)
          throw new ValidationError('bedrock needs a region (PUT /v1/provider-keys/bedrock {"region": ...})');
        return createAmazonBedrock({
          region,
          fetch,
          ...(options.bedrockCredentials && { credentialProvider: options.bedrockCredentials }),
        })(target.model);
      }
    }
  }
}
