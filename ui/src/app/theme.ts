/**
 * Light and dark themes: the system's (prefers-color-scheme) until the user picks one with the
 * toggle; the pick is remembered. The stylesheet reads `data-theme` on <html>.
 */
export type Theme = 'light' | 'dark';
const KEY = 'waggle.theme';

export function storedTheme(): Theme | undefined {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function systemTheme(): Theme {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches
    ? 'dark'
    : 'light';
}

export function applyTheme(theme: Theme | undefined): void {
  if (theme === undefined) delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export function saveTheme(theme: Theme): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Not remembered; still applied.
  }
  applyTheme(theme);
}
