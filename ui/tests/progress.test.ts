import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import * as ipc from '../src/ipc';
import App from '../src/App.svelte';
import Progress from '../src/lib/Progress.svelte';
import Settings from '../src/lib/Settings.svelte';
import { rateText } from '../src/lib/progress';
import { setAppLanguage } from '../src/i18n/index.svelte';
import type { ProgressView, SettingsView, SyncStatus } from '../src/ipc';
import { XSS, debrief, library } from './fixtures';

function progressView(over: Partial<ProgressView> = {}): ProgressView {
  const point = (id: string, started: string, overall: number, empathy: number | null) => ({
    attempt_id: id,
    scenario: 'double-charge',
    title: 'Charged twice',
    started,
    started_at_ms: 0,
    outcome: 'success',
    scores: { overall, empathy, problem_solving: 60, professionalism: 100 },
  });
  return {
    attempts: [point('a1', '2026-11-01T10:00:00Z', 40, 30), point('a2', '2026-11-02T10:00:00Z', 72, null)],
    criteria: [
      { id: 'acknowledge_feelings', rubric: 'empathy', penalty: false, judged: 4, went_well: 1, rate: 25 },
      { id: 'blame', rubric: 'professionalism', penalty: true, judged: 4, went_well: 4, rate: 100 },
    ],
    recent: 2,
    weakest: ['acknowledge_feelings'],
    suggestion: { scenario: 'late-gift', title: 'Late gift', practises: ['acknowledge_feelings'] },
    ...over,
  };
}

function settingsView(over: Partial<SettingsView> = {}): SettingsView {
  return {
    name: '',
    email: '',
    home_page: '',
    account: '',
    endpoint: 'http://127.0.0.1:8100',
    key: 'trainee',
    secret_saved: true,
    system_user: 'ana',
    overridden_by_env: [],
    ...over,
  };
}

const STATUS: SyncStatus = {
  waiting: 3,
  sent: 5,
  last_error: 'the LRS refused the credentials (401); check the key and secret',
  last_sent: '2026-11-02T10:00:00Z',
  configured: true,
};

describe('ipc progress and settings commands', () => {
  it('call the backend with camelCase arguments', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return null;
    });
    await ipc.progress();
    await ipc.pastDebrief('a1');
    await ipc.settings();
    await ipc.saveSettings({ name: 'A', email: '', home_page: '', account: '', endpoint: '', key: '', secret: null });
    await ipc.syncStatus();
    await ipc.syncNow();
    expect(calls.map(([c]) => c)).toEqual([
      'progress',
      'past_debrief',
      'settings',
      'save_settings',
      'sync_status',
      'sync_now',
    ]);
    expect(calls[1][1]).toEqual({ attemptId: 'a1' });
    expect((calls[3][1] as { settings: { secret: unknown } }).settings.secret).toBeNull();
  });
});

describe('Progress', () => {
  it('names the weakest criteria, suggests a scenario and charts the scores', async () => {
    const practised: string[] = [];
    render(Progress, { progress: progressView(), onopen: () => undefined, onpractise: (id: string) => practised.push(id) });
    const weak = screen.getAllByTestId('weak-criterion');
    expect(weak.map((w) => w.dataset.criterionId)).toEqual(['acknowledge_feelings']);
    expect(weak[0].textContent).toContain('1 of 4 turns (25%)');
    expect(screen.getByTestId('suggestion').textContent).toContain('Late gift');
    await userEvent.click(screen.getByTestId('practise'));
    expect(practised).toEqual(['late-gift']);
    const chart = screen.getByTestId('score-chart');
    // The overall line has a point per attempt; a rubric not assessed has none.
    expect(chart.querySelectorAll('circle.point.overall')).toHaveLength(2);
    expect(chart.querySelectorAll('circle.point.empathy')).toHaveLength(1);
    // No inline styles anywhere (the CSP forbids them).
    expect(document.querySelectorAll('[style]')).toHaveLength(0);
    expect(screen.getByTestId('criteria-chart').querySelectorAll('rect.bar.weak')).toHaveLength(1);
  });

  it('shows the same data as tables', async () => {
    render(Progress, { progress: progressView(), onopen: () => undefined, onpractise: () => undefined });
    await userEvent.click(screen.getByTestId('table-toggle'));
    const rows = within(screen.getByTestId('scores-table')).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[2].textContent).toContain('72');
    expect(rows[2].textContent).toContain('–');
    const crit = within(screen.getByTestId('criteria-table')).getAllByRole('row');
    expect(crit[2].textContent).toContain('Avoided: Blame');
    expect(screen.queryByTestId('score-chart')).toBeNull();
  });

  it('opens a past attempt from the list and from a chart point by keyboard', async () => {
    const opened: string[] = [];
    render(Progress, { progress: progressView(), onopen: (id: string) => opened.push(id), onpractise: () => undefined });
    await userEvent.click(screen.getAllByTestId('open-attempt')[0]);
    const point = screen.getByTestId('score-chart').querySelector('circle.point.overall') as SVGElement;
    point.focus();
    await userEvent.keyboard('{Enter}');
    expect(opened).toEqual(['a2', 'a1']);
  });

  it('says when there is nothing yet, and shows titles as text', () => {
    render(Progress, { progress: progressView({ attempts: [], criteria: [], weakest: [], suggestion: null, recent: 0 }), onopen: () => undefined, onpractise: () => undefined });
    expect(screen.getByTestId('progress-empty')).toBeTruthy();
  });

  it('never renders a scenario title as HTML', () => {
    const p = progressView({ suggestion: { scenario: 'xss', title: XSS, practises: ['acknowledge_feelings'] } });
    render(Progress, { progress: p, onopen: () => undefined, onpractise: () => undefined });
    expect(document.querySelector('img')).toBeNull();
    expect(screen.getByTestId('suggestion').textContent).toContain(XSS);
  });

  it('speaks the app language', () => {
    setAppLanguage('fr');
    try {
      render(Progress, { progress: progressView(), onopen: () => undefined, onpractise: () => undefined });
      expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Vos progrès');
      expect(screen.getAllByTestId('weak-criterion')[0].textContent).toContain('1 sur 4 tours (25 %)');
    } finally {
      setAppLanguage('en');
    }
  });

  it('rate text counts turns', () => {
    expect(rateText({ id: 'x', rubric: 'empathy', penalty: false, judged: 1, went_well: 1, rate: 100 })).toBe('1 of 1 turn (100%)');
  });
});

describe('Settings', () => {
  it('shows the outbox, the last error, and keeps the saved secret unless a new one is typed', async () => {
    const saved: unknown[] = [];
    let synced = 0;
    render(Settings, { settings: settingsView(), status: STATUS, onsave: (i: unknown) => saved.push(i), onsync: () => synced++ });
    expect(screen.getByTestId('outbox-waiting').textContent).toContain('3 statements waiting');
    expect(screen.getByTestId('sync-error').textContent).toContain('401');
    const name = screen.getByLabelText('Name') as HTMLInputElement;
    expect(name.placeholder).toBe('ana');
    await userEvent.type(name, 'Ana K');
    await userEvent.type(screen.getByLabelText('Email'), 'ana@example.org');
    await userEvent.click(screen.getByTestId('save-settings'));
    expect(saved[0]).toMatchObject({ name: 'Ana K', email: 'ana@example.org', key: 'trainee', secret: null });
    await userEvent.type(screen.getByLabelText('Secret'), 's3cret');
    await userEvent.click(screen.getByTestId('save-settings'));
    expect(saved[1]).toMatchObject({ secret: 's3cret' });
    await userEvent.click(screen.getByTestId('sync-now'));
    expect(synced).toBe(1);
  });
});

describe('App navigation', () => {
  it('goes to Progress, opens a past debrief, and to Settings and syncs', async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      switch (cmd) {
        case 'library':
          return library();
        case 'history':
          return [];
        case 'unfinished':
          return null;
        case 'progress':
          return progressView();
        case 'past_debrief':
          return debrief();
        case 'settings':
          return settingsView();
        case 'sync_status':
          return { ...STATUS, last_error: null };
        case 'sync_now':
          return { sent: 3, waiting: 0, error: null };
        default:
          return null;
      }
    });
    render(App);
    await userEvent.click(await screen.findByTestId('nav-progress'));
    await screen.findByTestId('progress');
    await userEvent.click(screen.getAllByTestId('open-attempt')[0]);
    await screen.findByTestId('debrief');
    await userEvent.click(screen.getByTestId('nav-settings'));
    await screen.findByTestId('settings');
    await userEvent.click(screen.getByTestId('sync-now'));
    await screen.findByTestId('outbox-waiting');
    expect(calls).toContain('past_debrief');
    expect(calls.filter((c) => c === 'sync_now')).toHaveLength(1);
  });
});
