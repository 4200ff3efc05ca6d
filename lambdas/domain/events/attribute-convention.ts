/**
 * The one interface every attribute convention (dialect) implements. normalize-span knows no
 * convention by name: it offers each span attribute to the conventions that own its key (in
 * precedence order, until one maps it), then the span events, then calls finish(), and combines
 * what the conventions wrote into their ConventionFields by their order in the list (first wins).
 * The production list is CONVENTIONS (conventions/registry.ts). See docs/normalization.md.
 */
import type { AttributeValue } from '../otlp/model';
import type { ConventionFields } from './convention-fields';

export interface AttributeConvention {
  /** Unique in a list (e.g. 'gen_ai'); names the convention in errors and docs. */
  readonly name: string;
  /**
   * Which attribute keys the convention owns: every key starting with one of `keyPrefixes`
   * (non-empty, e.g. 'gen_ai.'), and the `exactKeys` named outside them (e.g. OpenInference's
   * 'session.id'). A key is offered only to the conventions that own it, in list order; several may
   * own the same key or prefix (OpenInference and Traceloop share 'llm.'). A key no convention owns
   * goes straight to metadata.attributes.
   */
  readonly keyPrefixes: readonly string[];
  readonly exactKeys: readonly string[];
  /**
   * Maps one attribute (value already capped) into `fields`: scalars through fields.offer (model,
   * provider, tokens, session, event name, event type hint, ...), JSON through fields.section(...).
   * Returns false when the key is not one it maps or its value cannot be used; the key is then
   * offered to the next convention that owns it, and if none maps it, kept under metadata.attributes.
   */
  apply(key: string, value: AttributeValue, fields: ConventionFields): boolean;
  /** Called for every span event, in order, after all attributes (attribute values already capped). */
  spanEvent?(
    name: string,
    attributes: Readonly<Record<string, AttributeValue>>,
    fields: ConventionFields,
  ): void;
  /**
   * Runs once after the attributes and span events, for mappings that need several attributes
   * together; only for a convention that was offered an attribute or span event on the span.
   */
  finish?(fields: ConventionFields): void;
}
