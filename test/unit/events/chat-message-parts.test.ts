import { describe, expect, it } from 'vitest';
import { toChatMessage } from '../../../lambdas/domain/events/chat-messages';

describe('toChatMessage', () => {
  it('joins text parts, collects tool calls and keeps unknown parts, in order', () => {
    const image = { type: 'image', url: 'https://example.com/a.png' };
    expect(
      toChatMessage({
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Hello, ' },
          image,
          { type: 'tool_call', id: 'c1', name: 'search', arguments: { q: 'x' } },
          { type: 'text', content: 'world' },
          'not an object',
        ],
      }),
    ).toEqual({
      role: 'assistant',
      content: 'Hello, world',
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'search', arguments: { q: 'x' } } }],
      parts: [image, 'not an object'],
    });
  });

  it('sets no content, tool_calls or parts when there are none', () => {
    expect(toChatMessage({ role: 'user', parts: [] })).toEqual({ role: 'user' });
  });
});
