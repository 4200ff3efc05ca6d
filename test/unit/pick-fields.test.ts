import { expect, it } from 'vitest';
import { pickFields } from '../../lambdas/domain/pick-fields';

it('keeps the named fields in their order, leaves out the missing ones and everything else', () => {
  const record = { secret: 'hash', name: 'shop', id: 'p1', description: undefined as string | undefined };
  const picked = pickFields(record, ['id', 'name', 'description']);
  expect(Object.entries(picked)).toEqual([
    ['id', 'p1'],
    ['name', 'shop'],
  ]);
  expect('description' in picked).toBe(false);
  expect(JSON.stringify(picked)).toBe('{"id":"p1","name":"shop"}');
});
