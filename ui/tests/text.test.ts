import { describe, expect, it } from 'vitest';
import { feedbackCriteria, highlight, humanize, tips, typing, typingDelay } from '../src/lib/text';
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

  it('leads feedback with the focus and keeps only the tips that matter now', () => {
    const shown = feedbackCriteria(score().criteria, ['offer_solution']).map((c) => c.id);
    expect(shown).toEqual(['offer_solution', 'apologize']);
    expect(tips(score().criteria, ['offer_solution'])).toEqual(['Say what you will do.']);
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
