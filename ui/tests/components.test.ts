import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import Library from '../src/lib/Library.svelte';
import Conversation from '../src/lib/Conversation.svelte';
import Debrief from '../src/lib/Debrief.svelte';
import { XSS, debrief, library, replied, view } from './fixtures';

const byTestId = (id: string) => screen.queryAllByTestId(id);

function conversation(props: Partial<Parameters<typeof render>[1]> = {}) {
  const handlers = {
    onreply: vi.fn(),
    onchoose: vi.fn(),
    onrestart: vi.fn(),
    onabandon: vi.fn(),
    ondebrief: vi.fn(),
  };
  const r = render(Conversation, { view: view(), ...handlers, ...props });
  return { ...r, ...handlers };
}

describe('Library', () => {
  it('shows every scenario as a card and filters by skill, difficulty and text', async () => {
    const user = userEvent.setup();
    const onstart = vi.fn();
    render(Library, { library: library(), onstart });
    expect(byTestId('scenario-card').map((c) => c.dataset.scenarioId)).toEqual(['double-charge', 'late-gift', 'xss']);
    await user.selectOptions(screen.getByTestId('filter-skill'), 'delivery');
    expect(byTestId('scenario-card').map((c) => c.dataset.scenarioId)).toEqual(['late-gift']);
    await user.selectOptions(screen.getByTestId('filter-skill'), '');
    await user.selectOptions(screen.getByTestId('filter-difficulty'), '2');
    expect(byTestId('scenario-card').map((c) => c.dataset.scenarioId)).toEqual(['double-charge']);
    await user.selectOptions(screen.getByTestId('filter-difficulty'), '');
    await user.type(screen.getByTestId('library-search'), 'parcel');
    expect(byTestId('scenario-card').map((c) => c.dataset.scenarioId)).toEqual(['late-gift']);
    await user.click(within(byTestId('scenario-card')[0]).getByTestId('start-scenario'));
    expect(onstart).toHaveBeenCalledWith('late-gift');
  });

  it('can be used from the keyboard alone, in reading order', async () => {
    const user = userEvent.setup();
    const onstart = vi.fn();
    render(Library, { library: library(), onstart });
    await user.tab();
    expect(document.activeElement).toBe(screen.getByTestId('library-search'));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByTestId('filter-skill'));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByTestId('filter-difficulty'));
    await user.tab();
    expect(document.activeElement).toBe(byTestId('start-scenario')[0]);
    await user.keyboard('{Enter}');
    expect(onstart).toHaveBeenCalledWith('double-charge');
  });

  it('lists files that failed to load with their diagnostics', () => {
    render(Library, { library: library(), onstart: vi.fn() });
    const panel = screen.getByTestId('load-errors');
    expect(panel.textContent).toContain('scenarios/broken.yaml');
    expect(panel.textContent).toContain('4:7');
    expect(panel.textContent).toContain('error[unknown-target]');
    expect(panel.textContent).toContain('did you mean `calm_down`?');
  });

  it('renders scenario text as text, never as HTML', () => {
    const { container } = render(Library, { library: library(), onstart: vi.fn() });
    expect(container.querySelector('img')).toBeNull();
    const card = byTestId('scenario-card').find((c) => c.dataset.scenarioId === 'xss')!;
    expect(card.querySelector('h2')!.textContent).toBe(XSS);
  });
});

describe('Conversation', () => {
  it('shows the persona, the mood, the CRM record and the customer line', async () => {
    conversation();
    expect(screen.getByTestId('persona-card').textContent).toContain('Dana Whitfield');
    expect(screen.getByTestId('mood-meter').getAttribute('aria-valuenow')).toBe('30');
    expect(screen.getByTestId('crm-panel').textContent).toContain('A-1');
    expect((await screen.findAllByTestId('customer-line'))[0].textContent).toContain('You charged me twice!');
  });

  it('sends on Enter and starts a new line on Shift+Enter', async () => {
    const user = userEvent.setup();
    const { onreply } = conversation();
    const box = screen.getByTestId('reply-input') as HTMLTextAreaElement;
    await user.type(box, 'I am so sorry{Shift>}{Enter}{/Shift}Let me fix it');
    expect(onreply).not.toHaveBeenCalled();
    expect(box.value).toBe('I am so sorry\nLet me fix it');
    await user.keyboard('{Enter}');
    expect(onreply).toHaveBeenCalledWith('I am so sorry\nLet me fix it');
    expect(box.value).toBe('');
  });

  it('does not send an empty reply', async () => {
    const user = userEvent.setup();
    const { onreply } = conversation();
    await user.type(screen.getByTestId('reply-input'), '   {Enter}');
    expect(onreply).not.toHaveBeenCalled();
    expect((screen.getByTestId('send-reply') as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows compact feedback on the last reply with the matched words highlighted', async () => {
    conversation({ view: replied() });
    const fb = await screen.findByTestId('turn-feedback');
    const crits = within(fb).getAllByTestId('criterion');
    expect(crits.map((c) => [c.dataset.criterionId, c.dataset.met])).toEqual([
      ['apologize', 'true'],
      ['offer_solution', 'false'],
    ]);
    expect(fb.querySelector('mark')!.textContent).toBe('sorry');
    expect(fb.textContent).toContain('Say what you will do.');
    expect(fb.textContent).not.toContain('Not in focus.');
    expect(screen.getByTestId('mood-meter').getAttribute('aria-valuenow')).toBe('50');
  });

  it('offers guided choices as buttons, numbered from 1', async () => {
    const user = userEvent.setup();
    const { onchoose } = conversation({ view: view({ choices: ['Calm down.', "I'm sorry."] }) });
    expect(screen.queryByTestId('reply-input')).toBeNull();
    const buttons = await screen.findAllByTestId('choice');
    await vi.waitFor(() => expect((buttons[1] as HTMLButtonElement).disabled).toBe(false));
    await user.click(buttons[1]);
    expect(onchoose).toHaveBeenCalledWith(2);
  });

  it('offers the debrief once the conversation has ended', async () => {
    const user = userEvent.setup();
    const ended = replied();
    ended.ending = { id: 'resolved', outcome: 'success', closing_line: 'Thanks.', lesson: 'L' };
    ended.transcript.push({ at_ms: 6000, type: 'ended', ending: 'resolved', outcome: 'success', lesson: 'L' });
    const { ondebrief, onrestart, onabandon } = conversation({ view: ended });
    const button = await screen.findByTestId('open-debrief');
    await vi.waitFor(() => expect(document.activeElement).toBe(button));
    await user.click(button);
    await user.click(screen.getByTestId('restart'));
    await user.click(screen.getByTestId('abandon'));
    expect([ondebrief, onrestart, onabandon].map((f) => f.mock.calls.length)).toEqual([1, 1, 1]);
  });

  it('renders customer lines containing markup as text', async () => {
    const { container } = conversation({
      view: view({ transcript: [{ at_ms: 0, type: 'customer_line', node: 'a', text: XSS, chase: false }] }),
    });
    const line = (await screen.findAllByTestId('customer-line'))[0];
    expect(line.textContent).toContain(XSS);
    expect(container.querySelector('img')).toBeNull();
  });
});

describe('Debrief', () => {
  it('shows the outcome, the lesson, the scores, the mood chart and every turn', async () => {
    const user = userEvent.setup();
    const ontryagain = vi.fn();
    render(Debrief, { debrief: debrief(), ontryagain, onlibrary: vi.fn() });
    expect(screen.getByTestId('outcome').textContent).toContain('Resolved');
    expect(screen.getByTestId('debrief').textContent).toContain('Hear her out first.');
    expect(screen.getByTestId('score-empathy').textContent).toBe('80');
    expect(screen.getByTestId('score-problem-solving').textContent).toBe('60');
    expect(screen.getByTestId('score-professionalism').textContent).toBe('100');
    expect(screen.getByTestId('score-overall').textContent).toBe('78');
    expect(screen.getByTestId('mood-chart').querySelectorAll('circle')).toHaveLength(3);
    expect(byTestId('debrief-turn')).toHaveLength(2);
    expect(screen.getByTestId('model-answer').textContent).toContain("I'll refund it now.");
    expect(byTestId('debrief-turn')[1].textContent).toContain('You stayed silent');
    await user.click(screen.getByTestId('try-again'));
    expect(ontryagain).toHaveBeenCalled();
  });
});
