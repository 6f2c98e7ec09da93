//! `rapport play`: a scenario in the terminal.
//!
//! The customer's patience runs on a tokio timer raced against the trainee's input, so a
//! trainee who says nothing is chased exactly as in the app. In a terminal, input is read
//! keystroke by keystroke ([`crate::term`]): typing holds the customer's patience as in
//! the app, and a chase is printed above the half-typed reply, which is drawn again.
//! From a pipe, whole lines are read. Everything else is the core's engine; this module
//! only prints and reads.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use rapport_core::engine::{Clock, Debrief, Event, EventKind, Input, Session, SystemClock};
use rapport_core::golden::shown;
use rapport_core::model::{Node, Scenario};
use rapport_core::score::{CriterionResult, ReplyScore, Scorer};
use rapport_core::template;
use tokio::io::{AsyncBufReadExt, BufReader};

pub fn run(
    scenario: &Scenario,
    scorer: &dyn Scorer,
    seed: Option<u64>,
    timer: bool,
) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(play(scenario, scorer, seed, timer));
    // A read of stdin may still be blocked on its thread; it must not hold the exit.
    rt.shutdown_background();
    result
}

async fn play(
    scenario: &Scenario,
    scorer: &dyn Scorer,
    seed: Option<u64>,
    timer: bool,
) -> Result<ExitCode> {
    let seed = seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64 % 1_000_000)
            .unwrap_or(0)
    });
    print_header(scenario, seed, timer);
    let clock = SystemClock;
    let mut session = Session::start(scenario, seed, &clock);
    print_events(scenario, session.transcript(), None);
    let mut keys = crate::term::KeyReader::start();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(node) = session.node(scenario) {
        for (i, choice) in node.choices.iter().enumerate() {
            println!(
                "   [{}] {}",
                i + 1,
                template::render(choice, &scenario.customer)
            );
        }
        let draft = keys.as_ref().map(|k| k.draft()).unwrap_or_default();
        print!("you> {draft}");
        std::io::stdout().flush()?;
        let line = match keys.as_mut() {
            Some(keys) => next_key_line(keys, &mut session, scenario, &clock, timer).await,
            None => {
                let deadline = timer
                    .then(|| session.patience_deadline_ms(scenario))
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
                println!("\n(input closed: conversation abandoned)");
                return Ok(ExitCode::SUCCESS);
            }
            Some(Some(text)) => match parse(&text, node) {
                Command::Input(input) => input,
                Command::Quit => {
                    println!("(conversation abandoned)");
                    return Ok(ExitCode::SUCCESS);
                }
                Command::Facts => {
                    print_facts(scenario);
                    continue;
                }
                Command::Help => {
                    println!("   Type your reply and press Enter. /facts shows the customer's record, /quit abandons.");
                    continue;
                }
                Command::Nothing => continue,
            },
        };
        let focus = node.focus.clone();
        match session.advance(scenario, scorer, &input, &clock) {
            Ok(events) => print_events(scenario, &events, Some(&focus)),
            Err(e) => println!("   ! {e}"),
        }
    }
    if let Some(debrief) = session.debrief(scenario) {
        print_debrief(&debrief);
    }
    Ok(ExitCode::SUCCESS)
}

/// Waits for Enter or for the customer's patience, whichever comes first, telling the
/// session each time the draft changes so the customer waits while the trainee types.
/// `None` is a silence; `Some(None)` the end of input.
async fn next_key_line(
    keys: &mut crate::term::KeyReader,
    session: &mut Session,
    scenario: &Scenario,
    clock: &SystemClock,
    timer: bool,
) -> Option<Option<String>> {
    loop {
        let deadline = timer
            .then(|| session.patience_deadline_ms(scenario))
            .flatten();
        let wait = deadline.map(|at| Duration::from_millis(at.saturating_sub(clock.now_ms())));
        let key = match wait {
            Some(wait) => tokio::select! {
                key = keys.keys.recv() => key,
                _ = tokio::time::sleep(wait) => {
                    // Still due? A keystroke may have moved the deadline meanwhile.
                    if session.patience_deadline_ms(scenario).is_some_and(|d| clock.now_ms() >= d) {
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
            Some(crate::term::Key::Edited) => session.typing(clock.now_ms()),
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

fn parse(text: &str, node: &Node) -> Command {
    let t = text.trim();
    match t {
        "" => Command::Nothing,
        "/quit" | "/q" => Command::Quit,
        "/facts" | "/f" => Command::Facts,
        "/help" | "/h" | "?" => Command::Help,
        _ if !node.choices.is_empty() => match t.parse::<usize>() {
            Ok(number) => Command::Input(Input::Choice { number }),
            Err(_) => {
                println!("   Pick a choice by its number (1-{}).", node.choices.len());
                Command::Nothing
            }
        },
        _ => Command::Input(Input::Reply {
            text: t.to_string(),
        }),
    }
}

fn print_header(scenario: &Scenario, seed: u64, timer: bool) {
    let m = &scenario.meta;
    let c = &scenario.customer;
    println!("=== {} ===", m.title);
    println!(
        "{} | difficulty {}/5 | {:?} | about {} min | seed {seed} (replay with --seed {seed})",
        m.skills.join(", "),
        m.difficulty,
        m.channel,
        m.estimated_minutes
    );
    println!("{}", m.summary);
    println!("\nCustomer: {}\n{}", c.name, c.persona.trim());
    match (c.patience, timer) {
        (Some(p), true) => println!("Patience: {p} s of silence before they chase you."),
        _ => println!("Patience: take your time."),
    }
    println!("Type /facts for their record, /quit to stop.\n");
}

fn print_facts(scenario: &Scenario) {
    println!("   --- {} ---", scenario.customer.name);
    for (k, v) in &scenario.customer.facts {
        match v.as_array() {
            // A history reads better one contact a line than joined with commas.
            Some(items) => {
                println!("   {k}:");
                for item in items {
                    println!("     - {}", template::fact_text(item));
                }
            }
            None => println!("   {k}: {}", template::fact_text(v)),
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

fn print_events(scenario: &Scenario, events: &[Event], focus: Option<&[String]>) {
    for e in events {
        match &e.kind {
            EventKind::CustomerLine { text, chase, .. } => {
                let name = scenario.customer.first_name();
                let how = if *chase { " (chasing)" } else { "" };
                println!("\n{name}{how}: {text}");
            }
            EventKind::AgentReply { score, .. } => print_feedback(score, focus.unwrap_or(&[])),
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
            println!("   + {}: {}", c.id, quotes(c));
        } else {
            println!("   - {} (missed)", c.id);
            if let Some(tip) = &c.tip {
                println!("       tip: {tip}");
            }
        }
    }
    for c in score
        .criteria
        .iter()
        .filter(|c| c.met && !c.penalty && !focus.contains(&c.id))
    {
        println!("   + {} (also good): {}", c.id, quotes(c));
    }
    for c in score.criteria.iter().filter(|c| c.met && c.penalty) {
        println!("   ! {}: {}", c.id, quotes(c));
        if let Some(tip) = &c.tip {
            println!("       tip: {tip}");
        }
    }
}

fn print_debrief(d: &Debrief) {
    println!("\n=== Debrief: {} ===", d.title);
    println!("Outcome: {} ({})", d.outcome.as_str(), d.ending);
    println!("Lesson: {}", d.lesson);
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
        println!("\nTurn {}: customer: {}", i + 1, t.customer_line);
        match &t.reply {
            Some(r) => println!("  you: {r}"),
            None => println!("  you: (silent)"),
        }
        if let Some(answer) = t.model_answers.first() {
            println!("  a strong reply: {answer}");
        }
    }
}
