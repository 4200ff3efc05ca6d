import { describe, expect, it } from 'vitest';
import {
  readConfigurationInput,
  readEnvironment,
} from '../../../lambdas/domain/configurations/configuration-input';
import { MAX_VERSION_BYTES } from '../../../lambdas/domain/configurations/limits';
import { TooLargeError, ValidationError } from '../../../lambdas/domain/errors';
import { wireBody } from './fixtures';

describe('readConfigurationInput (HoneyHive POST/PUT /configurations bodies)', () => {
  it('reads what the honeyhive client sends', () => {
    expect(
      readConfigurationInput(
        wireBody(
          { tags: ['a'], user_properties: { by: 'me' } },
          { responseFormat: { type: 'json_object' }, functionCallParams: 'auto' },
        ),
      ),
    ).toEqual({
      project: 'shop',
      name: 'greeter',
      env: ['dev'],
      content: {
        provider: 'openai',
        model: 'gpt-4o-mini',
        callType: 'chat',
        hyperparameters: { temperature: 0.2 },
        template: [
          { role: 'system', content: 'Be kind.' },
          { role: 'user', content: 'Hello {{name}}' },
        ],
        selectedFunctions: [{ id: 'f1', name: 'get_weather', parameters: { type: 'object' } }],
        responseFormat: { type: 'json_object' },
        functionCallParams: 'auto',
        type: 'LLM',
        tags: ['a'],
        userProperties: { by: 'me' },
      },
    });
  });

  it('holds a completion prompt string as one user message; no env means none given', () => {
    const input = readConfigurationInput(
      wireBody({ env: undefined }, { call_type: 'completion', template: 'Say {{x}}' }),
    );
    expect(input.content.template).toEqual([{ role: 'user', content: 'Say {{x}}' }]);
    expect(input.env).toBeUndefined();
  });

  it.each([
    [wireBody({ extra: 1 }), /unknown field "extra"/],
    [wireBody({}, { temprature: 1 }), /unknown field "parameters.temprature"/],
    [wireBody({ env: ['qa'] }), /env\[0\] must be one of dev, staging, prod/],
    [wireBody({ env: 'dev' }), /env must be a list/],
    [wireBody({ provider: 'acme' }), /provider must be one of/],
    [wireBody({ name: '' }), /name must be a non-empty string/],
    [wireBody({ name: 'x'.repeat(201) }), /name must be a non-empty string of at most 200/],
    [wireBody({}, { call_type: undefined }), /call_type is required/],
    [wireBody({}, { model: 3 }), /parameters.model/],
    [wireBody({}, { template: [{ role: 'wizard', content: 'x' }] }), /template\[0\].role must be one of/],
    [
      wireBody({}, { template: [{ role: 'user', content: 'x', name: 'y' }] }),
      /unknown field "parameters.template\[0\].name"/,
    ],
    [wireBody({}, { selectedFunctions: [{ name: 'no id' }] }), /selectedFunctions\[0\].id/],
    [wireBody({}, { hyperparameters: [] }), /hyperparameters must be a JSON object/],
    [
      wireBody(
        {},
        {
          call_type: 'completion',
          template: [
            { role: 'user', content: 'a' },
            { role: 'user', content: 'b' },
          ],
        },
      ),
      /completion template is one prompt/,
    ],
    [[], /body must be a JSON object/],
  ])('refuses %# with a ValidationError naming the problem', (body, message) => {
    expect(() => readConfigurationInput(body)).toThrow(ValidationError);
    expect(() => readConfigurationInput(body)).toThrow(message);
  });

  it(`refuses a version over ${MAX_VERSION_BYTES / 1024} KiB as too large`, () => {
    const big = wireBody({}, { template: [{ role: 'user', content: 'x'.repeat(MAX_VERSION_BYTES) }] });
    expect(() => readConfigurationInput(big)).toThrow(TooLargeError);
  });

  it('reads an env query value strictly', () => {
    expect(readEnvironment('prod')).toBe('prod');
    expect(() => readEnvironment('production')).toThrow(ValidationError);
  });
});
