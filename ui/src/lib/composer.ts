import type { Channel } from '../ipc';

/** A key press in the reply box, as much of it as the composer reads. */
export type ComposerKey = {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  isComposing: boolean;
};

/**
 * How the reply box behaves on a channel. An email is written as one whole message
 * (greeting, body, sign-off): a box of about ten lines where Enter starts a new line and
 * Ctrl+Enter (Cmd+Enter on a Mac) sends. Chat and phone keep a short box where Enter
 * sends and Shift+Enter starts a new line.
 */
export type Composer = {
  /** Visible lines of the box. */
  rows: number;
  /** The placeholder's and hint's keys in the `conversation` catalogue. */
  placeholder: 'replyPlaceholder' | 'replyPlaceholderEmail';
  hint: 'replyHintEmail' | null;
  /** Whether this key press sends the reply (else it types as usual). */
  sends: (e: ComposerKey) => boolean;
};

export function composerFor(channel: Channel): Composer {
  if (channel === 'email') {
    return {
      rows: 10,
      placeholder: 'replyPlaceholderEmail',
      hint: 'replyHintEmail',
      sends: (e) => e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.isComposing,
    };
  }
  return {
    rows: 3,
    placeholder: 'replyPlaceholder',
    hint: null,
    sends: (e) => e.key === 'Enter' && !e.shiftKey && !e.isComposing,
  };
}
