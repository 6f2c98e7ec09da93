// Conversation and debrief details: the record's labels, what the persona card leaves
// out, the confirmations before a conversation is thrown away, a partial ending styled
// apart, and the mood chart's labelled neutral line.
import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import Conversation from '../src/lib/Conversation.svelte';
import Debrief from '../src/lib/Debrief.svelte';
import MoodChart from '../src/lib/MoodChart.svelte';
import { factLabel, outcomeTone, personaText } from '../src/lib/text';
import type { Fact, SessionView } from '../src/ipc';
import { debrief, meta, replied, view } from './fixtures';

function conversation(v: SessionView = view()) {
  const handlers = {
    onreply: vi.fn(),
    onchoose: vi.fn(),
    onrestart: vi.fn(),
    onabandon: vi.fn(),
    ondebrief: vi.fn(),
    ontyping: vi.fn(),
  };
  render(Conversation, { view: v, ...handlers });
  return handlers;
}

describe('the customer record', () => {
  it("shows the author's label, accents and all, and the humanised key otherwise", () => {
    const facts = [
      { key: 'contacts_precedents', value: '12 avril', label: 'Contacts précédents' },
      { key: 'numero_client', value: 'QC-784512' },
      { key: 'order.id', value: 'A-1', label: null },
    ] as Fact[];
    conversation({ ...view(), scenario: meta({ language: 'fr' }), facts });
    const labels = screen.getAllByTestId('fact').map((f) => f.querySelector('dt')!.textContent);
    // In the order the core sends them, not sorted.
    expect(labels).toEqual(['Contacts précédents', 'Numero client', 'Order id']);
    expect(factLabel({ key: 'refund_days', value: '5', label: '  ' } as Fact)).toBe('Refund days');
  });

  it('sits in a column the keyboard reaches', () => {
    conversation();
    const column = screen.getByTestId('customer-column');
    expect(column.tabIndex).toBe(0);
    expect(column.contains(screen.getByTestId('crm-panel'))).toBe(true);
    expect(screen.getByTestId('feedback-column').tabIndex).toBe(0);
  });
});

describe('the persona card', () => {
  it('never shows a note for trainers', () => {
    const persona =
      'Gary is furious about a $412 bill. He backs down when a boundary is set politely. Note for trainers: the swearing is softened with asterisks.';
    conversation({ ...view(), customer: { ...view().customer, persona } });
    const card = screen.getByTestId('persona-card').textContent!;
    expect(card).toContain('He backs down when a boundary is set politely.');
    expect(card).not.toMatch(/trainer/i);
    expect(card).not.toContain('asterisks');
  });

  it('cuts the note to the end of its paragraph only, in English or French', () => {
    expect(personaText('A.\n\nNotes for trainers: x.\ny.\n\nB.')).toBe('A.\n\nB.');
    expect(personaText('Sophie est directe. Note pour les formateurs : elle change de langue.')).toBe(
      'Sophie est directe.',
    );
    expect(personaText('Calm and kind.')).toBe('Calm and kind.');
  });
});

describe('throwing a conversation away', () => {
  it('restarts at once before the first reply', async () => {
    const user = userEvent.setup();
    const h = conversation();
    await user.click(screen.getByTestId('restart'));
    expect(h.onrestart).toHaveBeenCalledOnce();
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
  });

  it.each([
    ['restart', 'onrestart', 'Restart this conversation?'],
    ['abandon', 'onabandon', 'Abandon this conversation?'],
  ] as const)('asks before %s mid-conversation', async (button, handler, question) => {
    const user = userEvent.setup();
    const h = conversation(replied());
    await user.click(screen.getByTestId(button));
    const dialog = screen.getByTestId('confirm-dialog');
    expect(dialog.getAttribute('role')).toBe('alertdialog');
    expect(dialog.textContent).toContain(question);
    expect(dialog.textContent).toContain('Dana Whitfield');
    // Focus starts on the safe answer; keeping going does nothing and gives focus back.
    expect(document.activeElement).toBe(screen.getByTestId('confirm-no'));
    await user.click(screen.getByTestId('confirm-no'));
    expect(h[handler]).not.toHaveBeenCalled();
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId(button));
    // Escape is no too.
    await user.click(screen.getByTestId(button));
    await user.keyboard('{Escape}');
    expect(h[handler]).not.toHaveBeenCalled();
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    // Tab stays inside the dialog; yes does it.
    await user.click(screen.getByTestId(button));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByTestId('confirm-yes'));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByTestId('confirm-no'));
    await user.click(screen.getByTestId('confirm-yes'));
    expect(h[handler]).toHaveBeenCalledOnce();
  });

  it('asks in French in a French scenario', async () => {
    const user = userEvent.setup();
    conversation({ ...replied(), scenario: meta({ language: 'fr' }) });
    await user.click(screen.getByTestId('abandon'));
    expect(screen.getByTestId('confirm-dialog').textContent).toContain('Abandonner cette conversation ?');
    expect(screen.getByTestId('confirm-no').textContent).toBe('Continuer la conversation');
  });
});

describe('endings', () => {
  it('style a partial resolution apart from a success and a failure', () => {
    expect(outcomeTone('success')).toBe('good');
    expect(outcomeTone('partial')).toBe('partial');
    expect(outcomeTone('hung_up')).toBe('bad');
    render(Debrief, { debrief: { ...debrief(), outcome: 'partial' }, ontryagain: vi.fn(), onlibrary: vi.fn() });
    const outcome = screen.getByTestId('outcome');
    expect(outcome.textContent).toContain('Partly resolved');
    expect(outcome.classList.contains('partial')).toBe(true);
    expect(outcome.classList.contains('good')).toBe(false);
  });
});

describe('the mood chart', () => {
  it('labels its dashed line', () => {
    render(MoodChart, { curve: [20, 50, 80] });
    expect(screen.getByTestId('mood-chart-neutral').textContent).toBe('50 neutral');
    expect(screen.getByTestId('mood-chart').textContent).toContain('The dashed line marks 50, neutral.');
  });
});
