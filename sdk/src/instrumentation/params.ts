/**
 * Parameter names of a function, read once from its source text at wrap time, so captured inputs
 * read `{ question: "..." }` instead of `{ 0: "..." }`. Destructured, rest and unnamed parameters
 * fall back to `arg<i>`.
 */
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function paramList(source: string): string | undefined {
  const arrow = /^(?:async\s*)?([A-Za-z_$][\w$]*)\s*=>/.exec(source);
  if (arrow) return arrow[1];
  const open = source.indexOf('(');
  if (open < 0) return undefined;
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const ch = source[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return source.slice(open + 1, i);
    }
  }
  return undefined;
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const ch = list[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

export function parameterNames(fn: (...args: never[]) => unknown): (string | undefined)[] {
  try {
    const list = paramList(Function.prototype.toString.call(fn));
    if (list === undefined) return [];
    return splitTopLevel(list.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')).map((param) => {
      const name = param.split('=')[0]?.trim().replace(/:.*$/, '') ?? '';
      return IDENTIFIER.test(name) ? name : undefined;
    });
  } catch {
    return [];
  }
}

/** Arguments keyed by parameter name (or `arg<i>`), ready to be captured as inputs. */
export function argumentsByName(
  names: readonly (string | undefined)[],
  args: readonly unknown[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) out[names[i] ?? `arg${i}`] = args[i];
  return out;
}
