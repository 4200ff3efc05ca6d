import { describe, expect, it } from 'vitest';
import {
  contentParts,
  inputMessages,
  isTruncated,
  messageKey,
  outputMessages,
  toMessages,
  toolCalls,
} from '../src/event/chat';

describe('reading chat messages out of events', () => {
  it('finds the history under chat_history, messages or prompt, and only when every item is a message', () => {
    const history = [{ role: 'user', content: 'hi' }];
    expect(inputMessages({ chat_history: history })).toEqual({ key: 'chat_history', messages: history });
    expect(inputMessages({ messages: history, other: 1 })?.key).toBe('messages');
    expect(inputMessages({ prompt: history })?.key).toBe('prompt');
    expect(inputMessages({ chat_history: [...history, { text: 'not a message' }] })).toBeNull();
    expect(inputMessages({ chat_history: [] })).toBeNull();
    expect(inputMessages({ prompt: 'a string prompt' })).toBeNull();
    expect(inputMessages(undefined)).toBeNull();
  });

  it('reads outputs as one message, choices (of messages or { message }), messages or message', () => {
    expect(outputMessages({ role: 'assistant', content: 'A', finish_reason: 'stop' })).toEqual({
      keys: ['role', 'content', 'tool_calls'],
      messages: [{ role: 'assistant', content: 'A', finish_reason: 'stop' }],
    });
    expect(
      outputMessages({ choices: [{ index: 0, message: { role: 'assistant', content: 'B' } }] })?.messages,
    ).toEqual([{ role: 'assistant', content: 'B' }]);
    expect(outputMessages({ messages: [{ role: 'assistant', content: 'C' }] })?.keys).toEqual(['messages']);
    expect(outputMessages({ message: { role: 'assistant', content: 'D' } })?.keys).toEqual(['message']);
    expect(outputMessages({ result: 42 })).toBeNull();
    expect(outputMessages({ role: 'assistant' })).toBeNull();
    expect(toMessages([{ role: '', content: 'x' }])).toBeNull();
  });

  it('reads tool calls OpenAI style and flat, parsing JSON arguments', () => {
    expect(
      toolCalls({
        role: 'assistant',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } },
          { name: 'search', arguments: { q: 'x' } },
          { id: 'c3', function: { name: 'broken', arguments: '{not json' } },
        ],
      }),
    ).toEqual([
      { id: 'c1', name: 'get_weather', arguments: { city: 'Lisbon' } },
      { id: undefined, name: 'search', arguments: { q: 'x' } },
      { id: 'c3', name: 'broken', arguments: '{not json' },
    ]);
    expect(toolCalls({ role: 'assistant', content: 'none' })).toEqual([]);
  });

  it('splits content into text and other parts', () => {
    expect(contentParts('hi')).toEqual([{ kind: 'text', text: 'hi' }]);
    expect(contentParts(null)).toEqual([]);
    expect(
      contentParts([
        { type: 'text', text: 'a' },
        { type: 'text', content: 'b' },
        'c',
        { type: 'image_url', image_url: { url: 'u' } },
      ]),
    ).toEqual([
      { kind: 'text', text: 'a' },
      { kind: 'text', text: 'b' },
      { kind: 'text', text: 'c' },
      { kind: 'other', value: { type: 'image_url', image_url: { url: 'u' } } },
    ]);
  });

  it('keys messages by meaning, not representation', () => {
    expect(messageKey({ role: 'User', content: ' hi ' })).toBe(
      messageKey({ role: 'user', content: [{ type: 'text', text: 'hi' }] }),
    );
    expect(messageKey({ role: 'assistant', content: null, tool_calls: [] })).toBe(
      messageKey({ role: 'assistant', content: '' }),
    );
    expect(messageKey({ role: 'user', content: 'hi' })).not.toBe(
      messageKey({ role: 'assistant', content: 'hi' }),
    );
  });

  it('recognizes truncated values', () => {
    expect(isTruncated({ _truncated: true, _preview: 'abc', _bytes: 10 })).toBe(true);
    expect(isTruncated({ _truncated: 'yes', _preview: 'abc' })).toBe(false);
    expect(isTruncated('abc')).toBe(false);
  });
});
