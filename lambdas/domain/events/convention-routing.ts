/**
 * Turns an ordered list of attribute conventions into the lookups normalize-span uses on every
 * attribute, worked out once per list (at module load for the production list): which
 * conventions own a key, in list (precedence) order. A convention owns the keys starting with one
 * of its keyPrefixes and its exactKeys; a key no convention owns is offered to none.
 */
import type { AttributeValue } from '../otlp/model';
import type { AttributeConvention } from './attribute-convention';
import { type ConventionFields, fieldsOf, UNTOUCHED } from './convention-fields';

/** One convention a key is offered to, and the index of its fields (its place in the list). */
export interface Target {
  index: number;
  convention: AttributeConvention;
}

/** An exact key (`exact`) or a key prefix, and the conventions that own the keys it matches. */
interface Route {
  text: string;
  exact: boolean;
  targets: readonly Target[];
}

export interface ConventionRouting {
  /** The conventions, in precedence order (index = index of their fields). */
  conventions: readonly AttributeConvention[];
  /** One UNTOUCHED entry per convention, copied for each span. */
  noFields: readonly ConventionFields[];
  /**
   * Routes by the first character code of their text (ASCII; `wide` for the rest): exact keys
   * first, then prefixes, longest first. The first that matches a key gives its conventions.
   */
  byFirstChar: readonly (readonly Route[] | undefined)[];
  wide: readonly Route[];
  /** Conventions with a spanEvent hook. */
  spanEventHooks: readonly Target[];
  /** Conventions with a finish hook. */
  finishers: readonly Target[];
}

const ASCII = 128;
const NONE: readonly Target[] = [];

function byLongestExactFirst(a: Route, b: Route): number {
  if (a.exact !== b.exact) return a.exact ? -1 : 1;
  return b.text.length - a.text.length;
}

export function routeConventions(conventions: readonly AttributeConvention[]): ConventionRouting {
  const names = new Set<string>();
  for (const { name, keyPrefixes } of conventions) {
    if (names.has(name)) throw new Error(`attribute convention "${name}" is listed twice`);
    names.add(name);
    if (keyPrefixes.includes('')) throw new Error(`attribute convention "${name}" owns an empty key prefix`);
  }
  const targets: Target[] = conventions.map((convention, index) => ({ index, convention }));
  const owners = (key: string, exact: boolean) =>
    targets.filter(
      ({ convention }) =>
        (exact && convention.exactKeys.includes(key)) ||
        // A key's matching prefixes are all prefixes of its longest matching one.
        convention.keyPrefixes.some((prefix) => key.startsWith(prefix)),
    );
  const routes: Route[] = [...new Set(conventions.flatMap((convention) => convention.exactKeys))].map(
    (text) => ({ text, exact: true, targets: owners(text, true) }),
  );
  for (const text of new Set(conventions.flatMap((convention) => convention.keyPrefixes)))
    routes.push({ text, exact: false, targets: owners(text, false) });
  routes.sort(byLongestExactFirst);

  const byFirstChar: (Route[] | undefined)[] = Array.from({ length: ASCII }, () => undefined);
  const wide: Route[] = [];
  for (const route of routes) {
    const code = route.text.charCodeAt(0);
    if (Number.isNaN(code) || code >= ASCII) {
      wide.push(route);
      continue;
    }
    const bucket = byFirstChar[code];
    if (bucket === undefined) byFirstChar[code] = [route];
    else bucket.push(route);
  }
  return {
    conventions,
    noFields: conventions.map(() => UNTOUCHED),
    byFirstChar,
    wide,
    spanEventHooks: targets.filter(({ convention }) => convention.spanEvent !== undefined),
    finishers: targets.filter(({ convention }) => convention.finish !== undefined),
  };
}

/** The conventions that own `key`, in precedence order. */
export function targetsFor(routing: ConventionRouting, key: string): readonly Target[] {
  const code = key.charCodeAt(0);
  const routes = code < ASCII ? routing.byFirstChar[code] : routing.wide;
  if (routes === undefined) return NONE;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i] as Route;
    if (route.exact ? key === route.text : key.startsWith(route.text)) return route.targets;
  }
  return NONE;
}

/** Offers one attribute to the conventions that own its key, in order; false when none maps it. */
export function dispatchAttribute(
  routing: ConventionRouting,
  key: string,
  value: AttributeValue,
  fields: ConventionFields[],
): boolean {
  const targets = targetsFor(routing, key);
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i] as Target;
    if (target.convention.apply(key, value, fieldsOf(fields, target.index))) return true;
  }
  return false;
}
