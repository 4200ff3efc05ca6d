/**
 * A made-up attribute dialect ("Acme"), written as a new dialect would be: one file implementing
 * AttributeConvention. The registry tests add it to a list with one line.
 */
import type { AttributeConvention } from '../../../lambdas/domain/events/attribute-convention';
import { setOwn, textFromAttribute, toJsonValue } from '../../../lambdas/domain/events/json-path';

export const acmeConvention: AttributeConvention = {
  name: 'acme',
  // acme.* is Acme's alone; it also takes one bare key and the llm.* keys the earlier owners of llm.* leave.
  keyPrefixes: ['acme.', 'llm.'],
  exactKeys: ['acme_session'],
  apply(key, value, fields) {
    switch (key) {
      case 'acme.model': {
        const model = textFromAttribute(value);
        if (model === undefined) return false;
        fields.offer('model', model);
        return true;
      }
      case 'acme.kind':
        if (value !== 'llm') return false;
        fields.offer('eventTypeHint', 'model');
        return true;
      case 'acme.tokens.in':
        return fields.offerCount('promptTokens', value);
      case 'acme.input':
        setOwn(fields.section('inputs'), 'value', toJsonValue(value));
        return true;
      case 'acme.note':
        setOwn(fields.section('inputs'), 'note', toJsonValue(value));
        return true;
      case 'acme_session':
        if (typeof value !== 'string' || value === '') return false;
        fields.offer('sessionId', value);
        return true;
      case 'llm.acme_only':
        setOwn(fields.section('metadata'), 'acme_only', toJsonValue(value));
        return true;
      default:
        return false;
    }
  },
  spanEvent(name, _attributes, fields) {
    if (name === 'acme.retry') fields.remember('retries', ((fields.recall('retries') as number) ?? 0) + 1);
  },
  finish(fields) {
    const retries = fields.recall('retries');
    if (retries !== undefined) setOwn(fields.section('metrics'), 'acme_retries', retries);
  },
};
