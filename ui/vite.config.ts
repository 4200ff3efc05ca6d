import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// A static single-page app: `vite build` writes ui/dist, which the control plane serves (locally
// from the folder, on AWS from S3 behind CloudFront). No server-side rendering.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  test: {
    name: 'ui',
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    setupFiles: ['test/setup.ts'],
  },
});
