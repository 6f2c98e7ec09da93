import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import App from '../src/App.svelte';
import { debrief, library, replied, view } from './fixtures';

describe('App', () => {
  it('goes from the library to a conversation to the debrief and back', async () => {
    const user = userEvent.setup();
    const calls: string[] = [];
    mockIPC(
      (cmd) => {
        calls.push(cmd);
        switch (cmd) {
          case 'library':
            return library();
          case 'start_scenario':
            return view();
          case 'send_reply': {
            const v = replied();
            v.ending = { id: 'resolved', outcome: 'success', closing_line: 'Thanks.', lesson: 'L' };
            return v;
          }
          case 'debrief':
            return debrief();
          case 'lines_shown':
          case 'typing':
            return view();
          default:
            return null;
        }
      },
      { shouldMockEvents: true },
    );
    render(App);
    const card = (await screen.findAllByTestId('scenario-card'))[0];
    await user.click(within(card).getByTestId('start-scenario'));
    await screen.findByTestId('reply-input');
    // A pushed view for this session (the customer chasing) replaces what is shown.
    await emit('session-updated', view({ mood: 11 }));
    await vi.waitFor(() => expect(screen.getByTestId('mood-meter').getAttribute('aria-valuenow')).toBe('11'));
    await emit('session-updated', view({ session_id: 99, mood: 77 }));
    await user.type(screen.getByTestId('reply-input'), "I'm sorry, Dana.{Enter}");
    await user.click(await screen.findByTestId('open-debrief'));
    expect((await screen.findByTestId('score-empathy')).textContent).toBe('80');
    // The debrief opens the definitions the conversation's views carried.
    const defs = screen.getAllByTestId('criterion-definition').map((d) => d.textContent);
    expect(defs).toContain('Says sorry for what went wrong.');
    await user.click(screen.getByTestId('back-to-library'));
    await screen.findAllByTestId('scenario-card');
    // When the customer's line has appeared is a matter of the typing pause; see below.
    expect(calls.filter((c) => c !== 'lines_shown')).toEqual([
      'library',
      'history',
      'unfinished',
      'start_scenario',
      'typing',
      'send_reply',
      'debrief',
      'abandon',
      // The cards' progress is refreshed on the way back.
      'history',
    ]);
  });

  it("starts the customer's patience once their line is on screen, not before", async () => {
    const user = userEvent.setup();
    const shown: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'library') return library();
      if (cmd === 'lines_shown') {
        shown.push(args);
        return view({ mood: 12 });
      }
      return view();
    });
    render(App);
    const card = (await screen.findAllByTestId('scenario-card'))[0];
    await user.click(within(card).getByTestId('start-scenario'));
    await screen.findAllByTestId('customer-line');
    await vi.waitFor(() => expect(shown).toEqual([{ sessionId: view().session_id, shown: view().transcript.length }]));
    // The acknowledged view (fresh patience) replaces the one on screen.
    await vi.waitFor(() => expect(screen.getByTestId('mood-meter').getAttribute('aria-valuenow')).toBe('12'));
  });

  it('holds the customer while the trainee types and shows that they wait', async () => {
    const user = userEvent.setup();
    const typed: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'library') return library();
      if (cmd === 'typing') {
        typed.push(args);
        return view({ customer_waiting: true, patience_left_ms: 26000 });
      }
      return view();
    });
    render(App);
    const card = (await screen.findAllByTestId('scenario-card'))[0];
    await user.click(within(card).getByTestId('start-scenario'));
    expect(screen.queryByTestId('customer-waiting')).toBeNull();
    await user.type(await screen.findByTestId('reply-input'), 'Hi');
    await vi.waitFor(() => expect(typed).toEqual([{ sessionId: view().session_id }]));
    expect((await screen.findByTestId('customer-waiting')).textContent).toContain('is waiting while you type');
    expect(screen.getByTestId('patience').dataset.paused).toBe('true');
  });

  it('keeps the conversation going when the typing call fails', async () => {
    const user = userEvent.setup();
    mockIPC((cmd) => {
      if (cmd === 'library') return library();
      if (cmd === 'typing') throw { kind: 'no_session', message: 'gone' };
      return view();
    });
    render(App);
    const card = (await screen.findAllByTestId('scenario-card'))[0];
    await user.click(within(card).getByTestId('start-scenario'));
    await user.type(await screen.findByTestId('reply-input'), 'Hi');
    expect(screen.queryByRole('alert')).toBeNull();
    expect((screen.getByTestId('reply-input') as HTMLTextAreaElement).value).toBe('Hi');
  });

  it('shows a failed command as an alert', async () => {
    const user = userEvent.setup();
    mockIPC((cmd) => {
      if (cmd === 'library') return library();
      throw { kind: 'not_found', message: 'there is no scenario `x` in the library' };
    });
    render(App);
    const card = (await screen.findAllByTestId('scenario-card'))[0];
    await user.click(within(card).getByTestId('start-scenario'));
    expect((await screen.findByRole('alert')).textContent).toContain('there is no scenario');
  });
});
