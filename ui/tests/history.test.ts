import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import * as ipc from '../src/ipc';
import App from '../src/App.svelte';
import Library from '../src/lib/Library.svelte';
import { progressText, typing } from '../src/lib/text';
import type { HistoryEntry } from '../src/ipc';
import { XSS, entry, library, replied, unfinishedEntry, view } from './fixtures';

/** Mocks the backend with `unfinished` answering `offer`; records every call. */
function backend(offer: HistoryEntry | null, extra: (cmd: string) => unknown = () => view()) {
  const calls: [string, unknown][] = [];
  mockIPC((cmd, args) => {
    calls.push([cmd, args]);
    switch (cmd) {
      case 'library':
        return library();
      case 'history':
        return offer ? [offer] : [];
      case 'unfinished':
        return offer;
      default:
        return extra(cmd);
    }
  });
  return calls;
}

const names = (calls: [string, unknown][]) => calls.map(([c]) => c);

const HISTORY: HistoryEntry[] = [
  entry({ id: 'a3', outcome: 'success', scores: { empathy: 70, problem_solving: 70, professionalism: 70, overall: 72 } }),
  entry({ id: 'a2', outcome: 'failure', scores: { empathy: 90, problem_solving: 80, professionalism: 88, overall: 86.2 } }),
  entry({ id: 'a1', status: 'abandoned', outcome: null, scores: null }),
  entry({ id: 'b1', scenario: 'late-gift', status: 'unfinished', outcome: null, scores: null, resumable: true }),
];

describe('ipc history commands', () => {
  it('calls history, unfinished and resume with camelCase arguments', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === 'history') return HISTORY;
      if (cmd === 'unfinished') return null;
      return view({ attempt_id: 'u1' });
    });
    expect(await ipc.history()).toHaveLength(4);
    expect(await ipc.unfinished()).toBeNull();
    expect((await ipc.resume('u1')).attempt_id).toBe('u1');
    await ipc.resume();
    expect(calls).toEqual([
      ['history', {}],
      ['unfinished', {}],
      ['resume', { attemptId: 'u1' }],
      ['resume', { attemptId: null }],
    ]);
  });
});

describe('resume offer', () => {
  it('offers the unfinished conversation and Continue resumes it', async () => {
    const user = userEvent.setup();
    const resumed = view({ attempt_id: 'u1', mood: 44 });
    // The acknowledgement of the lines on screen answers with the same conversation.
    const calls = backend(unfinishedEntry(), (cmd) => (cmd === 'resume' || cmd === 'lines_shown' ? resumed : view()));
    render(App);
    const offer = await screen.findByTestId('resume-offer');
    expect(offer.textContent).toContain('Continue your conversation with Charged twice?');
    await user.click(within(offer).getByTestId('resume-continue'));
    expect(await screen.findByTestId('reply-input')).toBeTruthy();
    expect(screen.getByTestId('mood-meter').getAttribute('aria-valuenow')).toBe('44');
    expect(screen.queryByTestId('resume-offer')).toBeNull();
    expect(calls.filter(([c]) => c === 'resume')).toEqual([['resume', { attemptId: 'u1' }]]);
    expect(names(calls)).not.toContain('start_scenario');
  });

  it('shows the resumed conversation at once, then starts the patience', async () => {
    const user = userEvent.setup();
    // Long typing pauses: a replay would leave the lines off screen for seconds.
    typing.minMs = 60000;
    typing.maxMs = 60000;
    try {
      const resumed = replied();
      const calls = backend(unfinishedEntry(), (cmd) => (cmd === 'resume' ? resumed : view()));
      render(App);
      await user.click(await screen.findByTestId('resume-continue'));
      const lines = await screen.findAllByTestId('customer-line');
      expect(lines.map((l) => l.textContent)).toEqual([
        expect.stringContaining('You charged me twice!'),
        expect.stringContaining('OK. What now?'),
      ]);
      await vi.waitFor(() =>
        expect(calls.filter(([c]) => c === 'lines_shown')).toEqual([
          ['lines_shown', { sessionId: resumed.session_id, shown: resumed.transcript.length }],
        ]),
      );
    } finally {
      typing.minMs = 0;
      typing.maxMs = 0;
    }
  });

  it('is reachable from the keyboard', async () => {
    const user = userEvent.setup();
    const calls = backend(unfinishedEntry());
    render(App);
    const offer = await screen.findByTestId('resume-offer');
    await screen.findAllByTestId('scenario-card');
    // The header first: Scenarios, Progress, Settings, the language switch, A−, A+.
    for (let i = 0; i < 6; i++) await user.tab();
    await user.tab();
    expect(document.activeElement).toBe(within(offer).getByTestId('resume-continue'));
    await user.tab();
    expect(document.activeElement).toBe(within(offer).getByTestId('resume-dismiss'));
    await user.tab({ shift: true });
    await user.keyboard('{Enter}');
    await screen.findByTestId('reply-input');
    expect(names(calls)).toContain('resume');
  });

  it('Start fresh dismisses it and leaves the library as it was', async () => {
    const user = userEvent.setup();
    const calls = backend(unfinishedEntry());
    render(App);
    await user.click(await screen.findByTestId('resume-dismiss'));
    expect(screen.queryByTestId('resume-offer')).toBeNull();
    expect(screen.getAllByTestId('scenario-card')).toHaveLength(3);
    expect(names(calls)).not.toContain('resume');
    // Starting the scenario again is the usual start.
    const card = screen.getAllByTestId('scenario-card')[0];
    await user.click(within(card).getByTestId('start-scenario'));
    await screen.findByTestId('reply-input');
    expect(names(calls)).toContain('start_scenario');
  });

  it('says the scenario changed since and offers only Start fresh', async () => {
    const user = userEvent.setup();
    const calls = backend(unfinishedEntry({ resumable: false, scenario_changed: true }));
    render(App);
    const offer = await screen.findByTestId('resume-offer');
    expect(offer.textContent).toContain('changed since');
    expect(within(offer).queryByTestId('resume-continue')).toBeNull();
    expect(within(offer).getAllByRole('button').map((b) => b.textContent)).toEqual(['Start fresh']);
    await user.click(within(offer).getByTestId('resume-dismiss'));
    expect(screen.queryByTestId('resume-offer')).toBeNull();
    expect(names(calls)).not.toContain('resume');
  });

  it('is not shown when nothing is unfinished', async () => {
    backend(null);
    render(App);
    await screen.findAllByTestId('scenario-card');
    await vi.waitFor(() => expect(screen.queryByTestId('resume-offer')).toBeNull());
  });

  it('shows a failed resume as an alert and withdraws the offer', async () => {
    const user = userEvent.setup();
    backend(unfinishedEntry(), (cmd) => {
      if (cmd === 'resume') throw { kind: 'scenario_changed', message: 'the scenario changed since this attempt' };
      return view();
    });
    render(App);
    await user.click(await screen.findByTestId('resume-continue'));
    expect((await screen.findByRole('alert')).textContent).toContain('the scenario changed since this attempt');
    expect(screen.queryByTestId('resume-offer')).toBeNull();
    expect(screen.getAllByTestId('scenario-card')).toHaveLength(3);
  });

  it('renders the scenario title as text', async () => {
    backend(unfinishedEntry({ scenario: 'xss' }));
    const { container } = render(App);
    const offer = await screen.findByTestId('resume-offer');
    await vi.waitFor(() => expect(offer.textContent).toContain(XSS));
    expect(container.querySelector('img')).toBeNull();
  });
});

describe('card progress', () => {
  it('shows attempts, best and last score and outcome, and nothing when never attempted', () => {
    render(Library, { library: library(), onstart: vi.fn(), history: HISTORY });
    const card = (id: string) => screen.getAllByTestId('scenario-card').find((c) => c.dataset.scenarioId === id)!;
    expect(within(card('double-charge')).getByTestId('card-progress').textContent).toBe(
      '3 attempts · best 86 · last: Resolved (72)',
    );
    expect(within(card('late-gift')).getByTestId('card-progress').textContent).toBe('1 attempt · last: Unfinished');
    expect(within(card('xss')).queryByTestId('card-progress')).toBeNull();
  });

  it('shows nothing without history', () => {
    render(Library, { library: library(), onstart: vi.fn() });
    expect(screen.queryAllByTestId('card-progress')).toHaveLength(0);
  });

  it('is loaded from history on start', async () => {
    mockIPC((cmd) => {
      if (cmd === 'library') return library();
      if (cmd === 'history') return HISTORY;
      return null;
    });
    render(App);
    const progress = await screen.findAllByTestId('card-progress');
    expect(progress.map((p) => p.textContent)).toEqual([
      '3 attempts · best 86 · last: Resolved (72)',
      '1 attempt · last: Unfinished',
    ]);
  });

  it('words each kind of last attempt', () => {
    expect(progressText([])).toBe('');
    expect(progressText([entry({ status: 'abandoned', outcome: null, scores: null })])).toBe('1 attempt · last: Abandoned');
    expect(progressText([entry({ outcome: 'hung_up' }), entry({ scores: null })])).toBe(
      '2 attempts · best 72 · last: Customer hung up (72)',
    );
  });
});

describe('history problem', () => {
  it('is shown as a notice when set', () => {
    render(Library, {
      library: { ...library(), history_problem: 'the history store could not be opened: permission denied' },
      onstart: vi.fn(),
    });
    expect(screen.getByTestId('history-problem').textContent).toContain(
      'the history store could not be opened: permission denied',
    );
  });

  it('is absent when all is well', () => {
    render(Library, { library: library(), onstart: vi.fn() });
    expect(screen.queryByTestId('history-problem')).toBeNull();
  });
});
