/**
 * Saves text the console fetched (with its token, which a plain link cannot send) as a file: a blob
 * URL on a temporary link with `download`, revoked once the browser has it.
 */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A name safe as a file name on every system: letters, digits, `-`, `_` and `.`, at most 80 characters. */
export function fileNameOf(name: string): string {
  const safe = name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '');
  return (safe === '' ? 'dataset' : safe).slice(0, 80);
}
