import { describe, expect, it } from 'vitest';
import { argumentsByName, parameterNames } from '../../src/instrumentation/params';

describe('parameterNames', () => {
  it('reads plain, default-valued and commented parameters', () => {
    function f(question: string, temperature = 0.2, /* note */ model = 'x') {
      return [question, temperature, model];
    }
    expect(parameterNames(f as never)).toEqual(['question', 'temperature', 'model']);
  });

  it('reads arrow functions, async ones and a bare single parameter', () => {
    expect(parameterNames(((a: number, b: number) => a + b) as never)).toEqual(['a', 'b']);
    expect(parameterNames((async (prompt: string) => prompt) as never)).toEqual(['prompt']);
    // Built from source so the compiler cannot add parentheses around the bare parameter.
    const bare = new Function('return async query => query')() as never;
    expect(parameterNames(bare)).toEqual(['query']);
  });

  it('reads methods and generators', () => {
    const obj = {
      answer(question: string, context: string[]) {
        return [question, context];
      },
    };
    expect(parameterNames(obj.answer as never)).toEqual(['question', 'context']);
    function* gen(items: number[]) {
      yield* items;
    }
    expect(parameterNames(gen as never)).toEqual(['items']);
  });

  it('leaves destructured and rest parameters unnamed', () => {
    const f = ({ a }: { a: number }, [b]: number[], ...rest: unknown[]) => [a, b, rest];
    expect(parameterNames(f as never)).toEqual([undefined, undefined, undefined]);
  });

  it('never throws, even for functions without readable source', () => {
    expect(parameterNames(Math.max as never)).toEqual([]);
    expect(parameterNames(((a: number) => a).bind(null) as never)).toEqual([]);
    expect(parameterNames(null as never)).toEqual([]);
  });
});

describe('argumentsByName', () => {
  it('keys arguments by name, falling back to arg<i> for unnamed or extra ones', () => {
    expect(argumentsByName(['q', undefined], ['hi', { a: 1 }, 3])).toEqual({
      q: 'hi',
      arg1: { a: 1 },
      arg2: 3,
    });
    expect(argumentsByName(['a', 'b'], [1])).toEqual({ a: 1 });
  });
});
