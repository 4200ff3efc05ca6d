import { describe, expect, it } from 'vitest';
import {
  checkParameters,
  completionRequest,
  configurationBody,
  draftFromConfiguration,
  emptyDraft,
  filledMessages,
  hyperparameters,
  newMessage,
  sameAsConfiguration,
  variablesOf,
} from '../src/playground/draft';

describe('playground draft', () => {
  it('reads a completion configuration (one prompt string) as one user message, stop lists as lines', () => {
    const draft = draftFromConfiguration({
      _id: 'c',
      project: 'p1',
      name: 'n',
      provider: 'bedrock',
      parameters: {
        call_type: 'completion',
        model: 'anthropic.claude',
        hyperparameters: { stop: ['a', 'b'], top_p: 0.9 },
        template: 'Say {{ word }}',
      },
    });
    expect(draft.provider).toBe('bedrock');
    expect(draft.messages.map(({ role, content }) => ({ role, content }))).toEqual([
      { role: 'user', content: 'Say {{ word }}' },
    ]);
    expect(draft.parameters).toEqual({ temperature: '', maxTokens: '', topP: '0.9', stop: 'a\nb' });
    expect(variablesOf(draft.messages)).toEqual(['word']);
  });

  it('fills known variables for display and leaves unfilled ones as written', () => {
    const draft = {
      ...emptyDraft(),
      messages: [newMessage('user', 'Hi {{name}}, about {{topic}} and {{name}}')],
      variables: { name: 'Ada', topic: '' },
    };
    expect(filledMessages(draft)).toEqual([{ role: 'user', content: 'Hi Ada, about {{topic}} and Ada' }]);
    // An edited draft goes as <provider>/<model> with its messages filled here (the proxy fills
    // only a configuration's template), every variable used sent, an empty one as empty text.
    expect(completionRequest({ ...draft, model: ' gpt-x ' }, { user: 'waggle-console:u1' })).toEqual({
      model: 'openai/gpt-x',
      messages: [{ role: 'user', content: 'Hi Ada, about  and Ada' }],
      variables: { name: 'Ada', topic: '' },
      user: 'waggle-console:u1',
      stream: true,
      stream_options: { include_usage: true },
    });
    // A configuration as saved goes by its name: the proxy uses its template and fills it.
    expect(completionRequest(draft, { configurationName: 'greeter' })).toEqual({
      model: 'greeter',
      messages: [],
      variables: { name: 'Ada', topic: '' },
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('knows a draft that is the configuration as saved from an edited one', () => {
    const configuration = {
      _id: 'c',
      project: 'p1',
      name: 'n',
      provider: 'openai',
      parameters: {
        call_type: 'chat' as const,
        model: 'gpt-x',
        hyperparameters: { temperature: 0.5, presence_penalty: 1 },
        template: [{ role: 'user' as const, content: 'Hi {{name}}' }],
      },
    };
    const draft = draftFromConfiguration(configuration);
    expect(sameAsConfiguration({ ...draft, variables: { name: 'Ada' } }, configuration)).toBe(true);
    expect(sameAsConfiguration({ ...draft, model: 'gpt-y' }, configuration)).toBe(false);
    expect(
      sameAsConfiguration(
        { ...draft, parameters: { ...draft.parameters, temperature: '0.6' } },
        configuration,
      ),
    ).toBe(false);
    expect(
      sameAsConfiguration({ ...draft, messages: [...draft.messages, newMessage('user', '')] }, configuration),
    ).toBe(false);
  });

  it('sends only the parameters given, and names a bad one', () => {
    expect(hyperparameters({ temperature: '0', maxTokens: '', topP: '', stop: '\n' })).toEqual({
      temperature: 0,
    });
    expect(checkParameters({ temperature: '2', maxTokens: '1', topP: '1', stop: '' })).toEqual({});
    expect(checkParameters({ temperature: '-1', maxTokens: '1.5', topP: '1.1', stop: '' })).toEqual({
      temperature: 'Temperature is a number from 0 to 2',
      maxTokens: 'Max tokens is a whole number, 1 or more',
      topP: 'Top P is a number from 0 to 1',
    });
    expect(completionRequest({ ...emptyDraft(), model: 'm' })).not.toHaveProperty('variables');
  });

  it('keeps a completion configuration one while the draft is one prompt', () => {
    const configuration = {
      _id: 'c',
      project: 'p1',
      name: 'n',
      provider: 'openai',
      parameters: { call_type: 'completion' as const, model: 'm', template: 'Say {{word}}' },
    };
    const draft = draftFromConfiguration(configuration);
    expect(configurationBody(draft, 'n', configuration).parameters).toMatchObject({
      call_type: 'completion',
      template: [{ role: 'user', content: 'Say {{word}}' }],
    });
    const longer = { ...draft, messages: [newMessage('system', 'Be brief.'), ...draft.messages] };
    expect(configurationBody(longer, 'n', configuration).parameters.call_type).toBe('chat');
  });
});
