// Pure helpers shared by the screens: labels, and splitting a reply into highlighted runs.
import type { CriterionResult, Fact, HistoryEntry, Outcome, RubricId } from '../ipc';
import { hasMessage, t, translate, type Lang, type MessageKey, type Translate } from '../i18n/index.svelte';

/** `take_ownership` -> `Take ownership`. */
export function humanize(id: string): string {
  const words = id.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A built-in outcome in `tr`'s language (an unknown one humanised). */
export function outcomeLabel(outcome: Outcome, tr: Translate = t): string {
  return OUTCOME_KEYS.includes(outcome) ? tr(`common.outcome.${outcome}`) : humanize(outcome);
}

const OUTCOME_KEYS: Outcome[] = ['success', 'partial', 'failure', 'escalated', 'hung_up', 'churned'];

/**
 * How an ending is styled: `good` for a success, `partial` (neither green nor red) for a
 * partial resolution, `bad` for the rest.
 */
export function outcomeTone(outcome: Outcome): 'good' | 'partial' | 'bad' {
  if (outcome === 'success') return 'good';
  if (outcome === 'partial') return 'partial';
  return 'bad';
}

/**
 * One scenario's attempts (`entries` newest first, as `history` returns them) in a line:
 * "3 attempts · best 86 · last: Resolved (72)". Empty when it was never attempted.
 */
export function progressText(entries: HistoryEntry[], tr: Translate = t): string {
  if (entries.length === 0) return '';
  const parts = [tr('library.progress.attempts', { count: entries.length })];
  const scored = entries.filter((e) => e.scores !== null).map((e) => Math.round(e.scores!.overall));
  if (scored.length > 0) parts.push(tr('library.progress.best', { score: Math.max(...scored) }));
  const last = entries[0];
  let what: string;
  if (last.status === 'unfinished') what = tr('library.progress.unfinished');
  else if (last.status === 'abandoned') what = tr('library.progress.abandoned');
  else what = last.outcome ? outcomeLabel(last.outcome as Outcome, tr) : tr('library.progress.finished');
  if (last.scores) what += ` (${Math.round(last.scores.overall)})`;
  parts.push(tr('library.progress.last', { what }));
  return parts.join(' · ');
}

export function isFailure(outcome: Outcome): boolean {
  return outcome !== 'success' && outcome !== 'partial';
}

export const RUBRICS: { id: RubricId; label: MessageKey; testid: string }[] = [
  { id: 'empathy', label: 'common.rubric.empathy', testid: 'score-empathy' },
  { id: 'problem_solving', label: 'common.rubric.problem_solving', testid: 'score-problem-solving' },
  { id: 'professionalism', label: 'common.rubric.professionalism', testid: 'score-professionalism' },
];

/** A criterion's name in language `l`: the catalogue's for a built-in one, else its id humanised. */
export function criterionName(id: string, l: Lang): string {
  const key = `criteria.${id}`;
  return hasMessage(l, key) ? translate(l, key as MessageKey) : humanize(id);
}

/** A channel's name in `tr`'s language. */
export function channelLabel(channel: string, tr: Translate = t): string {
  return ['phone', 'chat', 'email'].includes(channel)
    ? tr(`common.channel.${channel as 'phone' | 'chat' | 'email'}`)
    : humanize(channel);
}

/** A customer-record fact as the core sends it; `label` (the author's, with accents) when given. */
export type ShownFact = Fact & { label?: string | null };

/** The fact's label: the author's `label` when present, else its key humanised. */
export function factLabel(f: ShownFact): string {
  const label = f.label?.trim();
  return label ? label : humanize(f.key.replaceAll('.', ' '));
}

// "Note for trainers: ..." written into a persona: for the trainer, never the trainee.
const TRAINER_NOTE =
  /(?:^|\s)(?:notes? (?:for|to) (?:the )?trainers?|trainers?'? notes?|notes? (?:pour|aux) (?:les )?format(?:eurs|rices)|note du formateur)\s*:[^\n]*(?:\n(?!\n)[^\n]*)*/gi;

/**
 * The persona as the trainee reads it: a trainer's note left in it ("Note for trainers:
 * ...", to the end of its paragraph) is cut. Trainer notes belong in `trainer_notes:`,
 * which the app does not send; this keeps an old pack from showing one.
 */
export function personaText(persona: string): string {
  return persona.replace(TRAINER_NOTE, '').replace(/\n{3,}/g, '\n\n').trim();
}

/**
 * Penalty criteria (the professionalism ones, and any custom criterion defined as a
 * penalty) are met when the bad thing was said; the others are things a good reply does.
 */
export function isPenalty(c: Pick<CriterionResult, 'penalty'>): boolean {
  return c.penalty;
}

/** Whether this criterion's result is good news for the trainee. */
export function isGood(c: CriterionResult): boolean {
  return isPenalty(c) ? !c.met : c.met;
}

/** What a reply's feedback shows, in the order it shows it. */
export type FeedbackGroups = {
  /** What the moment called for (its node's `focus`), in the focus order, met or missed. */
  focus: CriterionResult[];
  /** Other positive criteria the reply met. */
  alsoGood: CriterionResult[];
  /** Penalties present outside the focus. */
  penalties: CriterionResult[];
};

/**
 * Splits a reply's criteria for the feedback: the focus first, then the other good moves
 * made, then the penalties committed. Positive criteria missed outside the focus are
 * left out (the moment did not call for them), and so are penalties avoided.
 */
export function feedbackGroups(criteria: CriterionResult[], focus: string[]): FeedbackGroups {
  const inFocus = focus
    .map((id) => criteria.find((c) => c.id === id))
    .filter((c): c is CriterionResult => c !== undefined);
  const rest = criteria.filter((c) => !focus.includes(c.id) && c.met);
  return {
    focus: inFocus,
    alsoGood: rest.filter((c) => !isPenalty(c)),
    penalties: rest.filter((c) => isPenalty(c)),
  };
}

/** Every criterion the feedback shows, in its order (focus, also good, penalties). */
export function feedbackCriteria(criteria: CriterionResult[], focus: string[]): CriterionResult[] {
  const g = feedbackGroups(criteria, focus);
  return [...g.focus, ...g.alsoGood, ...g.penalties];
}

/** The distinct words of the reply that earned (or committed) a criterion. */
export function evidenceWords(c: CriterionResult): string[] {
  return [...new Set(c.evidence.map((e) => e.text.trim()).filter((t) => t !== ''))];
}

/** The coaching tip to show with a criterion: for a miss, or for a penalty present. */
export function tipFor(c: CriterionResult): string | null {
  return isGood(c) ? null : c.tip;
}

/** A rubric score for display: `null` means the moment did not assess that rubric. */
export function scoreText(v: number | null, tr: Translate = t): string {
  return v === null ? tr('feedback.notAssessed') : String(v);
}

export type Run = { text: string; mark: 'good' | 'bad' | null; criteria: string[] };

/**
 * Splits `text` into runs so the words each met criterion matched can be highlighted.
 * Evidence offsets count Unicode characters (code points), not UTF-16 units, so the text
 * is split with `Array.from`. Overlaps merge; a run touched by a penalty is marked bad.
 */
export function highlight(text: string, criteria: CriterionResult[]): Run[] {
  const chars = Array.from(text);
  const marks: { good: boolean; ids: string[] }[] = chars.map(() => ({ good: true, ids: [] }));
  for (const c of criteria) {
    if (!c.met) continue;
    for (const e of c.evidence) {
      for (let i = Math.max(0, e.start); i < Math.min(chars.length, e.end); i++) {
        marks[i].ids.push(c.id);
        if (isPenalty(c)) marks[i].good = false;
      }
    }
  }
  const runs: Run[] = [];
  chars.forEach((ch, i) => {
    const m = marks[i];
    const mark = m.ids.length === 0 ? null : m.good ? 'good' : 'bad';
    const key = m.ids.join(' ');
    const last = runs[runs.length - 1];
    if (last && last.mark === mark && last.criteria.join(' ') === key) {
      last.text += ch;
    } else {
      runs.push({ text: ch, mark, criteria: [...m.ids] });
    }
  });
  return runs;
}

/**
 * The customer waits while the trainee types. The page tells the backend about draft
 * changes at most every `callEveryMs`; each call holds the patience for `graceMs` (a copy
 * of the backend's `TYPING_GRACE_MS`), which is how long the bar stays paused.
 */
export const typingHold = { graceMs: 4000, callEveryMs: 1000 };

/** How long the customer "types" a line before it appears, in milliseconds. */
export const typing = { msPerChar: 12, minMs: 350, maxMs: 1400 };

export function typingDelay(text: string): number {
  return Math.min(typing.maxMs, Math.max(typing.minMs, text.length * typing.msPerChar));
}
