import { describe, expect, it } from 'vitest';
import { fillTemplate, templateVariables } from '../../../lambdas/domain/configurations/template-variables';

describe('template variables', () => {
  const template = [
    { role: 'system' as const, content: 'You help {{ user }} in {{lang}}.' },
    { role: 'user' as const, content: '{{question}} ({{lang}}) {{ not a var }} {x} {{9bad}}' },
  ];

  it('lists each {{variable}} once, in order of first use', () => {
    expect(templateVariables(template)).toEqual(['user', 'lang', 'question']);
    expect(templateVariables([])).toEqual([]);
  });

  it('fills known variables and leaves unknown placeholders as written', () => {
    expect(fillTemplate(template, { user: 'Ada', lang: 'fr', toString: 'no' })).toEqual([
      { role: 'system', content: 'You help Ada in fr.' },
      { role: 'user', content: '{{question}} (fr) {{ not a var }} {x} {{9bad}}' },
    ]);
  });
});
