import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/domain/errors';
import { PROVIDERS, parseProvider } from '../../../lambdas/domain/providers/providers';
import {
  MAX_API_KEY_LENGTH,
  parseBaseUrl,
  parseProviderKeyRequest,
  parseScope,
} from '../../../lambdas/domain/providers/request';

const KEY = 'sk-test-0123456789abcdef';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('providers', () => {
  it('are the ids the proxy uses as <provider>/<model>', () => {
    // The list itself is pinned by the refusal below, which names every one in order.
    expect(new Set(PROVIDERS).size).toBe(PROVIDERS.length);
    for (const id of PROVIDERS) expect(parseProvider(id)).toBe(id);
  });

  it('refuse an unknown one, listing the known ones', () => {
    expect(refusal(() => parseProvider('cohere'))).toBe(
      'Unknown provider "cohere"; known providers: openai, anthropic, azure, google-vertex, bedrock, openai-compatible',
    );
    // Odd values are not echoed.
    expect(refusal(() => parseProvider('<script>'))).toMatch(
      /^Unknown provider this; known providers: openai/,
    );
    expect(refusal(() => parseProvider('OpenAI'))).toMatch(/Unknown provider "OpenAI"/);
  });
});

describe('a provider key request', () => {
  it('takes an api_key, an optional base_url and a scope (project by default)', () => {
    expect(parseProviderKeyRequest('openai', { api_key: KEY })).toEqual({
      provider: 'openai',
      scope: 'project',
      apiKey: KEY,
    });
    expect(
      parseProviderKeyRequest('azure', {
        api_key: KEY,
        base_url: 'https://Acme.openai.azure.com/',
        scope: 'workspace',
      }),
    ).toEqual({
      provider: 'azure',
      scope: 'workspace',
      apiKey: KEY,
      baseUrl: 'https://acme.openai.azure.com',
    });
  });

  it('accepts api keys of 1 to 8192 printable characters with no whitespace', () => {
    expect(parseProviderKeyRequest('openai', { api_key: 'x' }).apiKey).toBe('x');
    const longest = 'k'.repeat(MAX_API_KEY_LENGTH);
    expect(parseProviderKeyRequest('openai', { api_key: longest }).apiKey).toBe(longest);
    expect(refusal(() => parseProviderKeyRequest('openai', { api_key: `${longest}k` }))).toBe(
      'api_key is longer than 8192 characters',
    );
    for (const bad of [`${KEY}\n`, ` ${KEY}`, 'sk a', 'sk\ta', 'sk-é', 'sk\u0000']) {
      const message = refusal(() => parseProviderKeyRequest('openai', { api_key: bad }));
      expect(message).toMatch(/^api_key must be printable ASCII/);
      expect(message).not.toContain(bad.trim());
    }
    expect(refusal(() => parseProviderKeyRequest('openai', {}))).toBe('api_key is required');
    expect(refusal(() => parseProviderKeyRequest('openai', { api_key: '' }))).toBe('api_key is required');
    expect(refusal(() => parseProviderKeyRequest('openai', { api_key: 42 }))).toBe(
      'api_key must be a string',
    );
  });

  it('never quotes the api_key in a refusal', () => {
    const secret = 'sk-SECRET-never-shown-1234';
    for (const body of [
      { api_key: secret, base_url: 'http://example.com' },
      { api_key: secret, scope: 'team' },
      { api_key: secret, extra: secret },
      { api_key: `${secret} ` },
    ]) {
      expect(refusal(() => parseProviderKeyRequest('openai', body))).not.toContain('SECRET');
    }
  });

  it('requires base_url for azure and openai-compatible', () => {
    expect(refusal(() => parseProviderKeyRequest('azure', { api_key: KEY }))).toBe(
      'base_url is required for azure (the https URL of its endpoint)',
    );
    expect(refusal(() => parseProviderKeyRequest('openai-compatible', { api_key: KEY }))).toMatch(
      /^base_url is required for openai-compatible/,
    );
  });

  it('refuses an api_key for bedrock, explaining the IAM role, and takes a region instead', () => {
    expect(refusal(() => parseProviderKeyRequest('bedrock', { api_key: KEY }))).toMatch(
      /^bedrock takes no api_key: Waggle calls it with the IAM role of the function that calls the model/,
    );
    expect(parseProviderKeyRequest('bedrock', { region: 'eu-central-1' })).toEqual({
      provider: 'bedrock',
      scope: 'project',
      region: 'eu-central-1',
    });
    expect(parseProviderKeyRequest('bedrock', { scope: 'workspace' })).toEqual({
      provider: 'bedrock',
      scope: 'workspace',
    });
    expect(refusal(() => parseProviderKeyRequest('bedrock', { region: 'Frankfurt' }))).toMatch(/AWS region/);
    expect(refusal(() => parseProviderKeyRequest('bedrock', { base_url: 'https://x.example' }))).toBe(
      'bedrock takes no base_url',
    );
    expect(refusal(() => parseProviderKeyRequest('openai', { api_key: KEY, region: 'us-east-1' }))).toBe(
      'region is only for bedrock',
    );
  });

  it('refuses unknown fields and scopes', () => {
    expect(refusal(() => parseProviderKeyRequest('openai', { api_key: KEY, key: 'x' }))).toMatch(
      /^Unknown field\(s\) key;/,
    );
    expect(refusal(() => parseProviderKeyRequest('openai', { api_key: KEY, scope: 'org' }))).toBe(
      'scope must be one of project, workspace',
    );
    expect(parseScope(undefined, 'scope')).toBe('project');
    expect(parseScope('workspace', 'scope')).toBe('workspace');
  });
});

describe('base_url', () => {
  it('is https, without credentials, query or fragment', () => {
    expect(parseBaseUrl('https://api.example.com/v1/')).toBe('https://api.example.com/v1');
    expect(parseBaseUrl('https://api.example.com:8443/openai')).toBe('https://api.example.com:8443/openai');
    expect(refusal(() => parseBaseUrl('http://api.example.com'))).toBe('base_url must be https');
    expect(refusal(() => parseBaseUrl('ftp://api.example.com'))).toBe('base_url must be https');
    expect(refusal(() => parseBaseUrl('https://user:pw@api.example.com'))).toMatch(
      /must not carry credentials/,
    );
    expect(refusal(() => parseBaseUrl('https://api.example.com/?x=1'))).toMatch(/query or a fragment/);
    expect(refusal(() => parseBaseUrl('https://api.example.com/?'))).toMatch(/query or a fragment/);
    expect(refusal(() => parseBaseUrl('https://api.example.com/#f'))).toMatch(/query or a fragment/);
    expect(refusal(() => parseBaseUrl('api.example.com'))).toBe('base_url is not a valid absolute URL');
    expect(refusal(() => parseBaseUrl(`https://example.com/${'a'.repeat(2048)}`))).toMatch(
      /longer than 2048/,
    );
  });

  it('refuses loopback, link-local and private addresses on AWS', () => {
    for (const url of [
      'https://127.0.0.1/v1',
      'https://localhost/v1',
      'https://localhost./v1',
      'https://api.localhost/v1',
      'https://2130706433/',
      'https://[::ffff:127.0.0.1]/',
      'https://169.254.169.254/latest',
      'https://10.0.0.5',
      'https://172.20.1.1',
      'https://192.168.1.1',
      'https://[::1]/',
      'https://[fd00::1]/',
    ]) {
      expect(
        refusal(() => parseBaseUrl(url)),
        url,
      ).toMatch(/loopback, link-local or private/);
    }
  });

  it('allows http on loopback only when allowLoopbackBaseUrl is on (local mode)', () => {
    const local = { allowLoopbackBaseUrl: true };
    expect(parseBaseUrl('http://127.0.0.1:11434/v1', local)).toBe('http://127.0.0.1:11434/v1');
    expect(parseBaseUrl('http://localhost:8000', local)).toBe('http://localhost:8000');
    expect(refusal(() => parseBaseUrl('http://127.0.0.1:11434/v1'))).toBe('base_url must be https');
    expect(refusal(() => parseBaseUrl('http://api.example.com', local))).toBe(
      'base_url must be https (http only on 127.0.0.1 or localhost)',
    );
  });
});
