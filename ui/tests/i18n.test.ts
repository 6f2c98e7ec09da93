// The app in English and French: the catalogues have the same keys, the switch follows
// the system and remembers a choice, and a French scenario's screens are French whatever
// the app's language.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import App from '../src/App.svelte';
import Conversation from '../src/lib/Conversation.svelte';
import Debrief from '../src/lib/Debrief.svelte';
import { en, fr } from '../src/i18n/catalogues';
import {
  STORAGE_KEY,
  appLanguage,
  baseLanguage,
  resetLanguage,
  scenarioLanguage,
  setAppLanguage,
  t,
} from '../src/i18n/index.svelte';
import type { Language, SessionView } from '../src/ipc';
import { debrief, library, meta, replied, view } from './fixtures';

const PLURAL = /_(zero|one|two|few|many|other)$/;

/** Every leaf of a catalogue as `path -> message`. */
function leaves(obj: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [kk, vv] of leaves(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}
const base = (key: string) => key.replace(PLURAL, '');
const vars = (msg: string) => [...msg.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();

function handlers() {
  return {
    onreply: vi.fn(),
    onchoose: vi.fn(),
    onrestart: vi.fn(),
    onabandon: vi.fn(),
    ondebrief: vi.fn(),
    ontyping: vi.fn(),
  };
}

/** A view of a scenario in `language` (the core may send `fr-CA`, not only `fr`). */
function inLanguage(language: string, v: SessionView = view()): SessionView {
  return { ...v, scenario: meta({ language: language as Language }) };
}

describe('catalogues', () => {
  const catalogues = { en: leaves(en), fr: leaves(fr) };

  it('have the same keys in English and French (plural forms aside)', () => {
    const keys = (m: Map<string, string>) => [...new Set([...m.keys()].map(base))].sort();
    expect(keys(catalogues.fr)).toEqual(keys(catalogues.en));
    expect(keys(catalogues.en).length).toBeGreaterThan(100);
  });

  it('give every plural the forms its language needs', () => {
    for (const [lang, messages] of Object.entries(catalogues)) {
      const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      const plurals = new Set([...messages.keys()].filter((k) => PLURAL.test(k)).map(base));
      for (const p of plurals) {
        for (const form of needed) expect(messages.has(`${p}_${form}`), `${lang} ${p}_${form}`).toBe(true);
      }
    }
  });

  it('use the same placeholders in both languages and leave no message empty', () => {
    for (const [key, msg] of catalogues.en) {
      expect(msg.trim(), key).not.toBe('');
      const other = catalogues.fr.get(key) ?? catalogues.fr.get(`${base(key)}_other`);
      expect(other, key).toBeDefined();
      expect(vars(other!), key).toEqual(vars(msg));
    }
  });

  it('name every built-in criterion in both languages', () => {
    const ids = [
      'acknowledge_feelings',
      'apologize',
      'show_understanding',
      'reassure',
      'personalize',
      'clarifying_question',
      'take_ownership',
      'offer_solution',
      'set_expectations',
      'check_resolution',
      'blame_customer',
      'dismissive',
      'policy_shield',
      'rude_tone',
      'customer_language',
      'greeting',
      'sign_off',
    ];
    expect(Object.keys(en.criteria).sort()).toEqual([...ids].sort());
    expect(Object.keys(fr.criteria).sort()).toEqual([...ids].sort());
  });
});

describe('the app language', () => {
  it('follows the system language, French or English', () => {
    const spy = vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['fr-CA', 'en-US']);
    resetLanguage();
    expect(appLanguage()).toBe('fr');
    expect(document.documentElement.lang).toBe('fr');
    spy.mockReturnValue(['de-DE']);
    resetLanguage();
    expect(appLanguage()).toBe('en');
    spy.mockRestore();
  });

  it('reads region tags as their language', () => {
    expect(baseLanguage('fr-FR')).toBe('fr');
    expect(baseLanguage('fr_CA')).toBe('fr');
    expect(baseLanguage('EN')).toBe('en');
    expect(baseLanguage('de')).toBeNull();
    expect(baseLanguage(null)).toBeNull();
  });

  it('switches from the header, at once, and remembers the choice', async () => {
    const user = userEvent.setup();
    mockIPC((cmd) => (cmd === 'library' ? library() : cmd === 'history' ? [] : null));
    const first = render(App);
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('Choose a customer to practise with');
    await user.selectOptions(screen.getByTestId('language-switch'), 'fr');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Choisissez un client avec qui vous exercer');
    expect(within(screen.getAllByTestId('scenario-card')[0]).getByTestId('start-scenario').textContent).toBe(
      'Commencer',
    );
    expect(screen.getAllByText('Téléphone').length).toBeGreaterThan(0);
    expect(localStorage.getItem(STORAGE_KEY)).toBe('fr');
    expect(document.documentElement.lang).toBe('fr');
    first.unmount();
    // The next start of the app keeps the choice over the system's English.
    resetLanguageKeepingChoice();
    render(App);
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('Choisissez un client avec qui vous exercer');
    expect((screen.getByTestId('language-switch') as HTMLSelectElement).value).toBe('fr');
  });
});

/** What the app does on start: the saved choice wins over the system language. */
function resetLanguageKeepingChoice() {
  const saved = localStorage.getItem(STORAGE_KEY);
  resetLanguage();
  if (saved === 'fr' || saved === 'en') setAppLanguage(saved);
}

describe('a French scenario', () => {
  it.each(['fr', 'fr-FR', 'fr-CA'])('(%s) shows the conversation in French in an English app', async (language) => {
    expect(appLanguage()).toBe('en');
    expect(scenarioLanguage(language)).toBe('fr');
    render(Conversation, { view: inLanguage(language, replied()), ...handlers() });
    const page = screen.getByTestId('conversation');
    expect(page.getAttribute('lang')).toBe('fr');
    expect(screen.getByTestId('send-reply').textContent).toBe('Envoyer');
    expect(screen.getByTestId('restart').textContent).toBe('Recommencer');
    expect(screen.getByTestId('abandon').textContent).toBe('Abandonner');
    expect(screen.getByTestId('mood-meter').textContent).toContain('Humeur');
    expect(screen.getByTestId('patience').textContent).toContain('Patience');
    expect(screen.getByTestId('crm-panel').textContent).toContain('Dossier client');
    expect(screen.getByRole('heading', { name: 'Retour' })).toBeTruthy();
    const fb = await screen.findByTestId('turn-feedback');
    expect(fb.textContent).toContain('Ce moment demandait');
    expect(fb.textContent).toContain("S'excuser : réussi");
    expect(fb.textContent).toContain('Proposer une solution : manqué');
    expect(fb.textContent).toContain('Conseil :');
    expect(fb.textContent).toContain('Professionnalisme non évalué');
    // No English label is left on the screen (the scenario's own text aside).
    for (const english of ['Send', 'Mood', 'Feedback', 'Customer record', 'Restart', 'Abandon', 'Tip', 'You said']) {
      expect(page.textContent).not.toMatch(new RegExp(`\\b${english}\\b`));
    }
  });

  it('shows the end of the conversation and the debrief in French', () => {
    const ended = inLanguage('fr-CA', replied());
    ended.ending = { id: 'ok', outcome: 'partial', closing_line: 'Merci.', lesson: 'Écoutez.' };
    ended.transcript = [...ended.transcript, { at_ms: 9000, type: 'ended', ending: 'ok', outcome: 'partial', lesson: 'Écoutez.' }];
    render(Conversation, { view: ended, ...handlers() });
    return vi.waitFor(() => {
      expect(screen.getByTestId('session-outcome').textContent).toContain('Résolu en partie');
      expect(screen.getByTestId('open-debrief').textContent).toBe('Voir votre bilan');
      expect(screen.getByText('Conversation terminée : Résolu en partie.')).toBeTruthy();
    });
  });

  it('has its debrief in French whatever the app language', () => {
    render(Debrief, { debrief: debrief(), language: 'fr', ontryagain: vi.fn(), onlibrary: vi.fn() });
    const page = screen.getByTestId('debrief');
    expect(page.getAttribute('lang')).toBe('fr');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Bilan : Charged twice');
    expect(screen.getByTestId('outcome').textContent).toContain('Résolu');
    expect(page.textContent).toContain('Leçon :');
    expect(page.textContent).toContain('Tour 1');
    expect(page.textContent).toContain('Une bonne réponse');
    expect(screen.getByTestId('decided-by').textContent).toContain(
      'Décidé au tour 2 : vous êtes resté silencieux ; manqué à ce moment : Proposer une solution ; humeur 50.',
    );
    expect(screen.getByTestId('try-again').textContent).toBe('Réessayer');
    expect(screen.getByTestId('mood-chart-neutral').textContent).toBe('50 neutre');
    for (const english of ['Lesson', 'Turn', 'Overall', 'Try again', 'Customer', 'Not assessed']) {
      expect(page.textContent).not.toMatch(new RegExp(`\\b${english}\\b`));
    }
  });

  it('is played in French from the app, and its debrief too', async () => {
    const user = userEvent.setup();
    const fv = () => inLanguage('fr', view());
    mockIPC((cmd) => {
      if (cmd === 'library') return library();
      if (cmd === 'history') return [];
      if (cmd === 'send_reply') {
        const v = inLanguage('fr', replied());
        v.ending = { id: 'resolved', outcome: 'success', closing_line: 'Merci.', lesson: 'L' };
        return v;
      }
      if (cmd === 'debrief') return debrief();
      return fv();
    });
    render(App);
    const card = (await screen.findAllByTestId('scenario-card'))[0];
    await user.click(within(card).getByTestId('start-scenario'));
    expect((await screen.findByTestId('send-reply')).textContent).toBe('Envoyer');
    // The app's own header stays in the app's language.
    expect(screen.getByText('Language')).toBeTruthy();
    await user.type(screen.getByTestId('reply-input'), 'Je suis désolé.{Enter}');
    await user.click(await screen.findByTestId('open-debrief'));
    expect((await screen.findByTestId('try-again')).textContent).toBe('Réessayer');
  });
});

describe('an English scenario', () => {
  it('follows the app language', async () => {
    setAppLanguage('fr');
    render(Conversation, { view: view(), ...handlers() });
    expect(screen.getByTestId('send-reply').textContent).toBe('Envoyer');
    setAppLanguage('en');
    await vi.waitFor(() => expect(screen.getByTestId('send-reply').textContent).toBe('Send'));
  });
});

describe('messages', () => {
  it('fill in their values without escaping them (Svelte shows text, not HTML)', () => {
    expect(t('library.historyProblem', { problem: 'a <b> & c' })).toBe('Your attempts may not be saved: a <b> & c');
    expect(t('library.loadErrors', { count: 1 })).toBe('One scenario file could not be loaded');
    expect(t('library.loadErrors', { count: 3 })).toBe('3 scenario files could not be loaded');
    setAppLanguage('fr');
    expect(t('library.progress.attempts', { count: 0 })).toBe('0 essai');
    expect(t('library.progress.attempts', { count: 2 })).toBe('2 essais');
  });

  it('keep a library card usable when the switch is used with the keyboard', async () => {
    mockIPC((cmd) => (cmd === 'library' ? library() : cmd === 'history' ? [] : null));
    render(App);
    await screen.findAllByTestId('scenario-card');
    const select = screen.getByTestId('language-switch') as HTMLSelectElement;
    select.value = 'fr';
    await fireEvent.change(select);
    expect(appLanguage()).toBe('fr');
  });
});
