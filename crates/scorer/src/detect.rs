//! Stage 4, the rules: each criterion's detectors ([`crate::rules`]: questions, shouting,
//! commitments, greetings and sign-offs, another language, mirroring the customer) add
//! their evidence to the phrases'; `unless` spans and the customer's own words are taken
//! out again.

use crate::explain::Trace;
use crate::matches::Found;
use crate::prepare::{Extra, Reply};
use crate::relations::overlaps;
use crate::rubric::Rule;
use crate::rules;
use crate::score::ReplyInput;
use crate::RubricScorer;

impl RubricScorer {
    pub(crate) fn detect(
        &self,
        input: &ReplyInput<'_>,
        reply: &Reply<'_>,
        stems: &[&str],
        matches: &mut Found,
        trace: &mut Option<&mut Trace>,
    ) {
        let (text, lang, n_crit) = (&reply.text, reply.lang, reply.n_crit);
        let extra: &Extra = &reply.extra;
        let customer = &reply.customer;
        let (raw, bare, unless) = (&mut matches.raw, &mut matches.bare, &matches.unless);
        // Sentences holding a match of each criterion's `mirror_with` criteria (only
        // mirroring reads them: none for the other criteria).
        let anchored: Vec<Vec<bool>> = (0..n_crit)
            .map(|c| {
                let crit = self.criterion(extra, c);
                if !crit.rules.contains(&Rule::MirrorCustomer) {
                    return Vec::new();
                }
                let mut marks = vec![false; text.sentences.len()];
                for &o in &crit.mirror_with {
                    for &(first, _) in &raw[o] {
                        marks[text.tokens[first].sentence] = true;
                    }
                }
                marks
            })
            .collect();
        for (c, found) in raw.iter_mut().enumerate() {
            let crit = self.criterion(extra, c);
            let from_phrases = found.len();
            for rule in &crit.rules {
                match rule {
                    Rule::NotFromCustomer => {}
                    Rule::AnyQuestion => found.extend(
                        text.sentences
                            .iter()
                            .enumerate()
                            .filter(|&(k, s)| {
                                s.question
                                    && !customer.as_ref().is_some_and(|cu| {
                                        rules::echo_question(text, stems, cu, k, lang.lang)
                                    })
                            })
                            .map(|(_, s)| (s.first, s.end)),
                    ),
                    Rule::Shouting => found.extend(rules::shouting(text, lang.lang)),
                    Rule::Commitment => found.extend(rules::commitments(text, lang.lang)),
                    Rule::Greeting => {
                        if input.written {
                            found.extend(rules::greeting(text, input.text));
                        }
                    }
                    Rule::SignOff => {
                        if input.written {
                            found.extend(rules::sign_off(text));
                        }
                    }
                    Rule::OtherLanguage => {
                        if let Some(expected) = input.customer_language {
                            found.extend(rules::other_language(text, expected));
                        }
                    }
                    Rule::MirrorCustomer => {
                        if let Some(customer) = &customer {
                            found.extend(rules::mirrored(text, stems, customer, &anchored[c]));
                        }
                    }
                }
            }
            for &span in &found[from_phrases..] {
                Trace::found(trace, c, span, || {
                    let names: Vec<String> = crit.rules.iter().map(|r| format!("{r:?}")).collect();
                    format!("the detector {}", names.join(" / "))
                });
            }
            found.retain(|&h| !unless[c].iter().any(|&u| overlaps(h, u)));
            bare[c].retain(|&h| !unless[c].iter().any(|&u| overlaps(h, u)));
            if let (true, Some(customer)) = (crit.rules.contains(&Rule::NotFromCustomer), &customer)
            {
                found.retain(|&h| !rules::from_customer(text, stems, customer, h, lang.lang));
            }
        }
    }
}
