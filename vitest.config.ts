import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // '@waggle/sdk' is the SDK's source in this repository (tsconfig.json paths), not its built dist/.
        resolve: { tsconfigPaths: true },
        test: {
          name: 'platform',
          include: ['test/**/*.test.ts', 'sdk/test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      // The web console's component tests, in jsdom (ui/vite.config.ts).
      'ui/vite.config.ts',
    ],
  },
});
