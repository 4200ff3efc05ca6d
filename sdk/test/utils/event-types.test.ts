import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, inferEventType, resolveEventType } from '../../src/utils/event-types';

describe('event types', () => {
  it('are the four the normalizer accepts', () => {
    expect([...EVENT_TYPES]).toEqual(['model', 'tool', 'chain', 'session']);
  });

  it.each([
    ['callLLM', 'model'],
    ['chat_completion', 'model'],
    ['generate-answer', 'model'],
    ['embedDocuments', 'model'],
    ['webSearch', 'tool'],
    ['retrieval step', 'tool'],
    ['callTool', 'tool'],
    ['toolbox', 'chain'],
    ['modeling', 'chain'],
    ['workflow', 'chain'],
    ['', 'chain'],
  ])('infers %s -> %s from whole words', (name, type) => {
    expect(inferEventType(name)).toBe(type);
  });

  it('an explicit type wins (case-insensitive); an unknown one falls back to inference', () => {
    expect(resolveEventType('callLLM', 'tool')).toBe('tool');
    expect(resolveEventType('x', 'SESSION')).toBe('session');
    expect(resolveEventType('webSearch', 'agent')).toBe('tool');
    expect(resolveEventType('webSearch')).toBe('tool');
  });
});
