// The UI's catalogues: one file per screen and language, so a new screen adds its own two
// files here without touching the others'. Every language has the same keys (a test
// compares them); plural forms follow Intl.PluralRules (`_one`, `_many`, `_other`).
import enCommon from './en/common.json';
import enLibrary from './en/library.json';
import enConversation from './en/conversation.json';
import enFeedback from './en/feedback.json';
import enCriteria from './en/criteria.json';
import enDebrief from './en/debrief.json';
import enStudio from './en/studio.json';
import enProgress from './en/progress.json';
import enSettings from './en/settings.json';
import frCommon from './fr/common.json';
import frLibrary from './fr/library.json';
import frConversation from './fr/conversation.json';
import frFeedback from './fr/feedback.json';
import frCriteria from './fr/criteria.json';
import frDebrief from './fr/debrief.json';
import frStudio from './fr/studio.json';
import frProgress from './fr/progress.json';
import frSettings from './fr/settings.json';

export const en = {
  common: enCommon,
  library: enLibrary,
  conversation: enConversation,
  feedback: enFeedback,
  criteria: enCriteria,
  debrief: enDebrief,
  studio: enStudio,
  progress: enProgress,
  settings: enSettings,
};

export const fr = {
  common: frCommon,
  library: frLibrary,
  conversation: frConversation,
  feedback: frFeedback,
  criteria: frCriteria,
  debrief: frDebrief,
  studio: frStudio,
  progress: frProgress,
  settings: frSettings,
};

/** The languages the UI speaks, each named in itself (for the switch). */
export const LANGUAGES = { en: 'English', fr: 'Français' } as const;
export type Lang = keyof typeof LANGUAGES;

export const catalogues: Record<Lang, Record<string, unknown>> = { en, fr };

type PluralSuffix = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';
type Base<K extends string> = K extends `${infer B}_${PluralSuffix}` ? B : K;
type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${Base<K>}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

/** Every message key of the English catalogue (plural forms by their base key). */
export type MessageKey = Leaves<typeof en>;
