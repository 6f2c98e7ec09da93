// The one place the page talks to the Rust side. Components import these functions and
// the generated types; nothing else imports @tauri-apps/api (eslint enforces it).
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open } from '@tauri-apps/plugin-dialog';
import type {
  CommandError,
  Debrief,
  HistoryEntry,
  LibraryView,
  PackImported,
  ProgressView,
  ScenarioGraph,
  SessionView,
  SettingsInput,
  SettingsView,
  StudioView,
  SyncReport,
  SyncStatus,
  TestResult,
  TrialView,
} from './bindings';

export type * from './bindings';

/** The event the backend pushes when the conversation moves without the page asking. */
export const SESSION_EVENT = 'session-updated';

/** A failed command, as `{kind, message}` from the shell, or `internal` for anything else. */
export class IpcError extends Error {
  readonly kind: string;
  constructor(kind: string, message: string) {
    super(message);
    this.name = 'IpcError';
    this.kind = kind;
  }
}

function isCommandError(e: unknown): e is CommandError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as CommandError).kind === 'string' &&
    typeof (e as CommandError).message === 'string'
  );
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    if (isCommandError(e)) throw new IpcError(e.kind, e.message);
    throw new IpcError('internal', String(e));
  }
}

export const library = () => call<LibraryView>('library');

export const startScenario = (scenarioId: string, seed?: number) =>
  call<SessionView>('start_scenario', { scenarioId, seed: seed ?? null });

export const sendReply = (text: string) => call<SessionView>('send_reply', { text });

/** `number` is 1-based, as the choices are numbered on screen. */
export const choose = (number: number) => call<SessionView>('choose', { number });

/**
 * Tells the backend the page has finished showing session `sessionId`'s customer lines
 * (its transcript then held `shown` events), so the customer's patience starts now.
 */
export const linesShown = (sessionId: number, shown: number) =>
  call<SessionView>('lines_shown', { sessionId, shown });

/**
 * The trainee changed their draft in session `sessionId`: the customer's patience holds
 * for a few seconds from now (the backend caps a turn's pauses). Call it at most about
 * once a second while typing.
 */
export const typing = (sessionId: number) => call<SessionView>('typing', { sessionId });

export const session = () => call<SessionView>('session');

export const debrief = () => call<Debrief>('debrief');

export const restart = () => call<SessionView>('restart');

export const abandon = () => call<null>('abandon');

/** Every recorded attempt, newest first. */
export const history = () => call<HistoryEntry[]>('history');

/** The unfinished attempt to offer at start-up, if any (`resumable` false: offer a fresh start). */
export const unfinished = () => call<HistoryEntry | null>('unfinished');

/**
 * Continues attempt `attemptId` (default: the last unfinished one) where it stopped; fails
 * with `scenario_changed` when the scenario's text is not the one played.
 */
export const resume = (attemptId?: string) => call<SessionView>('resume', { attemptId: attemptId ?? null });

/** Calls `handler` with every view the backend pushes (the customer chasing a silent agent). */
export function onSessionUpdated(handler: (view: SessionView) => void): Promise<UnlistenFn> {
  return listen<SessionView>(SESSION_EVENT, (event) => handler(event.payload));
}

/** The file extension of a pack file (`rapport pack export` writes them). */
export const PACK_EXTENSION = 'rapportpack';

/**
 * Imports the pack file at `path` into the data folder. Fails with kind `pack_exists`
 * when that pack is installed: ask, then call again with `replace` true. Other
 * `pack_*` kinds say why a pack was refused (unsafe, too large, invalid, ...).
 */
export const importPack = (path: string, replace = false) =>
  call<PackImported>('import_pack', { path, replace });

/** The system's file dialog for one pack file; `null` when the trainer cancels. */
export async function choosePackFile(): Promise<string | null> {
  const picked = await open({
    multiple: false,
    directory: false,
    filters: [{ name: 'Rapport pack', extensions: [PACK_EXTENSION] }],
  });
  return typeof picked === 'string' ? picked : null;
}

/** The system's folder dialog; `null` when the trainer cancels. */
export async function chooseFolder(): Promise<string | null> {
  const picked = await open({ multiple: false, directory: true });
  return typeof picked === 'string' ? picked : null;
}

/** Calls `handler` with the paths of files dropped on the window. */
export async function onFilesDropped(handler: (paths: string[]) => void): Promise<UnlistenFn> {
  // Outside a Tauri window (tests, a plain browser) there is no webview: rejects.
  return getCurrentWebview().onDragDropEvent((event) => {
    if (event.payload.type === 'drop') handler(event.payload.paths);
  });
}

/** The event the backend pushes when the Studio's pack changed on disk and was reloaded. */
export const STUDIO_EVENT = 'studio-updated';

/** Opens the pack folder at `path` in the Studio (and watches it for changes). */
export const studioOpen = (path: string) => call<StudioView>('studio_open', { path });

export const studioView = () => call<StudioView>('studio_view');

export const studioGraph = (scenario: string) => call<ScenarioGraph>('studio_graph', { scenario });

export const studioTests = (scenario: string) => call<TestResult[]>('studio_tests', { scenario });

/** `reply` tried at `node`, as `rapport try` does it (`mood`: the customer's, default the starting one). */
export const studioTry = (scenario: string, node: string, reply: string, mood?: number) =>
  call<TrialView>('studio_try', { scenario, node, reply, mood: mood ?? null });

/** Calls `handler` with every Studio view the backend pushes after a file changed. */
export function onStudioUpdated(handler: (view: StudioView) => void): Promise<UnlistenFn> {
  return listen<StudioView>(STUDIO_EVENT, (event) => handler(event.payload));
}
/** The trainee's progress over their finished attempts. */
export const progress = () => call<ProgressView>('progress');

/** A finished attempt's debrief, from what was recorded (not scored again). */
export const pastDebrief = (attemptId: string) => call<Debrief>('past_debrief', { attemptId });

/** The profile and LRS settings (never the secret, only whether one is saved). */
export const settings = () => call<SettingsView>('settings');

/** Saves the settings; `secret: null` keeps the saved secret. */
export const saveSettings = (input: SettingsInput) =>
  call<SettingsView>('save_settings', { settings: input });

/** What waits in the outbox and the last error. */
export const syncStatus = () => call<SyncStatus>('sync_status');

/** Sends what waits now. */
export const syncNow = () => call<SyncReport>('sync_now');
