import { describe, expect, it } from 'vitest';
import {
  evidenceWords,
  feedbackCriteria,
  feedbackGroups,
  highlight,
  humanize,
  scoreText,
  tipFor,
  typing,
  typingDelay,
} from '../src/lib/text';
import { score } from './fixtures';

describe('text helpers', () => {
  it('humanizes ids', () => {
    expect(humanize('take_ownership')).toBe('Take ownership');
    expect(humanize('de-escalation')).toBe('De escalation');
  });

  it('highlights evidence by character, not UTF-16 unit', () => {
    const crit = { id: 'apologize', rubric: 'empathy' as const, penalty: false, met: true, tip: null };
    const runs = highlight('😀 so sorry!', [{ ...crit, evidence: [{ start: 5, end: 10, text: 'sorry' }] }]);
    expect(runs.map((r) => [r.text, r.mark])).toEqual([
      ['😀 so ', null],
      ['sorry', 'good'],
      ['!', null],
    ]);
  });

  it('marks penalty evidence as bad', () => {
    const runs = highlight('your fault', [
      { id: 'blame_customer', rubric: 'professionalism', penalty: true, met: true, tip: null, evidence: [{ start: 0, end: 10, text: 'your fault' }] },
    ]);
    expect(runs).toEqual([{ text: 'your fault', mark: 'bad', criteria: ['blame_customer'] }]);
  });

  it('takes a custom penalty outside professionalism as a penalty (was guessed from the rubric)', () => {
    const runs = highlight('buy our premium plan', [
      { id: 'pushy_upsell', rubric: 'problem_solving', penalty: true, met: true, tip: 'Listen first.', evidence: [{ start: 0, end: 20, text: 'buy our premium plan' }] },
    ]);
    expect(runs).toEqual([{ text: 'buy our premium plan', mark: 'bad', criteria: ['pushy_upsell'] }]);
  });

  it('leads feedback with the focus, then the other good moves, then the penalties', () => {
    const ids = (cs: { id: string }[]) => cs.map((c) => c.id);
    const g = feedbackGroups(score().criteria, ['offer_solution', 'apologize']);
    // The focus in its own order, met or missed; positive misses outside it are left out,
    // and so are penalties avoided.
    expect(ids(g.focus)).toEqual(['offer_solution', 'apologize']);
    expect(ids(g.alsoGood)).toEqual(['use_name']);
    expect(ids(g.penalties)).toEqual(['jargon']);
    expect(ids(feedbackCriteria(score().criteria, ['offer_solution']))).toEqual(['offer_solution', 'apologize', 'use_name', 'jargon']);
    // A penalty the moment called out is in the focus group, not repeated below.
    const pg = feedbackGroups(score().criteria, ['jargon']);
    expect([ids(pg.focus), ids(pg.penalties)]).toEqual([['jargon'], []]);
  });

  it('gives the words that earned a criterion and the tip only for a miss or a penalty', () => {
    const [apologize, jargon, offer] = score().criteria;
    expect(evidenceWords(apologize)).toEqual(['sorry']);
    expect(evidenceWords({ ...apologize, evidence: [...apologize.evidence, ...apologize.evidence] })).toEqual(['sorry']);
    expect([tipFor(apologize), tipFor(jargon), tipFor(offer)]).toEqual([null, 'Say it in plain words.', 'Say what you will do.']);
  });

  it('shows a rubric the moment did not assess as not assessed, never 0', () => {
    expect([scoreText(null), scoreText(0), scoreText(85)]).toEqual(['not assessed', '0', '85']);
  });

  it('types longer lines for longer, within bounds', () => {
    const saved = { ...typing };
    Object.assign(typing, { msPerChar: 10, minMs: 100, maxMs: 500 });
    expect(typingDelay('hi')).toBe(100);
    expect(typingDelay('x'.repeat(30))).toBe(300);
    expect(typingDelay('x'.repeat(300))).toBe(500);
    Object.assign(typing, saved);
  });
});
