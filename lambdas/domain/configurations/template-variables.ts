/** The `{{variable}}` placeholders of a template, which a caller fills before sending it to a model. */
import type { TemplateMessage } from './configuration';

/** `{{ name }}`: a name of letters, digits, `_`, `.` and `-`, spaces around it allowed. */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** Every variable name the template uses, once each, in order of first use. */
export function templateVariables(template: readonly TemplateMessage[]): string[] {
  const names = new Set<string>();
  for (const message of template) {
    for (const match of message.content.matchAll(PLACEHOLDER)) names.add(match[1] as string);
  }
  return [...names];
}

/** The template with each known variable replaced; unknown placeholders stay as written. */
export function fillTemplate(
  template: readonly TemplateMessage[],
  values: Readonly<Record<string, string>>,
): TemplateMessage[] {
  return template.map((message) => ({
    role: message.role,
    content: message.content.replace(PLACEHOLDER, (whole, name: string) =>
      Object.hasOwn(values, name) ? (values[name] as string) : whole,
    ),
  }));
}
