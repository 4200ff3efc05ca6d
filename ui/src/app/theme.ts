/**
 * Light and dark themes: the system's (prefers-color-scheme) until the user picks one with the
 * toggle; the pick is remembered. `data-theme` on <html> always names the theme in use, so the
 * stylesheet holds the dark palette once (under that attribute) and the charts read resolved colours.
 */
export type Theme = 'light' | 'dark';
const KEY = 'waggle.theme';

function storedTheme(): Theme | undefined {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : undefined;
  } catch {
    return undefined;
  }
}

function systemTheme(): Theme {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches
    ? 'dark'
    : 'light';
}

function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}

/** Applies the remembered theme or the system's, and follows the system's until the user picks one. */
export function followTheme(): void {
  applyTheme(storedTheme() ?? systemTheme());
  if (typeof matchMedia !== 'function') return;
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (storedTheme() === undefined) applyTheme(systemTheme());
  });
}

export function saveTheme(theme: Theme): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Not remembered; still applied.
  }
  applyTheme(theme);
}

/** The theme <html> names now (the system's, until the user picks one). */
export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

/** Calls `onChange` whenever the theme on <html> changes (the system's changed, or the user picked one). */
export function subscribeTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}
