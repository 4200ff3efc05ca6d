/**
 * What one attribute convention extracted from a span. Each convention fills its own
 * ConventionFields; normalize-span combines them by the documented precedence.
 */
import type { AttributeValue } from '../otlp/model';
import type { EventSection, EventType, JsonObject } from './event';
import { countFromAttribute, textFromAttribute } from './json-path';

export interface ScalarFields {
  /** A definite event type the convention implies (e.g. gen_ai.operation.name = chat -> model). */
  eventTypeHint: EventType;
  /** An explicit event type as written by the span (HoneyHive only); validated later. */
  explicitEventType: string;
  eventName: string;
  sessionId: string;
  projectName: string;
  source: string;
  model: string;
  provider: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
  error: string;
}

export type ScalarField = keyof ScalarFields;

/** The scalar fields that take any text (not the event type hint, nor the numbers). */
export type TextField = { [K in ScalarField]: string extends ScalarFields[K] ? K : never }[ScalarField];

export type SectionName = EventSection;

/**
 * Every scalar (and rank, and section) key starts out present (undefined), so these objects share
 * one hidden class whatever order the attributes come in, and the lookups in normalize-span stay
 * monomorphic.
 */
export function noScalars(): Record<ScalarField, undefined> {
  return {
    eventTypeHint: undefined,
    explicitEventType: undefined,
    eventName: undefined,
    sessionId: undefined,
    projectName: undefined,
    source: undefined,
    model: undefined,
    provider: undefined,
    promptTokens: undefined,
    completionTokens: undefined,
    totalTokens: undefined,
    cost: undefined,
    error: undefined,
  };
}

/** Every section key present (undefined), in one order: see noScalars. */
export function emptySections(): Record<SectionName, undefined> {
  return {
    config: undefined,
    inputs: undefined,
    outputs: undefined,
    metadata: undefined,
    metrics: undefined,
    feedback: undefined,
    user_properties: undefined,
  };
}

const newObject = (): JsonObject => ({});
const newList = (): unknown[] => [];

export class ConventionFields {
  readonly scalars: Partial<ScalarFields> = noScalars();
  readonly sections: Partial<Record<SectionName, JsonObject>> = emptySections();
  /** Rank of each offered scalar; created on the first offer (many conventions offer nothing). */
  private ranks: Partial<Record<ScalarField, number>> | undefined;
  /** Attribute values a convention needs to combine in finish() (e.g. input.value with input.mime_type). */
  private stash: Record<string, unknown> | undefined;

  remember(key: string, value: unknown): void {
    this.stash ??= {};
    this.stash[key] = value;
  }

  recall(key: string): unknown {
    return this.stash?.[key];
  }

  /** An object kept in the stash, created on first use (spans without the attributes allocate nothing). */
  stashedObject(key: string): JsonObject {
    return this.stashed(key, newObject);
  }

  /** A list kept in the stash, created on first use (spans without message events allocate nothing). */
  stashedList(key: string): unknown[] {
    return this.stashed(key, newList);
  }

  private stashed<T>(key: string, create: () => T): T {
    let value = this.stash?.[key] as T | undefined;
    if (value === undefined) {
      value = create();
      this.remember(key, value);
    }
    return value;
  }

  /**
   * Offers a value for a field. Within a convention several attributes can name the same thing
   * (current and deprecated names); the lowest rank wins regardless of attribute order.
   */
  offer<K extends ScalarField>(field: K, value: ScalarFields[K], rank = 0): void {
    this.ranks ??= noScalars();
    const current = this.ranks[field];
    if (current !== undefined && current <= rank) return;
    this.ranks[field] = rank;
    this.scalars[field] = value;
  }

  /** Offers a token count read from an attribute (countFromAttribute); false when it is not one. */
  offerCount(
    field: 'promptTokens' | 'completionTokens' | 'totalTokens',
    value: AttributeValue,
    rank = 0,
  ): boolean {
    const n = countFromAttribute(value);
    if (n === undefined) return false;
    this.offer(field, n, rank);
    return true;
  }

  /** Offers a non-empty text read from an attribute (textFromAttribute); false when it is not one. */
  offerText(field: TextField, value: AttributeValue, rank = 0): boolean {
    const text = textFromAttribute(value);
    if (text === undefined) return false;
    this.offer(field, text, rank);
    return true;
  }

  /** The section object, created on first use so spans that never touch a section allocate nothing. */
  section(name: SectionName): JsonObject {
    let section = this.sections[name];
    if (section === undefined) {
      section = {};
      this.sections[name] = section;
    }
    return section;
  }
}

/**
 * Stands in for the fields of a convention that has not been offered anything on this span, so a
 * span allocates fields only for the conventions its attributes and events reach. Frozen: it is
 * never handed to a convention (fieldsOf replaces it first), and a write would throw.
 */
export const UNTOUCHED: ConventionFields = new ConventionFields();
Object.freeze(UNTOUCHED.scalars);
Object.freeze(UNTOUCHED.sections);
Object.freeze(UNTOUCHED);

/** The fields of convention `index` on this span, created on first use. */
export function fieldsOf(all: ConventionFields[], index: number): ConventionFields {
  let fields = all[index] as ConventionFields;
  if (fields === UNTOUCHED) {
    fields = new ConventionFields();
    all[index] = fields;
  }
  return fields;
}
