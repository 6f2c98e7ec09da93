import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'src/ipc/bindings.ts'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  { languageOptions: { globals: { ...globals.browser, ...globals.node } } },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    rules: {
      // Scenario text is shown as text, never as HTML.
      'svelte/no-at-html-tags': 'error',
      // Only src/ipc talks to the backend.
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@tauri-apps/api/*'], message: 'Call the backend through src/ipc only.' }] },
      ],
    },
  },
  {
    files: ['src/ipc/**', 'tests/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
