//! `rapport play` and `rapport resume`: a scenario in the terminal.
//!
//! The conversation is driven through the core's [`App`], the same calls the desktop app
//! makes, so an attempt played here is recorded in the attempt store exactly as one
//! played in the app (each reply committed as soon as the engine took it), and `rapport
//! resume` continues one from either. This module only prints and reads.
//!
//! The customer's patience runs on a tokio timer raced against the trainee's input, so a
//! trainee who says nothing is chased exactly as in the app. In a terminal, input is read
//! keystroke by keystroke ([`crate::term`]): typing holds the customer's patience as in
//! the app, and a chase is printed above the half-typed reply, which is drawn again.
//! From a pipe, whole lines are read. The end of input leaves a recorded attempt
//! unfinished (to resume); `/quit` abandons it.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use rapport_core::app::{App, AppError, SessionView};
use rapport_core::engine::{Clock, Debrief, Event, EventKind, Input, SystemClock};
use rapport_core::golden::shown;
use rapport_core::model::Scenario;
use rapport_core::score::{CriterionResult, ReplyScore};
use rapport_core::template;
use tokio::io::{AsyncBufReadExt, BufReader};

/// How the conversation begins.
pub enum Begin {
    /// A new attempt (seed from the clock when not given).
    Fresh { seed: Option<u64> },
    /// Attempt `id` (default: the last unfinished one), where it stopped.
    Resume { id: Option<String> },
}

pub fn run(app: &mut App, scenario: &Scenario, begin: Begin, timer: bool) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(play(app, scenario, begin, timer));
    // A read of stdin may still be blocked on its thread; it must not hold the exit.
    rt.shutdown_background();
    result
}

/// Tells the trainee once about a history problem they have not been told about yet.
fn report_history(app: &App, told: &mut Option<String>) {
    let now = app.history_problem().map(str::to_string);
    if now.is_some() && now != *told {
        eprintln!("rapport: {}", now.as_deref().unwrap_or_default());
    }
    *told = now;
}

async fn play(app: &mut App, scenario: &Scenario, begin: Begin, timer: bool) -> Result<ExitCode> {
    let clock = SystemClock;
    let mut told = None;
    report_history(app, &mut told);
    let view = match begin {
        Begin::Fresh { seed } => {
            let seed = seed.unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64 % 1_000_000)
                    .unwrap_or(0)
            });
            let view = app.start(&scenario.meta.id, Some(seed), &clock)?;
            print_header(&played(scenario, &view), view.seed, timer);
            view
        }
        Begin::Resume { id } => {
            let view = app.resume(id.as_deref(), &clock)?;
            print_header(&played(scenario, &view), view.seed, timer);
            println!(
                "(resuming attempt {}: the conversation so far)",
                view.attempt_id.as_deref().unwrap_or("?")
            );
            view
        }
    };
    report_history(app, &mut told);
    // A resumed conversation is shown whole, the trainee's own replies included.
    print_events(scenario, &view.transcript, None, view.transcript.len() > 1);
    let session_id = view.session_id;
    let mut printed = view.transcript.len();
    let mut keys = crate::term::KeyReader::start();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        let view = app.view(&clock)?;
        if view.ending.is_some() {
            break;
        }
        for (i, choice) in view.choices.iter().enumerate() {
            println!("   [{}] {choice}", i + 1);
        }
        let draft = keys.as_ref().map(|k| k.draft()).unwrap_or_default();
        print!("you> {draft}");
        std::io::stdout().flush()?;
        let line = match keys.as_mut() {
            Some(keys) => next_key_line(keys, app, session_id, &clock, timer).await,
            None => {
                let deadline = timer
                    .then(|| app.patience_deadline().map(|(_, at)| at))
                    .flatten();
                match deadline {
                    Some(at) => {
                        let wait = Duration::from_millis(at.saturating_sub(clock.now_ms()));
                        tokio::select! {
                            line = lines.next_line() => Some(line?),
                            _ = tokio::time::sleep(wait) => None,
                        }
                    }
                    None => Some(lines.next_line().await?),
                }
            }
        };
        let input = match line {
            None => {
                println!();
                Input::Silence
            }
            Some(None) => {
                match view.attempt_id {
                    Some(id) => println!(
                        "\n(input closed: attempt {id} is saved; `rapport resume` continues it)"
                    ),
                    None => println!("\n(input closed: conversation abandoned)"),
                }
                return Ok(ExitCode::SUCCESS);
            }
            Some(Some(text)) => match parse(&text, view.choices.len()) {
                Command::Input(input) => input,
                Command::Quit => {
                    app.abandon(&clock);
                    println!("(conversation abandoned)");
                    return Ok(ExitCode::SUCCESS);
                }
                Command::Facts => {
                    print_facts(&played(scenario, &view));
                    continue;
                }
                Command::Help => {
                    println!("   Type your reply and press Enter. /facts shows the customer's record, /quit abandons.");
                    continue;
                }
                Command::Nothing => continue,
            },
        };
        let result = match input {
            Input::Reply { text } => app.reply(&text, &clock),
            Input::Choice { number } => app.choose(number, &clock),
            Input::Silence => app.silence(&clock),
        };
        match result {
            Ok(v) => {
                let new = &v.transcript[printed..];
                print_events(scenario, new, Some(&v.last_reply_focus), false);
                printed = v.transcript.len();
            }
            Err(e) => println!("   ! {e}"),
        }
        report_history(app, &mut told);
    }
    match app.debrief() {
        Ok(debrief) => print_debrief(&debrief),
        Err(AppError::NotEnded) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(ExitCode::SUCCESS)
}

/// Waits for Enter or for the customer's patience, whichever comes first, telling the
/// app each time the draft changes so the customer waits while the trainee types.
/// `None` is a silence; `Some(None)` the end of input.
async fn next_key_line(
    keys: &mut crate::term::KeyReader,
    app: &mut App,
    session_id: u64,
    clock: &SystemClock,
    timer: bool,
) -> Option<Option<String>> {
    loop {
        let deadline = timer
            .then(|| app.patience_deadline().map(|(_, at)| at))
            .flatten();
        let wait = deadline.map(|at| Duration::from_millis(at.saturating_sub(clock.now_ms())));
        let key = match wait {
            Some(wait) => tokio::select! {
                key = keys.keys.recv() => key,
                _ = tokio::time::sleep(wait) => {
                    // Still due? A keystroke may have moved the deadline meanwhile.
                    if app.patience_deadline().is_some_and(|(_, d)| clock.now_ms() >= d) {
                        // Clear the prompt line; the chase is printed and the draft redrawn.
                        print!("\r\x1b[2K");
                        return None;
                    }
                    continue;
                }
            },
            None => keys.keys.recv().await,
        };
        match key {
            Some(crate::term::Key::Edited) => {
                let _ = app.typing(session_id, clock);
            }
            Some(crate::term::Key::Line(text)) => return Some(Some(text)),
            Some(crate::term::Key::End) | None => return Some(None),
        }
    }
}

enum Command {
    Input(Input),
    Quit,
    Facts,
    Help,
    Nothing,
}

/// `choices`: how many choices this moment offers (0 when it takes a typed reply).
fn parse(text: &str, choices: usize) -> Command {
    let t = text.trim();
    match t {
        "" => Command::Nothing,
        "/quit" | "/q" => Command::Quit,
        "/facts" | "/f" => Command::Facts,
        "/help" | "/h" | "?" => Command::Help,
        _ if choices > 0 => match t.parse::<usize>() {
            Ok(number) => Command::Input(Input::Choice { number }),
            Err(_) => {
                println!("   Pick a choice by its number (1-{choices}).");
                Command::Nothing
            }
        },
        _ => Command::Input(Input::Reply {
            text: t.to_string(),
        }),
    }
}

/// The scenario as this session plays it: with the persona variant its seed met.
fn played<'s>(scenario: &'s Scenario, view: &SessionView) -> std::borrow::Cow<'s, Scenario> {
    let variant = view.customer.variant.as_ref();
    scenario.with_variant(variant.and_then(|v| scenario.variant_index(&v.id)))
}

/// Prints `text` after `first`, wrapped at word boundaries to the terminal's width, the
/// following lines lined up under the text.
fn say(first: &str, text: &str) {
    let indent = " ".repeat(first.chars().count());
    println!(
        "{}",
        crate::wrap::wrap(text, crate::wrap::width(), first, &indent)
    );
}

/// Prints `text` after `first`, the following lines indented by `rest`.
fn say_indented(first: &str, rest: &str, text: &str) {
    println!(
        "{}",
        crate::wrap::wrap(text, crate::wrap::width(), first, rest)
    );
}

fn print_header(scenario: &Scenario, seed: u64, timer: bool) {
    let m = &scenario.meta;
    let c = &scenario.customer;
    println!("=== {} ===", m.title);
    say(
        "",
        &format!(
            "{} | difficulty {}/5 | {:?} | about {} min | seed {seed} (replay with --seed {seed})",
            m.skills.join(", "),
            m.difficulty,
            m.channel,
            m.estimated_minutes
        ),
    );
    say("", &m.summary);
    match &c.variant {
        Some(v) => println!("\nCustomer: {} ({})", c.name, v.temperament),
        None => println!("\nCustomer: {}", c.name),
    }
    say("", c.persona.trim());
    match (scenario.patience_seconds(), timer) {
        (Some(p), true) => println!("Patience: {p} s of silence before they chase you."),
        _ => println!("Patience: take your time."),
    }
    println!("Type /facts for their record, /quit to stop.\n");
}

fn print_facts(scenario: &Scenario) {
    let c = &scenario.customer;
    println!("   --- {} ---", c.name);
    // In the author's order, under the author's labels.
    let order = c
        .fact_order
        .iter()
        .chain(c.facts.keys().filter(|k| !c.fact_order.contains(k)));
    for name in order {
        let Some(v) = c.facts.get(name) else { continue };
        let k = c.fact_labels.get(name).unwrap_or(name);
        match v.as_array() {
            // A history reads better one contact a line than joined with commas.
            Some(items) => {
                println!("   {k}:");
                for item in items {
                    say("     - ", &template::fact_text(item));
                }
            }
            None => say_indented(&format!("   {k}: "), "      ", &template::fact_text(v)),
        }
    }
}

fn mood_bar(mood: u8) -> String {
    let filled = usize::from(mood) / 10;
    format!(
        "[{}{}] {mood:>3}",
        "#".repeat(filled),
        ".".repeat(10 - filled)
    )
}

/// `echo`: also print the trainee's replies (they are on screen already when typed).
fn print_events(scenario: &Scenario, events: &[Event], focus: Option<&[String]>, echo: bool) {
    for e in events {
        match &e.kind {
            EventKind::CustomerLine { text, chase, .. } => {
                let name = scenario.customer.first_name();
                let how = if *chase { " (chasing)" } else { "" };
                println!();
                say(&format!("{name}{how}: "), text);
            }
            EventKind::AgentReply { score, text, .. } => {
                if echo {
                    say("you> ", text);
                }
                print_feedback(score, focus.unwrap_or(&[]))
            }
            EventKind::AgentSilent { .. } if echo => println!("you> (silent)"),
            EventKind::MoodChanged { to, .. } => println!("   mood {}", mood_bar(*to)),
            EventKind::Ended { outcome, .. } => {
                println!("\n--- The conversation is over: {} ---", outcome.as_str())
            }
            EventKind::AgentSilent { .. } | EventKind::BranchTaken { .. } => {}
        }
    }
}

/// What this moment called for (met, with the words that earned it, or missed, with
/// its tip), then anything else done well, then penalties.
fn print_feedback(score: &ReplyScore, focus: &[String]) {
    let s = &score.scores;
    println!(
        "   empathy {} | problem solving {} | professionalism {} | overall {}",
        shown(s.empathy),
        shown(s.problem_solving),
        shown(s.professionalism),
        s.overall
    );
    let quotes = |c: &CriterionResult| -> String {
        c.evidence
            .iter()
            .map(|e| format!("\"{}\"", e.text))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let called: Vec<&CriterionResult> = focus
        .iter()
        .filter_map(|f| score.criterion(f))
        .filter(|c| !c.penalty)
        .collect();
    if !called.is_empty() {
        println!("   This moment called for:");
    }
    for c in &called {
        if c.met {
            say(&format!("   + {}: ", c.id), &quotes(c));
        } else {
            println!("   - {} (missed)", c.id);
            if let Some(tip) = &c.tip {
                say("       tip: ", tip);
            }
        }
    }
    for c in score
        .criteria
        .iter()
        .filter(|c| c.met && !c.penalty && !focus.contains(&c.id))
    {
        say(&format!("   + {} (also good): ", c.id), &quotes(c));
    }
    for c in score.criteria.iter().filter(|c| c.met && c.penalty) {
        say(&format!("   ! {}: ", c.id), &quotes(c));
        if let Some(tip) = &c.tip {
            say("       tip: ", tip);
        }
    }
}

fn print_debrief(d: &Debrief) {
    println!("\n=== Debrief: {} ===", d.title);
    println!("Outcome: {} ({})", d.outcome.as_str(), d.ending);
    say("Lesson: ", &d.lesson);
    let s = &d.scores;
    println!(
        "Scores: empathy {} | problem solving {} | professionalism {} | overall {}",
        shown(s.empathy),
        shown(s.problem_solving),
        shown(s.professionalism),
        s.overall
    );
    if let Some(why) = &d.decided_by {
        println!(
            "Decided at turn {} ({}): {}; mood {}",
            why.turn + 1,
            why.node,
            why.reason,
            why.mood
        );
        if !why.missed.is_empty() {
            println!("  missed there: {}", why.missed.join(", "));
        }
    }
    let curve: Vec<String> = d.mood_curve.iter().map(u8::to_string).collect();
    println!("Mood over the turns: {}", curve.join(" -> "));
    for (i, t) in d.turns.iter().enumerate() {
        println!();
        say_indented(
            &format!("Turn {}: customer: ", i + 1),
            "  ",
            &t.customer_line,
        );
        match &t.reply {
            Some(r) => say_indented("  you: ", "    ", r),
            None => println!("  you: (silent)"),
        }
        if let Some(answer) = t.model_answers.first() {
            say_indented("  a strong reply: ", "    ", answer);
        }
    }
}
