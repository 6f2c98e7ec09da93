// The reply box by channel: an email is written as one message in a larger box where
// Enter starts a new line and Ctrl+Enter sends; chat and phone keep Enter to send.
import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import Conversation from '../src/lib/Conversation.svelte';
import { composerFor, type ComposerKey } from '../src/lib/composer';
import { meta, view } from './fixtures';

const key = (over: Partial<ComposerKey>): ComposerKey => ({
  key: 'Enter',
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  isComposing: false,
  ...over,
});

describe('composerFor', () => {
  it('gives email about ten lines, Enter for a new line and Ctrl+Enter to send', () => {
    const c = composerFor('email');
    expect(c.rows).toBe(10);
    expect(c.hint).toBe('replyHintEmail');
    expect(c.sends(key({}))).toBe(false);
    expect(c.sends(key({ shiftKey: true }))).toBe(false);
    expect(c.sends(key({ ctrlKey: true }))).toBe(true);
    expect(c.sends(key({ metaKey: true }))).toBe(true);
    expect(c.sends(key({ ctrlKey: true, isComposing: true }))).toBe(false);
    expect(c.sends(key({ key: 'a', ctrlKey: true }))).toBe(false);
  });

  it('leaves chat and phone as they were: Enter sends, Shift+Enter is a new line', () => {
    for (const channel of ['chat', 'phone'] as const) {
      const c = composerFor(channel);
      expect(c.rows).toBe(3);
      expect(c.hint).toBeNull();
      expect(c.sends(key({}))).toBe(true);
      expect(c.sends(key({ shiftKey: true }))).toBe(false);
      expect(c.sends(key({ isComposing: true }))).toBe(false);
    }
  });
});

function conversation(channel: 'email' | 'phone', language: 'en' | 'fr' = 'en') {
  const handlers = {
    onreply: vi.fn(),
    onchoose: vi.fn(),
    onrestart: vi.fn(),
    onabandon: vi.fn(),
    ondebrief: vi.fn(),
    ontyping: vi.fn(),
  };
  render(Conversation, { view: { ...view(), scenario: meta({ channel, language }) }, ...handlers });
  return handlers;
}

describe('the reply box on screen', () => {
  it('on email, writes several lines and sends only with Ctrl+Enter, as its hint says', async () => {
    const { onreply } = conversation('email');
    const box = screen.getByTestId('reply-input') as HTMLTextAreaElement;
    expect(box.rows).toBe(10);
    const hint = screen.getByTestId('reply-hint');
    expect(hint.textContent).toContain('Ctrl+Enter');
    expect(box.getAttribute('aria-describedby')).toBe(hint.id);
    const user = userEvent.setup();
    await user.click(box);
    await user.keyboard('Dear Dana,{Enter}{Enter}I am sorry.{Enter}Kind regards,{Enter}Alex');
    expect(onreply).not.toHaveBeenCalled();
    expect(box.value).toBe('Dear Dana,\n\nI am sorry.\nKind regards,\nAlex');
    await user.keyboard('{Control>}{Enter}{/Control}');
    expect(onreply).toHaveBeenCalledWith('Dear Dana,\n\nI am sorry.\nKind regards,\nAlex');
  });

  it('says so in French too', () => {
    conversation('email', 'fr');
    expect(screen.getByTestId('reply-hint').textContent).toContain('Ctrl+Entrée');
  });

  it('on the phone, keeps three lines and Enter sends', async () => {
    const { onreply } = conversation('phone');
    const box = screen.getByTestId('reply-input') as HTMLTextAreaElement;
    expect(box.rows).toBe(3);
    expect(screen.queryByTestId('reply-hint')).toBeNull();
    const user = userEvent.setup();
    await user.click(box);
    await user.keyboard('So sorry{Enter}');
    expect(onreply).toHaveBeenCalledWith('So sorry');
  });
});
