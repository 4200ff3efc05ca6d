/**
 * The conventions registry: the production list and its order, and what adding a dialect takes,
 * shown with a made-up one (acme-convention.ts) added to a test-only list with one line.
 */
import { describe, expect, it } from 'vitest';
import type { AttributeConvention } from '../../../lambdas/domain/events/attribute-convention';
import { routeConventions, targetsFor } from '../../../lambdas/domain/events/convention-routing';
import { genAiConvention } from '../../../lambdas/domain/events/conventions/gen-ai';
import { honeyHiveConvention } from '../../../lambdas/domain/events/conventions/honeyhive';
import { openInferenceConvention } from '../../../lambdas/domain/events/conventions/openinference';
import { CONVENTIONS } from '../../../lambdas/domain/events/conventions/registry';
import { traceloopConvention } from '../../../lambdas/domain/events/conventions/traceloop';
import { createSpanNormalizer, normalizeSpan } from '../../../lambdas/domain/events/normalize-span';
import type { Attributes } from '../../../lambdas/domain/otlp/model';
import { acmeConvention } from './acme-convention';
import { makeContext, makeSpan } from './span-fixtures';

describe('CONVENTIONS', () => {
  it('lists the conventions in the documented precedence order', () => {
    expect(CONVENTIONS.map((c) => c.name)).toEqual(['honeyhive', 'gen_ai', 'openinference', 'traceloop']);
  });

  it('routes every key to its owners in that order, and unowned keys to none', () => {
    const routing = routeConventions(CONVENTIONS);
    const owners = (key: string) => targetsFor(routing, key).map((t) => t.convention.name);
    expect(owners('honeyhive_inputs.a')).toEqual(['honeyhive']);
    expect(owners('honeyhive.session_id')).toEqual(['honeyhive']);
    expect(owners('session_id')).toEqual(['honeyhive']);
    expect(owners('run_id')).toEqual(['honeyhive']);
    expect(owners('gen_ai.request.model')).toEqual(['gen_ai']);
    expect(owners('llm.model_name')).toEqual(['openinference', 'traceloop']);
    expect(owners('llm.request.type')).toEqual(['openinference', 'traceloop']);
    expect(owners('traceloop.entity.name')).toEqual(['traceloop']);
    expect(owners('session.id')).toEqual(['openinference']);
    expect(owners('input.value')).toEqual(['openinference']);
    expect(owners('http.route')).toEqual([]);
    expect(owners('session.idx')).toEqual([]);
    expect(owners('')).toEqual([]);
    expect(owners('é.x')).toEqual([]);
  });

  it('owns only exact keys its convention maps', () => {
    for (const convention of CONVENTIONS) {
      for (const key of convention.exactKeys) {
        const e = normalizeSpan(makeSpan({ [key]: '{"a":1}' }), makeContext());
        expect([convention.name, key, e.metadata.attributes]).toEqual([convention.name, key, undefined]);
      }
    }
  });

  it('rejects a list that names a convention twice or owns an empty prefix', () => {
    expect(() => routeConventions([genAiConvention, genAiConvention])).toThrow(/listed twice/);
    expect(() => routeConventions([{ ...acmeConvention, keyPrefixes: [''] }])).toThrow(/empty key prefix/);
  });
});

describe('adding a dialect: one file and one line in the list', () => {
  // The one line: Acme between OTel GenAI and OpenInference.
  const normalize = createSpanNormalizer([
    honeyHiveConvention,
    genAiConvention,
    acmeConvention,
    openInferenceConvention,
    traceloopConvention,
  ]);
  const event = (attributes: Attributes, overrides = {}) =>
    normalize(makeSpan(attributes, overrides), makeContext());

  it('maps the dialect attributes into the event', () => {
    const e = event({
      'acme.model': 'gpt-4o-mini',
      'acme.kind': 'llm',
      'acme.tokens.in': 1000,
      'acme.input': 'hello',
      acme_session: 'acme-session',
    });
    expect(e.model).toBe('gpt-4o-mini');
    expect(e.event_type).toBe('model');
    expect(e.prompt_tokens).toBe(1000);
    expect(e.cost).toBeCloseTo((1000 * 0.15) / 1e6, 12);
    expect(e.inputs).toEqual({ value: 'hello' });
    expect(e.session_id).toBe('acme-session');
    expect(e.metadata.attributes).toBeUndefined();
  });

  it('loses to the conventions before it and beats those after it, field by field', () => {
    const e = event({
      'gen_ai.request.model': 'from-genai',
      'acme.model': 'from-acme',
      'llm.model_name': 'from-openinference',
      honeyhive_session_id: 'from-honeyhive',
      acme_session: 'from-acme',
      'session.id': 'from-openinference',
      'acme.tokens.in': 7,
      'llm.token_count.prompt': 9,
    });
    expect(e.model).toBe('from-genai');
    expect(e.session_id).toBe('from-honeyhive');
    expect(e.prompt_tokens).toBe(7);
    expect(event({ acme_session: 'from-acme', 'session.id': 'from-openinference' }).session_id).toBe(
      'from-acme',
    );
    expect(event({ 'acme.model': 'from-acme', 'llm.model_name': 'from-openinference' }).model).toBe(
      'from-acme',
    );
  });

  it('merges its sections key by key with the others, by the same order', () => {
    const e = event({
      'acme.input': 'from-acme',
      'acme.note': 'only acme',
      'input.value': 'from-openinference',
      'honeyhive_inputs.value': 'from-honeyhive',
      'gen_ai.tool.call.arguments': '{"q":1}',
    });
    expect(e.inputs).toEqual({ value: 'from-honeyhive', note: 'only acme', arguments: { q: 1 } });
    expect(event({ 'acme.input': 'from-acme', 'input.value': 'from-openinference' }).inputs).toEqual({
      value: 'from-acme',
    });
  });

  it('gets the keys of a shared prefix only after the earlier owners leave them', () => {
    const e = event({
      'llm.acme_only': 1,
      'llm.model_name': 'from-openinference',
      'llm.usage.total_tokens': 5,
    });
    expect(e.metadata.acme_only).toBe(1);
    expect(e.model).toBe('from-openinference');
    expect(e.total_tokens).toBe(5);
  });

  it('runs its span-event and finish hooks', () => {
    const retry = { name: 'acme.retry', timeUnixMs: 1, attributes: {} };
    expect(event({}, { events: [retry, retry] }).metrics).toEqual({ acme_retries: 2 });
  });

  it('wins over HoneyHive when listed first', () => {
    const first = createSpanNormalizer([acmeConvention, ...CONVENTIONS]);
    const e = first(
      makeSpan({ acme_session: 'from-acme', honeyhive_session_id: 'from-honeyhive' }),
      makeContext(),
    );
    expect(e.session_id).toBe('from-acme');
  });

  it('leaves the production list untouched: there, its attributes are unmapped', () => {
    const e = normalizeSpan(makeSpan({ 'acme.model': 'gpt-4o-mini', acme_session: 's' }), makeContext());
    expect(e.model).toBeNull();
    expect(e.metadata.attributes).toEqual({ 'acme.model': 'gpt-4o-mini', acme_session: 's' });
  });
});

describe('keys no convention owns', () => {
  it('are offered to no convention, so names of Object.prototype members stay attributes', () => {
    const offered: string[] = [];
    const spy: AttributeConvention = {
      name: 'spy',
      keyPrefixes: ['spy.'],
      exactKeys: ['spy'],
      apply(key) {
        offered.push(key);
        return false;
      },
    };
    const normalize = createSpanNormalizer([...CONVENTIONS, spy]);
    const attributes = { constructor: 'c', toString: 't', __proto__x: 'p', 'spy.a': 1, spy: 2, spyx: 3 };
    const e = normalize(makeSpan(attributes), makeContext());
    expect(offered).toEqual(['spy.a', 'spy']);
    expect(e.metadata.attributes).toEqual(attributes);
    expect(
      normalizeSpan(makeSpan({ constructor: 'c', valueOf: 'v' }), makeContext()).metadata.attributes,
    ).toEqual({
      constructor: 'c',
      valueOf: 'v',
    });
  });
});
