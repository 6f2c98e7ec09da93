// The app's language and the message lookup, over i18next (no eval, no inline styles: it
// fits the CSP). Components call `t` (the app's language) or a `translator` for a fixed
// language (a French scenario's screens are French whatever the app's language). Reading
// `t` in a template subscribes it to the app language, so the switch re-renders at once.
import i18next from 'i18next';
import { LANGUAGES, catalogues, type Lang, type MessageKey } from './catalogues';

export { LANGUAGES, type Lang, type MessageKey };

export const STORAGE_KEY = 'rapport.language';

const engine = i18next.createInstance();
void engine.init({
  resources: Object.fromEntries(Object.entries(catalogues).map(([l, c]) => [l, { translation: c }])),
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: Object.keys(LANGUAGES),
  initAsync: false,
  // Svelte puts every message in as text, never as HTML: escaping here would show "&amp;".
  interpolation: { escapeValue: false },
  returnEmptyString: false,
});

export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

/** `fr-CA`, `fr_FR`, `FR` -> `fr`; `null` for a language the UI has no catalogue for. */
export function baseLanguage(tag: string | null | undefined): Lang | null {
  const base = (tag ?? '').toLowerCase().split(/[-_]/)[0];
  return base in LANGUAGES ? (base as Lang) : null;
}

/** The first of the system's languages the UI speaks, else English. */
export function systemLanguage(): Lang {
  const tags = typeof navigator === 'undefined' ? [] : [...(navigator.languages ?? []), navigator.language];
  for (const tag of tags) {
    const l = baseLanguage(tag);
    if (l) return l;
  }
  return 'en';
}

/** The language the trainee picked in the app, if any (kept in localStorage). */
export function savedLanguage(): Lang | null {
  try {
    return baseLanguage(localStorage.getItem(STORAGE_KEY));
  } catch {
    return null;
  }
}

const state = $state({ lang: savedLanguage() ?? systemLanguage() });

function applyToDocument(l: Lang) {
  if (typeof document !== 'undefined') document.documentElement.lang = l;
}
applyToDocument(state.lang);

/** The app's language: the trainee's choice, else the system's. */
export function appLanguage(): Lang {
  return state.lang;
}

/** Switches the app's language and remembers the choice. */
export function setAppLanguage(l: Lang) {
  state.lang = l;
  applyToDocument(l);
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    // No storage (private mode): the choice lasts until the app closes.
  }
}

/** Forgets the saved choice and follows the system again (for tests and a reset). */
export function resetLanguage() {
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing was saved.
  }
  state.lang = systemLanguage();
  applyToDocument(state.lang);
}

/** A message in language `l`. */
export function translate(l: Lang, key: MessageKey, vars?: Vars): string {
  return engine.t(key, { ...vars, lng: l });
}

/** A message in the app's language. */
export const t: Translate = (key, vars) => translate(state.lang, key, vars);

/** Messages in a fixed language. */
export function translator(l: Lang): Translate {
  return (key, vars) => translate(l, key, vars);
}

/** Whether language `l` has a message at `key` (for keys built from data, like criterion ids). */
export function hasMessage(l: Lang, key: string): boolean {
  return engine.exists(key, { lng: l, fallbackLng: false });
}

/**
 * The language of a scenario's screens (conversation, debrief): a scenario written in a
 * language the UI speaks other than English (`fr`, `fr-FR`, `fr-CA`) shows them in that
 * language whatever the app's; an English one (or an unknown language) follows the app.
 */
export function scenarioLanguage(scenario: string | null | undefined): Lang {
  const l = baseLanguage(scenario);
  return l !== null && l !== 'en' ? l : state.lang;
}
