import { describe, expect, it } from 'vitest';
import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import * as ipc from '../src/ipc';
import { library, view } from './fixtures';

describe('ipc', () => {
  it('calls each command by name with camelCase arguments', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return cmd === 'library' ? library() : view();
    });
    expect((await ipc.library()).scenarios).toHaveLength(3);
    await ipc.startScenario('double-charge', 4);
    await ipc.startScenario('double-charge');
    await ipc.sendReply('hello');
    await ipc.choose(2);
    await ipc.linesShown(7, 3);
    await ipc.typing(7);
    expect(calls).toEqual([
      ['library', {}],
      ['start_scenario', { scenarioId: 'double-charge', seed: 4 }],
      ['start_scenario', { scenarioId: 'double-charge', seed: null }],
      ['send_reply', { text: 'hello' }],
      ['choose', { number: 2 }],
      ['lines_shown', { sessionId: 7, shown: 3 }],
      ['typing', { sessionId: 7 }],
    ]);
  });

  it('turns {kind, message} rejections into IpcError', async () => {
    mockIPC(() => {
      throw { kind: 'no_session', message: 'no conversation is in progress' };
    });
    const err = await ipc.sendReply('hi').catch((e) => e);
    expect(err).toBeInstanceOf(ipc.IpcError);
    expect(err.kind).toBe('no_session');
    expect(err.message).toBe('no conversation is in progress');
  });

  it('reports anything else as internal', async () => {
    mockIPC(() => {
      throw 'boom';
    });
    const err = await ipc.debrief().catch((e) => e);
    expect(err.kind).toBe('internal');
  });

  it('delivers pushed session views', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const got: number[] = [];
    const unlisten = await ipc.onSessionUpdated((v) => got.push(v.mood));
    await emit(ipc.SESSION_EVENT, view({ mood: 12 }));
    unlisten();
    await emit(ipc.SESSION_EVENT, view({ mood: 99 }));
    expect(got).toEqual([12]);
  });
});
