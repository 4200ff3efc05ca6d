/**
 * `npm run bench -- --only <name>`: one section measured again and put in place in docs/BENCHMARKS.md,
 * the rest of the file kept. A section runs from its `## ` heading to the next one; each such section
 * names its own date and machine, so a file with sections from different runs still says when each was
 * measured.
 */
import { readFile, writeFile } from 'node:fs/promises';

const BENCHMARKS_MD = new URL('../docs/BENCHMARKS.md', import.meta.url);

/** The markdown with the section headed like `section` replaced by it, or added before "## Notes". */
export function withSection(markdown: string, section: string): string {
  const heading = section.split('\n', 1)[0] ?? '';
  if (!heading.startsWith('## ')) throw new Error(`a section starts with "## ": ${heading}`);
  const body = `${section.trimEnd()}\n\n`;
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  if (start === -1) {
    const notes = lines.indexOf('## Notes');
    if (notes === -1) return `${markdown.trimEnd()}\n\n${body}`;
    return [...lines.slice(0, notes), ...body.split('\n').slice(0, -1), ...lines.slice(notes)].join('\n');
  }
  let end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  if (end === -1) end = lines.length;
  return [...lines.slice(0, start), ...body.split('\n').slice(0, -1), ...lines.slice(end)].join('\n');
}

export async function writeSection(section: string): Promise<void> {
  const markdown = await readFile(BENCHMARKS_MD, 'utf8');
  await writeFile(BENCHMARKS_MD, withSection(markdown, section));
}
