/**
 * `@tracer.traceMethod()` written as real decorator syntax. Vitest's transformer here rejects
 * decorators, so the class is compiled by esbuild (TypeScript standard decorators, target es2022,
 * which lowers them to the TC39 runtime calls) into a temporary .mjs file and imported from there.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SpanStatusCode } from '@opentelemetry/api';
import { transform } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WaggleTracer } from '../../src/index';
import { type MemoryTracer, memoryTracer } from '../core/helpers';

const SOURCE = `
import type { WaggleTracer } from '@waggle/sdk';

export class AgentError extends Error {}

export function defineAgent(tracer: WaggleTracer) {
  class Agent {
    private readonly prefix = 'answer:';
    calls = 0;

    @tracer.traceMethod({ eventType: 'chain' })
    async answer(question: string, attempt = 1): Promise<string> {
      this.calls++;
      return \`\${this.prefix} \${question} #\${attempt}\`;
    }

    @tracer.traceMethod()
    searchTool(query: string): string[] {
      return [query.toUpperCase()];
    }

    @tracer.traceMethod({ name: 'riskyStep', eventType: 'tool' })
    explode(reason: string): never {
      throw new AgentError(reason);
    }

    @tracer.traceMethod()
    async rejectLater(): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw new AgentError('later');
    }

    @tracer.traceMethod({ eventType: 'model' })
    *streamTokens(text: string): Generator<string> {
      for (const token of text.split(' ')) yield token;
    }

    @tracer.traceMethod()
    static describe(): string {
      return 'agent v1';
    }
  }
  return Agent;
}
`;

interface AgentInstance {
  calls: number;
  answer(question: string, attempt?: number): Promise<string>;
  searchTool(query: string): string[];
  explode(reason: string): never;
  rejectLater(): Promise<void>;
  streamTokens(text: string): Generator<string>;
}
interface AgentModule {
  AgentError: new (message: string) => Error;
  defineAgent(tracer: WaggleTracer): { new (): AgentInstance; describe(): string };
}

let dir: string;
let compiled: string;
let agentModule: AgentModule;
let t: MemoryTracer;

beforeAll(async () => {
  const result = await transform(SOURCE, {
    loader: 'ts',
    format: 'esm',
    target: 'es2022',
    // Standard (TC39) decorators, which is what traceMethod implements.
    tsconfigRaw: { compilerOptions: { experimentalDecorators: false } },
  });
  compiled = result.code;
  dir = await mkdtemp(join(tmpdir(), 'waggle-decorators-'));
  const file = join(dir, 'agent.mjs');
  await writeFile(file, compiled);
  agentModule = (await import(pathToFileURL(file).href)) as AgentModule;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await t?.tracer.shutdown();
});

function only(name: string) {
  const found = t.spans().filter((s) => s.name === name);
  expect(found).toHaveLength(1);
  return found[0] as NonNullable<(typeof found)[0]>;
}

describe('@tracer.traceMethod() decorator syntax', () => {
  it('was compiled from real decorators, not hand-applied calls', () => {
    expect(SOURCE).toContain('@tracer.traceMethod(');
    expect(compiled).not.toContain('@tracer');
    // esbuild's runtime for standard decorators.
    expect(compiled).toContain('__decorateElement');
  });

  it('traces async methods with this intact, inputs by parameter name and the result unchanged', async () => {
    t = memoryTracer();
    const Agent = agentModule.defineAgent(t.tracer);
    const agent = new Agent();
    expect(await agent.answer('refunds?', 2)).toBe('answer: refunds? #2');
    expect(agent.calls).toBe(1);
    const span = only('answer');
    expect(span.attributes.honeyhive_event_type).toBe('chain');
    expect(span.attributes['honeyhive_inputs.question']).toBe('refunds?');
    expect(span.attributes['honeyhive_inputs.attempt']).toBe(2);
    expect(span.attributes['honeyhive_outputs.result']).toBe('answer: refunds? #2');
  });

  it('infers the event type from the method name and traces static methods', () => {
    t = memoryTracer();
    const Agent = agentModule.defineAgent(t.tracer);
    expect(new Agent().searchTool('abc')).toEqual(['ABC']);
    expect(Agent.describe()).toBe('agent v1');
    expect(only('searchTool').attributes.honeyhive_event_type).toBe('tool');
    expect(only('describe').attributes.honeyhive_event_type).toBe('chain');
  });

  it('rethrows the same error (sync and async) and records it on the span', async () => {
    t = memoryTracer();
    const Agent = agentModule.defineAgent(t.tracer);
    const agent = new Agent();
    let thrown: unknown;
    try {
      agent.explode('no fuel');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(agentModule.AgentError);
    expect((thrown as Error).message).toBe('no fuel');
    const risky = only('riskyStep');
    expect(risky.attributes.honeyhive_event_type).toBe('tool');
    expect(risky.status.code).toBe(SpanStatusCode.ERROR);
    expect(risky.attributes.honeyhive_error).toBe('no fuel');

    await expect(agent.rejectLater()).rejects.toBeInstanceOf(agentModule.AgentError);
    expect(only('rejectLater').status.code).toBe(SpanStatusCode.ERROR);
  });

  it('traces generator methods over the whole iteration', () => {
    t = memoryTracer();
    const Agent = agentModule.defineAgent(t.tracer);
    const tokens = [...new Agent().streamTokens('one two three')];
    expect(tokens).toEqual(['one', 'two', 'three']);
    const span = only('streamTokens');
    expect(span.attributes.honeyhive_event_type).toBe('model');
    expect(String(span.attributes['honeyhive_outputs.result'])).toContain('one');
  });

  it('runs decorated methods untraced, with results unchanged, on a disabled tracer', async () => {
    t = memoryTracer({ disabled: true });
    const Agent = agentModule.defineAgent(t.tracer);
    expect(await new Agent().answer('x')).toBe('answer: x #1');
    expect(t.spans()).toHaveLength(0);
  });
});
