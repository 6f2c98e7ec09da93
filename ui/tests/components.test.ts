import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import Library from '../src/lib/Library.svelte';
import Conversation from '../src/lib/Conversation.svelte';
import Debrief from '../src/lib/Debrief.svelte';
import { XSS, debrief, definitions, entry, library, replied, score, view } from './fixtures';
import Feedback from '../src/lib/Feedback.svelte';

const byTestId = (id: string) => screen.queryAllByTestId(id);

function conversation(props: Partial<Parameters<typeof render>[1]> = {}) {
  const handlers = {
    onreply: vi.fn(),
    onchoose: vi.fn(),
    onrestart: vi.fn(),
    onabandon: vi.fn(),
    ondebrief: vi.fn(),
    ontyping: vi.fn(),
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
    expect(document.activeElement).toBe(screen.getByTestId('filter-industry'));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByTestId('filter-track'));
    await user.tab();
    expect(document.activeElement).toBe(byTestId('start-scenario')[0]);
    await user.keyboard('{Enter}');
    expect(onstart).toHaveBeenCalledWith('double-charge');
  });

  it('filters by line of business and shows tracks in order, marked done from the history', async () => {
    const user = userEvent.setup();
    const history = [
      entry({ scenario: 'late-gift', status: 'finished', outcome: 'success' }),
      entry({ scenario: 'double-charge', status: 'abandoned', outcome: null }),
    ];
    render(Library, { library: library(), onstart: vi.fn(), history });
    await user.selectOptions(screen.getByTestId('filter-industry'), 'online-retail');
    expect(byTestId('scenario-card').map((c) => c.dataset.scenarioId)).toEqual(['late-gift']);
    await user.selectOptions(screen.getByTestId('filter-industry'), '');
    const track = byTestId('track')[0];
    expect(track.textContent).toContain('First week');
    expect(track.textContent).toContain('Gentle calls first.');
    expect(within(track).getByTestId('track-progress').textContent!.trim()).toBe('1 of 2 done');
    expect(within(track).getAllByTestId('track-step').map((s) => [s.dataset.scenarioId, s.dataset.done])).toEqual([
      ['late-gift', 'true'],
      ['double-charge', 'false'],
    ]);
    await user.selectOptions(screen.getByTestId('filter-track'), 'first-week');
    expect(byTestId('scenario-card').map((c) => c.dataset.scenarioId)).toEqual(['late-gift', 'double-charge']);
    expect(byTestId('scenario-card')[0].dataset.done).toBe('true');
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

  it('shows feedback on the last reply: the focus first, then also done well, then penalties', async () => {
    conversation({ view: replied() });
    const fb = await screen.findByTestId('turn-feedback');
    const crits = within(fb).getAllByTestId('criterion');
    expect(crits.map((c) => [c.dataset.criterionId, c.dataset.met])).toEqual([
      ['apologize', 'true'],
      ['offer_solution', 'false'],
      ['use_name', 'true'],
      ['jargon', 'true'],
    ]);
    const group = (id: string) => within(within(fb).getByTestId(id)).getAllByTestId('criterion').map((c) => c.dataset.criterionId);
    expect(group('feedback-focus')).toEqual(['apologize', 'offer_solution']);
    expect(group('feedback-also-good')).toEqual(['use_name']);
    expect(group('feedback-penalties')).toEqual(['jargon']);
    expect(within(fb).getAllByRole('heading').map((h) => h.textContent)).toEqual([
      'This moment called for',
      'Also done well',
      'Penalties',
    ]);
    // Met: the trainee's own words that earned it; missed or present: the tip.
    const [apologize, offer, name, jargon] = crits;
    expect(within(apologize).getByTestId('criterion-words').textContent).toContain('sorry');
    const two = { ...score().criteria[0], evidence: [{ start: 0, end: 3, text: "I'm" }, { start: 4, end: 9, text: 'sorry' }] };
    const { container } = render(Feedback, { reply: "I'm sorry", score: { ...score(), criteria: [two] }, focus: ['apologize'] });
    expect(within(container).getByTestId('criterion-words').textContent!.replace(/\s+/g, ' ').trim()).toBe("Your words: I'm, sorry");
    expect(within(apologize).queryByTestId('criterion-tip')).toBeNull();
    expect(within(offer).getByTestId('criterion-tip').textContent).toContain('Say what you will do.');
    expect(within(name).getByTestId('criterion-words').textContent).toContain('Dana');
    expect(within(jargon).getByTestId('criterion-words').textContent).toContain('SLA');
    expect(within(jargon).getByTestId('criterion-tip').textContent).toContain('Say it in plain words.');
    expect(fb.textContent).not.toContain('Not in focus.');
    expect(fb.textContent).not.toContain('Never blame them.');
    expect([...fb.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['sorry', 'Dana', 'SLA']);
    expect(screen.getByTestId('mood-meter').getAttribute('aria-valuenow')).toBe('50');
  });

  it('shows a rubric the moment did not assess as not assessed, never 0', async () => {
    conversation({ view: replied() });
    const scores = (await screen.findByTestId('turn-scores')).textContent!;
    expect(scores).toContain('Professionalism not assessed');
    expect(scores).toContain('Empathy 80');
    expect(scores).not.toMatch(/Professionalism 0/);
  });

  it('lets the trainee open the definition of every criterion shown, from the keyboard', async () => {
    const user = userEvent.setup();
    conversation({ view: replied() });
    const fb = await screen.findByTestId('turn-feedback');
    const crits = within(fb).getAllByTestId('criterion');
    for (const c of crits) {
      const id = c.dataset.criterionId!;
      const details = c.querySelector('details')!;
      expect(details, id).not.toBeNull();
      expect(details.open).toBe(false);
      expect(within(c).getByTestId('criterion-definition').textContent).toBe(definitions().find((d) => d.id === id)!.text);
    }
    const summary = crits[1].querySelector('summary')!;
    summary.focus();
    expect(document.activeElement).toBe(summary);
    await user.click(summary);
    expect(crits[1].querySelector('details')!.open).toBe(true);
    expect(within(crits[1]).getByTestId('criterion-definition').textContent).toBe('Proposes a concrete next step.');
  });

  it('puts each definition disclosure in the tab order', async () => {
    const user = userEvent.setup();
    render(Feedback, { reply: 'x', score: score(), focus: ['apologize'], definitions: definitions() });
    await user.tab();
    expect(document.activeElement?.tagName).toBe('SUMMARY');
    expect(document.activeElement?.closest('[data-testid="criterion"]')?.getAttribute('data-criterion-id')).toBe('apologize');
    await user.tab();
    expect(document.activeElement?.closest('[data-testid="criterion"]')?.getAttribute('data-criterion-id')).toBe('use_name');
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

  it('tells the backend the trainee is typing, at most about once a second, only when the text changes', async () => {
    vi.useFakeTimers();
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const { ontyping } = conversation();
    await vi.advanceTimersByTimeAsync(10);
    const box = screen.getByTestId('reply-input');
    await user.type(box, 'Hello');
    // The first change is told at once; the rest of the burst waits for the interval.
    expect(ontyping.mock.calls).toEqual([[1]]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ontyping).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(5000);
    expect(ontyping).toHaveBeenCalledTimes(2);
    // Keys that change nothing are not typing.
    await user.keyboard('{ArrowLeft}{ArrowLeft}{Shift}{Control}');
    await vi.advanceTimersByTimeAsync(2000);
    expect(ontyping).toHaveBeenCalledTimes(2);
    // A key every 200 ms for 4 s: about one call a second, never more.
    for (let i = 0; i < 20; i++) {
      await user.keyboard('a');
      await vi.advanceTimersByTimeAsync(200);
    }
    const burst = ontyping.mock.calls.length - 2;
    expect(burst).toBeGreaterThanOrEqual(4);
    expect(burst).toBeLessThanOrEqual(5);
    // Sending clears the draft; that is not typing, and nothing is left pending.
    const before = ontyping.mock.calls.length;
    await user.keyboard('{Enter}');
    await vi.advanceTimersByTimeAsync(3000);
    expect(ontyping).toHaveBeenCalledTimes(before);
  });

  it('does not report typing once the conversation has ended', async () => {
    const user = userEvent.setup();
    const ended = replied();
    ended.ending = { id: 'resolved', outcome: 'success', closing_line: 'Thanks.', lesson: 'L' };
    const { ontyping } = conversation({ view: ended });
    const box = screen.queryByTestId('reply-input') as HTMLTextAreaElement | null;
    if (box && !box.disabled) await user.type(box, 'late');
    expect(ontyping).not.toHaveBeenCalled();
  });

  it('shows the customer waiting while the trainee types, the patience bar paused, then running again', async () => {
    vi.useFakeTimers();
    const fill = () => screen.getByTestId('patience').querySelector('rect.fill')!.getAttribute('width');
    // The backend held the patience for the typing grace (4 s) from now: 24 s left in
    // all, so 20 s of the customer's 30 s while the trainee types.
    conversation({ view: view({ customer_waiting: true, patience_left_ms: 24000 }) });
    await vi.advanceTimersByTimeAsync(10);
    expect(screen.getByTestId('customer-waiting').textContent).toContain('Dana Whitfield is waiting while you type');
    expect(screen.getByTestId('patience').dataset.paused).toBe('true');
    expect(screen.getByTestId('patience').textContent).toContain('Patience (on hold)');
    expect(fill()).toBe('67');
    await vi.advanceTimersByTimeAsync(3000);
    expect(fill()).toBe('67');
    expect(screen.getByTestId('customer-waiting')).toBeTruthy();
    // Typing stopped: 4 s on, the note goes and the bar counts down again.
    await vi.advanceTimersByTimeAsync(2000);
    expect(screen.queryByTestId('customer-waiting')).toBeNull();
    expect(screen.getByTestId('patience').dataset.paused).toBe('false');
    expect(Number(fill())).toBeLessThan(67);
    await vi.advanceTimersByTimeAsync(3000);
    expect(Number(fill())).toBeLessThanOrEqual(54);
  });

  it('counts the patience down when the customer is not waiting', async () => {
    vi.useFakeTimers();
    const fill = () => screen.getByTestId('patience').querySelector('rect.fill')!.getAttribute('width');
    conversation({ view: view({ patience_left_ms: 30000 }) });
    await vi.advanceTimersByTimeAsync(10);
    expect(fill()).toBe('100');
    expect(screen.queryByTestId('customer-waiting')).toBeNull();
    await vi.advanceTimersByTimeAsync(3000);
    expect(fill()).toBe('90');
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
    render(Debrief, { debrief: debrief(), definitions: definitions(), ontryagain, onlibrary: vi.fn() });
    expect(screen.getByTestId('outcome').textContent).toContain('Resolved');
    expect(screen.getByTestId('debrief').textContent).toContain('Hear her out first.');
    expect(screen.getByTestId('score-empathy').textContent).toBe('80');
    expect(screen.getByTestId('score-problem-solving').textContent).toBe('60');
    expect(screen.getByTestId('score-overall').textContent).toBe('35');
    expect(screen.getByTestId('mood-chart').querySelectorAll('circle')).toHaveLength(3);
    expect(byTestId('debrief-turn')).toHaveLength(2);
    expect(screen.getByTestId('model-answer').textContent).toContain("I'll refund it now.");
    await user.click(screen.getByTestId('try-again'));
    expect(ontryagain).toHaveBeenCalled();
  });

  it('shows a rubric no turn assessed as not assessed, never 0', () => {
    render(Debrief, { debrief: debrief(), ontryagain: vi.fn(), onlibrary: vi.fn() });
    const card = screen.getByTestId('score-professionalism');
    expect(card.textContent).toBe('—');
    expect(card.dataset.assessed).toBe('false');
    expect(card.parentElement!.textContent).toContain('Not assessed');
    expect(screen.getByTestId('score-empathy').dataset.assessed).toBe('true');
    const turn = within(byTestId('debrief-turn')[0]).getByTestId('turn-scores').textContent!;
    expect(turn).toContain('Professionalism not assessed');
  });

  it('says which turn decided the ending, what was missed there and the mood', () => {
    render(Debrief, { debrief: debrief(), ontryagain: vi.fn(), onlibrary: vi.fn() });
    const text = screen.getByTestId('decided-by').textContent!.replace(/\s+/g, ' ');
    expect(text).toContain('Decided at turn 2: the customer was left waiting; missed there: Offer solution; mood 50.');
    const turns = byTestId('debrief-turn');
    expect(within(turns[1]).getByTestId('decisive-turn')).toBeTruthy();
    expect(within(turns[1]).getByTestId('decisive-turn').textContent).toBe('This turn decided the ending');
    expect(within(turns[0]).queryByTestId('decisive-turn')).toBeNull();
  });

  it('has no decision section when the backend gives none', () => {
    render(Debrief, { debrief: { ...debrief(), decided_by: null }, ontryagain: vi.fn(), onlibrary: vi.fn() });
    expect(screen.queryByTestId('decided-by')).toBeNull();
    expect(screen.queryByTestId('decisive-turn')).toBeNull();
  });

  it('shows a chased silence as a turn scoring 0', () => {
    render(Debrief, { debrief: debrief(), ontryagain: vi.fn(), onlibrary: vi.fn() });
    const silent = within(byTestId('debrief-turn')[1]).getByTestId('silent-turn').textContent!;
    expect(silent).toContain('You stayed silent');
    expect(silent).toContain('scores 0');
  });

  it('shows each turn feedback in order with the definitions passed down', async () => {
    const user = userEvent.setup();
    render(Debrief, { debrief: debrief(), definitions: definitions(), ontryagain: vi.fn(), onlibrary: vi.fn() });
    const ev = screen.getByTestId('turn-evidence');
    const crits = within(ev).getAllByTestId('criterion');
    expect(crits.map((c) => c.dataset.criterionId)).toEqual(['apologize', 'offer_solution', 'use_name', 'jargon']);
    await user.click(crits[0].querySelector('summary')!);
    expect(crits[0].querySelector('details')!.open).toBe(true);
    expect(within(crits[0]).getByTestId('criterion-definition').textContent).toBe('Says sorry for what went wrong.');
  });
});
