import type { Debrief, Definition, HistoryEntry, LibraryView, Meta, ReplyScore, SessionView } from '../src/ipc';

export const XSS = '<img src=x onerror=alert(1)>';

export function meta(over: Partial<Meta> = {}): Meta {
  return {
    id: 'double-charge',
    title: 'Charged twice',
    summary: 'Dana was billed twice.',
    difficulty: 2,
    skills: ['billing', 'de-escalation'],
    industry: 'telecom',
    channel: 'phone',
    language: 'en',
    locale: 'en',
    bilingual: false,
    estimated_minutes: 5,
    author: 'T',
    version: '1',
    ...over,
  };
}

export function library(): LibraryView {
  return {
    source: 'scenarios',
    scenarios: [
      meta(),
      meta({
        id: 'late-gift',
        title: 'Late gift',
        summary: 'A parcel is stuck.',
        difficulty: 3,
        skills: ['delivery'],
        industry: 'online-retail',
      }),
      meta({ id: 'xss', title: XSS, summary: XSS, difficulty: 1, skills: ['testing'] }),
    ],
    skills: ['billing', 'de-escalation', 'delivery', 'testing'],
    industries: ['online-retail', 'telecom'],
    tracks: [
      {
        id: 'first-week',
        title: 'First week',
        description: 'Gentle calls first.',
        scenarios: ['late-gift', 'double-charge'],
      },
    ],
    load_errors: [
      {
        file: 'scenarios/broken.yaml',
        diagnostics: [
          {
            file: 'scenarios/broken.yaml',
            line: 4,
            column: 7,
            severity: 'error',
            code: 'unknown-target',
            message: 'no node or ending `calm_dwon`',
            hint: 'did you mean `calm_down`?',
          },
        ],
      },
    ],
    packs: [],
    history_problem: null,
  };
}

/**
 * A reply judged at a moment that called for `apologize` and `offer_solution`: the
 * professionalism rubric was not assessed there. Also met outside the focus: `use_name`
 * (good) and `jargon` (a penalty present).
 */
export function score(): ReplyScore {
  return {
    scores: { empathy: 80, problem_solving: 60, professionalism: null, overall: 70 },
    criteria: [
      { id: 'apologize', rubric: 'empathy', penalty: false, met: true, evidence: [{ start: 4, end: 9, text: 'sorry' }], tip: 'Say sorry.' },
      { id: 'jargon', rubric: 'professionalism', penalty: true, met: true, evidence: [{ start: 17, end: 20, text: 'SLA' }], tip: 'Say it in plain words.' },
      { id: 'offer_solution', rubric: 'problem_solving', penalty: false, met: false, evidence: [], tip: 'Say what you will do.' },
      { id: 'reassure', rubric: 'empathy', penalty: false, met: false, evidence: [], tip: 'Not in focus.' },
      { id: 'use_name', rubric: 'empathy', penalty: false, met: true, evidence: [{ start: 11, end: 15, text: 'Dana' }], tip: 'Use their name.' },
      { id: 'blame_customer', rubric: 'professionalism', penalty: true, met: false, evidence: [], tip: 'Never blame them.' },
    ],
  };
}

/** The reply `score()` judges (its evidence offsets point into it). */
export const REPLY = "I'm sorry, Dana. SLA applies.";

export function definitions(): Definition[] {
  return [
    { id: 'apologize', text: 'Says sorry for what went wrong.' },
    { id: 'offer_solution', text: 'Proposes a concrete next step.' },
    { id: 'reassure', text: 'Tells them it will be sorted.' },
    { id: 'use_name', text: "Uses the customer's name." },
    { id: 'jargon', text: 'Uses internal terms the customer does not know.' },
    { id: 'blame_customer', text: 'Suggests the problem is their fault.' },
  ];
}

export function view(over: Partial<SessionView> = {}): SessionView {
  return {
    session_id: 1,
    seed: 7,
    scenario: meta(),
    customer: { name: 'Dana Whitfield', persona: 'Tired and angry.', patience_seconds: 30, variant: null },
    facts: [{ key: 'order_id', value: 'A-1', label: null, needed: false }],
    mood: 30,
    node: 'opening',
    choices: [],
    transcript: [{ at_ms: 0, type: 'customer_line', node: 'opening', text: 'You charged me twice!', chase: false }],
    last_reply_focus: [],
    ending: null,
    patience_left_ms: 30000,
    customer_waiting: false,
    definitions: [],
    attempt_id: null,
    ...over,
  };
}

export function replied(): SessionView {
  const base = view();
  return view({
    mood: 50,
    node: 'calmer',
    last_reply_focus: ['apologize', 'offer_solution'],
    definitions: definitions(),
    transcript: [
      ...base.transcript,
      { at_ms: 5000, type: 'agent_reply', node: 'opening', text: REPLY, choice: null, score: score() },
      { at_ms: 5000, type: 'mood_changed', from: 30, to: 50, delta: 20 },
      { at_ms: 5000, type: 'customer_line', node: 'calmer', text: 'OK. What now?', chase: false },
    ],
  });
}

export function debrief(): Debrief {
  return {
    scenario_id: 'double-charge',
    title: 'Charged twice',
    ending: 'resolved',
    outcome: 'success',
    closing_line: 'Thanks, that helps.',
    lesson: 'Hear her out first.',
    // Professionalism was assessed at no turn; the silence counts 0 in the overall.
    scores: { empathy: 80, problem_solving: 60, professionalism: null, overall: 35 },
    mood_curve: [30, 50, 20],
    turns: [
      {
        node: 'opening',
        customer_line: 'You charged me twice!',
        reply: REPLY,
        choice: null,
        score: score(),
        focus: ['apologize', 'offer_solution'],
        model_answers: ["I'm so sorry, Dana. I'll refund it now."],
        mood_after: 50,
      },
      {
        node: 'calmer',
        customer_line: 'OK. What now?',
        reply: null,
        choice: null,
        score: null,
        focus: [],
        model_answers: [],
        mood_after: 20,
      },
    ],
    decided_by: {
      turn: 1,
      node: 'calmer',
      rule: { rule: 'silence' },
      reason: 'the customer was left waiting',
      met: [],
      missed: ['offer_solution'],
      mood: 50,
    },
  };
}

/** A recorded attempt: finished, resolved, overall 72 unless told otherwise. */
export function entry(over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: 'a1',
    scenario: 'double-charge',
    scenario_version: '1',
    seed: 7,
    status: 'finished',
    started: '2026-11-30T10:00:00Z',
    ended: '2026-11-30T10:05:00Z',
    started_at_ms: 0,
    ended_at_ms: 300000,
    outcome: 'success',
    scores: { empathy: 80, problem_solving: 60, professionalism: null, overall: 72 },
    inputs: 4,
    turns: 2,
    resumable: false,
    scenario_changed: false,
    ...over,
  };
}

/** The unfinished attempt offered at start-up. */
export function unfinishedEntry(over: Partial<HistoryEntry> = {}): HistoryEntry {
  return entry({
    id: 'u1',
    status: 'unfinished',
    ended: null,
    ended_at_ms: null,
    outcome: null,
    scores: null,
    resumable: true,
    ...over,
  });
}
