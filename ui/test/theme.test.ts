import { afterEach, expect, it, vi } from 'vitest';
import { followTheme, saveTheme } from '../src/app/theme';

/** A system colour scheme the test can change, as matchMedia reports it. */
function systemScheme(dark: boolean) {
  const listeners: (() => void)[] = [];
  const query = {
    get matches() {
      return dark;
    },
    addEventListener: (_type: string, listener: () => void) => listeners.push(listener),
  };
  vi.stubGlobal('matchMedia', () => query);
  return {
    set(nextDark: boolean) {
      dark = nextDark;
      for (const listener of listeners) listener();
    },
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  delete document.documentElement.dataset.theme;
  localStorage.clear();
});

it("names the system's theme on <html> and follows it until the user picks one", () => {
  const system = systemScheme(true);
  followTheme();
  expect(document.documentElement.dataset.theme).toBe('dark');
  system.set(false);
  expect(document.documentElement.dataset.theme).toBe('light');
  saveTheme('dark');
  system.set(false);
  expect(document.documentElement.dataset.theme).toBe('dark');
});

it('applies the remembered pick over the system at start', () => {
  systemScheme(true);
  localStorage.setItem('waggle.theme', 'light');
  followTheme();
  expect(document.documentElement.dataset.theme).toBe('light');
});
