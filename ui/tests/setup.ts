import { afterEach, vi } from 'vitest';
import { cleanup } from '@testing-library/svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import { typing } from '../src/lib/text';
import { resetLanguage } from '../src/i18n/index.svelte';

// Customer lines appear at once in unit tests; the typing pause is tested on its own.
typing.minMs = 0;
typing.maxMs = 0;

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  clearMocks();
  // Each test starts in the system's language (jsdom's: en-US), with no choice saved.
  resetLanguage();
});
