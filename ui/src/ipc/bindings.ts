// Generated from the Rust types by `rapport-app` (src-tauri/src/bindings.rs). Do not edit:
// run `make bindings` after changing a type that crosses IPC.

export type CommandError = { 
/**
 * Stable: `not_found`, `no_session`, `not_ended`, `ended`, `invalid_input`,
 * `no_history`, `history`, `nothing_to_resume`, `scenario_changed`, `replay_failed`,
 * `no_lrs` (sync with no LRS configured), `internal`; for a pack import `pack_` and
 * [`PackError::kind`] (`pack_exists`: ask, then import again with `replace`).
 */
kind: string, message: string, };

export type LibraryView = { 
/**
 * Where the scenarios were loaded from.
 */
source: string, 
/**
 * Sorted by difficulty, then title.
 */
scenarios: Array<Meta>, 
/**
 * Every skill tag of the playable scenarios, sorted, for the filter.
 */
skills: Array<string>, 
/**
 * Every line of business (`industry`) of the playable scenarios, sorted, for the filter.
 */
industries: Array<string>, 
/**
 * The pack's learning tracks (`tracks.yaml`), in order; each lists scenario ids in
 * the order to practise them (only playable ones).
 */
tracks: Array<Track>, load_errors: Array<LoadError>, 
/**
 * The packs the scenarios come from, in the order loaded (the app's own pack first,
 * then the imported ones), each with the ids of its playable scenarios.
 */
packs: Array<PackGroup>, 
/**
 * Why attempts are not being recorded (the store could not be opened, or a write
 * failed), or what was done about an unreadable store; `None` when all is well.
 */
history_problem: string | null, };

export type PackGroup = { info: PackInfo, source: string, 
/**
 * Imported into the data folder (not the pack the app was opened on).
 */
installed: boolean, scenarios: Array<string>, };

export type PackInfo = { 
/**
 * Lowercase letters, digits and `-`: the folder it installs into.
 */
id: string, title: string, version: string, author: string, description: string, };

export type PackImported = { id: string, title: string, version: string, 
/**
 * The version it replaced, if that pack was installed.
 */
replaced: string | null, 
/**
 * The validator's warnings (errors refuse the import), as `file:line:col: ...` text.
 */
warnings: Array<string>, library: LibraryView, };

export type StudioView = { dir: string, 
/**
 * What the pack says it is (its `pack.yaml`), when that can be read.
 */
info: PackInfo | null, 
/**
 * Every scenario, rubric and pack file, sorted by path.
 */
files: Array<StudioFile>, 
/**
 * Increases with every reload, so the page can tell a new view from an old one.
 */
revision: number, };

export type StudioFile = { 
/**
 * Relative to the pack folder, `/`-separated.
 */
path: string, 
/**
 * The scenario it defines, when it loaded.
 */
scenario_id: string | null, errors: number, warnings: number, diagnostics: Array<Diagnostic>, };

export type ScenarioGraph = { scenario: string, title: string, nodes: Array<GraphNode>, edges: Array<GraphEdge>, };

export type GraphNode = { id: string, 
/**
 * `None` for a node; the outcome for an ending.
 */
outcome: Outcome | null, start: boolean, 
/**
 * The node's first line (or the ending's closing line), for a tooltip.
 */
say: string, 
/**
 * Guided nodes: the choices, as written.
 */
choices: Array<string>, };

export type GraphEdge = { from: string, to: string, 
/**
 * `branch N` (1-based), `otherwise`, `silence` or `hang up`.
 */
via: string, 
/**
 * The condition in words.
 */
label: string, 
/**
 * The golden tests that take it; empty: untested.
 */
covered_by: Array<string>, };

export type TestResult = { name: string, passed: boolean, 
/**
 * What differed from the test's expectations (the first turn that left the
 * expected path comes first).
 */
failures: Array<string>, 
/**
 * The run as `rapport test --verbose` prints it.
 */
transcript: string, };

export type TrialView = { node: string, customer_line: string, scores: Scores, criteria: Array<TriedCriterion>, 
/**
 * `branch N` or `otherwise`.
 */
via: string, goto: string, mood: number, reason: string, rejected: Array<TriedRejected>, };

export type TriedCriterion = { id: string, met: boolean, 
/**
 * Called for at this node (its `focus`).
 */
focus: boolean, decided_by: Array<string>, cancelled: Array<string>, };

export type TriedRejected = { 
/**
 * 1-based, as the Studio numbers branches.
 */
branch: number, goto: string, failed: Array<string>, };

export type Meta = { id: string, title: string, summary: string, 
/**
 * 1 (gentle) to 5 (hardest).
 */
difficulty: number, skills: Array<string>, 
/**
 * The line of business (`telecom`, `online-retail`, `banking`, ...), for the
 * library filter; `None` when the scenario does not say.
 */
industry: string | null, channel: Channel, language: Language, 
/**
 * The language as the scenario gives it, with its region when it has one (`fr-CA`,
 * `fr-FR`, `en-GB`, or just `fr`): the screen and the customer's formats can
 * follow the region; the scorer judges in `language`'s rubric.
 */
locale: string, 
/**
 * A bilingual desk: a reply in English or French is fine whatever the customer
 * speaks (no `customer_language` penalty).
 */
bilingual: boolean, estimated_minutes: number, author: string, version: string, };

export type Track = { id: string, title: string, 
/**
 * A sentence or two on what the track practises.
 */
description: string, 
/**
 * Scenario ids, in the order to practise them.
 */
scenarios: Array<string>, };

export type Channel = "phone" | "chat" | "email";

export type Language = "en" | "fr";

export type LoadError = { file: string, diagnostics: Array<Diagnostic>, };

export type Diagnostic = { file: string, 
/**
 * 1-based; 0 only when the problem is with the file as a whole (unreadable, too big).
 */
line: number, 
/**
 * 1-based, counted in characters.
 */
column: number, severity: Severity, 
/**
 * Stable, kebab-case (`unknown-target`, `yaml-syntax`, ...): safe to grep and to document.
 */
code: string, message: string, hint: string | null, };

export type Severity = "error" | "warning";

export type SessionView = { 
/**
 * Changes on every start and restart, so the page can drop news of an older session.
 */
session_id: number, seed: number, scenario: Meta, customer: CustomerCard, facts: Array<Fact>, 
/**
 * 0 furious to 100 delighted.
 */
mood: number, 
/**
 * The current node (the ending once ended).
 */
node: string, 
/**
 * Guided mode: the choices to pick from, in the order shown (shuffled with the
 * seed unless the node pins them), numbered from 1 for [`App::choose`]; empty when
 * typing.
 */
choices: Array<string>, 
/**
 * Every event so far. The page animates the ones it has not shown yet.
 */
transcript: Array<Event>, 
/**
 * The criteria that mattered most for the latest reply (its node's `focus`), so the
 * feedback can lead with them.
 */
last_reply_focus: Array<string>, ending: EndingView | null, 
/**
 * Milliseconds left before the customer chases, when they have a patience.
 */
patience_left_ms: number | null, 
/**
 * The trainee is typing and the customer's patience is on hold: they are waiting.
 */
customer_waiting: boolean, 
/**
 * One-line definitions of the criteria the last reply was judged on, in the
 * scenario's language, for the trainee to open.
 */
definitions: Array<Definition>, 
/**
 * The attempt's id in the history, when it is being recorded.
 */
attempt_id: string | null, };

export type CustomerCard = { name: string, persona: string, 
/**
 * Seconds of silence before they chase; `None` when they wait forever.
 */
patience_seconds: number | null, 
/**
 * Which of the scenario's persona variants this customer is (picked by the seed);
 * `None` when the scenario has none.
 */
variant: VariantCard | null, };

export type VariantCard = { id: string, temperament: string, };

export type Fact = { key: string, value: string, 
/**
 * The author's label, in the scenario's language (`None`: show the key in words).
 */
label: string | null, 
/**
 * This moment needs it (the node lists it, or its model answers use it): such facts
 * come first.
 */
needed: boolean, };

export type EndingView = { id: string, outcome: Outcome, closing_line: string, lesson: string, };

export type Outcome = "success" | "partial" | "failure" | "escalated" | "hung_up" | "churned";

export type Event = { at_ms: number, } & ({ "type": "customer_line", node: string, text: string, chase: boolean, } | { "type": "agent_reply", node: string, text: string, 
/**
 * The guided choice picked, numbered as the author wrote them (from 1), whatever
 * order the trainee saw.
 */
choice: number | null, score: ReplyScore, } | { "type": "agent_silent", node: string, waited_ms: number, } | { "type": "branch_taken", from: string, to: string, rule: Rule, reason: string, } | { "type": "mood_changed", from: number, to: number, delta: number, } | { "type": "ended", ending: string, outcome: Outcome, lesson: string, });

export type EventKind = { "type": "customer_line", node: string, text: string, chase: boolean, } | { "type": "agent_reply", node: string, text: string, 
/**
 * The guided choice picked, numbered as the author wrote them (from 1), whatever
 * order the trainee saw.
 */
choice: number | null, score: ReplyScore, } | { "type": "agent_silent", node: string, waited_ms: number, } | { "type": "branch_taken", from: string, to: string, rule: Rule, reason: string, } | { "type": "mood_changed", from: number, to: number, delta: number, } | { "type": "ended", ending: string, outcome: Outcome, lesson: string, };

export type Rule = { "rule": "branch", index: number, } | { "rule": "otherwise" } | { "rule": "silence" };

export type ReplyScore = { scores: Scores, criteria: Array<CriterionResult>, };

export type Scores = { empathy: number | null, problem_solving: number | null, professionalism: number | null, overall: number, };

export type CriterionResult = { id: string, rubric: RubricId, 
/**
 * A penalty criterion (the four of professionalism, or a custom one defined with
 * `penalty: true`): "met" means the bad thing is present, and it lowers the score.
 */
penalty: boolean, met: boolean, evidence: Array<Evidence>, 
/**
 * Coaching: for a positive criterion, shown when missed; for a penalty, when present.
 */
tip: string | null, 
/**
 * When the semantic stage (not a phrase) found it: the labelled example the reply's
 * move resembles most, shown as "sounds like: ...".
 */
sounds_like?: string, };

export type RubricId = "empathy" | "problem_solving" | "professionalism";

export type Evidence = { start: number, end: number, text: string, };

export type Debrief = { scenario_id: string, title: string, ending: string, outcome: Outcome, closing_line: string, 
/**
 * The lesson that matches what happened (the ending's first variant that holds).
 */
lesson: string, 
/**
 * Each rubric: the mean over the turns that assessed it. Overall: the mean of
 * every turn's overall, a chased silence counting 0.
 */
scores: Scores, 
/**
 * The mood at the start and after each turn.
 */
mood_curve: Array<number>, turns: Array<DebriefTurn>, 
/**
 * The turn and branch that led to the ending.
 */
decided_by: Decision | null, };

export type DebriefTurn = { node: string, 
/**
 * What the customer said before the trainee answered.
 */
customer_line: string, 
/**
 * `None` when the trainee stayed silent.
 */
reply: string | null, choice: number | null, score: ReplyScore | null, focus: Array<string>, model_answers: Array<string>, mood_after: number, };

export type Decision = { 
/**
 * Index into `turns`.
 */
turn: number, node: string, rule: Rule, 
/**
 * The branch condition that held, in words.
 */
reason: string, 
/**
 * What the moment called for (its focus) that the reply met, and missed.
 */
met: Array<string>, missed: Array<string>, 
/**
 * The mood when the trainee answered.
 */
mood: number, };

export type Definition = { id: string, text: string, };

export type HistoryEntry = { id: string, 
/**
 * The scenario id.
 */
scenario: string, scenario_version: string, seed: number, status: AttemptStatus, 
/**
 * UTC, `YYYY-MM-DDTHH:MM:SSZ`.
 */
started: string, ended: string | null, started_at_ms: number, ended_at_ms: number | null, 
/**
 * The engine's outcome name; `None` while unfinished and when abandoned.
 */
outcome: string | null, scores: Scores | null, 
/**
 * Everything recorded: turns, and when the page had shown the customer's lines.
 */
inputs: number, 
/**
 * Replies, choices and chased silences.
 */
turns: number, 
/**
 * Unfinished, and the library has this scenario with the same text.
 */
resumable: boolean, 
/**
 * The library's file for this scenario is not the text played (or is gone).
 */
scenario_changed: boolean, };

export type AttemptStatus = "unfinished" | "finished" | "abandoned";

export type ProgressView = { 
/**
 * Finished attempts, oldest first.
 */
attempts: Array<ProgressPoint>, 
/**
 * Over the last [`RECENT_ATTEMPTS`] finished attempts, by rubric then id.
 */
criteria: Array<CriterionRate>, 
/**
 * How many attempts `criteria` covers.
 */
recent: number, 
/**
 * Up to [`WEAKEST`] criterion ids, weakest first.
 */
weakest: Array<string>, suggestion: Suggestion | null, };

export type ProgressPoint = { attempt_id: string, scenario: string, 
/**
 * The scenario's title when it is in the library, else its id.
 */
title: string, 
/**
 * UTC, `YYYY-MM-DDTHH:MM:SSZ`.
 */
started: string, started_at_ms: number, outcome: string, scores: Scores, };

export type CriterionRate = { id: string, rubric: RubricId, 
/**
 * A penalty criterion goes well when it is not committed.
 */
penalty: boolean, 
/**
 * Turns in which its rubric was assessed.
 */
judged: number, 
/**
 * Of those, turns in which it went well (met; for a penalty, avoided).
 */
went_well: number, 
/**
 * `went_well / judged` in percent, rounded.
 */
rate: number, };

export type Suggestion = { scenario: string, title: string, practises: Array<string>, };

export type SettingsView = { name: string, email: string, home_page: string, account: string, endpoint: string, key: string, secret_saved: boolean, 
/**
 * The name statements carry when `name` is empty.
 */
system_user: string, 
/**
 * The `RAPPORT_LRS_*` variables set, which win over what is saved.
 */
overridden_by_env: Array<string>, };

export type SettingsInput = { name: string, email: string, home_page: string, account: string, endpoint: string, key: string, secret: string | null, };

export type SyncStatus = { waiting: number, sent: number, last_error: string | null, 
/**
 * UTC, when a statement was last accepted.
 */
last_sent: string | null, 
/**
 * An endpoint, key and secret are known (saved or from the environment).
 */
configured: boolean, };

export type SyncReport = { 
/**
 * Statements the LRS accepted (or already had) in this round.
 */
sent: number, 
/**
 * Statements still waiting after it.
 */
waiting: number, 
/**
 * Why the round stopped early, or the last statement refused.
 */
error: string | null, };
