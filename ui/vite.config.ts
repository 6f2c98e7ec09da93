import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// The page is served by Tauri from the binary (tauri://localhost); no dev server in the app.
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  build: {
    // WebKitGTK 2.4x (Debian 12) is the oldest engine the app meets.
    target: 'safari16',
    outDir: 'dist',
    emptyOutDir: true,
    // Inline assets would be data: URLs, which the CSP does not allow.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    // The contrast test reads the stylesheet's palette (`app.css?raw`); vitest empties
    // CSS modules unless told to process them.
    css: { include: [/app\.css/] },
  },
});
