//! The shadowing rule of the branch stage: a branch is never taken when an earlier branch
//! of its node holds whenever it does (branches are tried in order, the first that holds
//! wins). Decided from the conditions alone, conservatively: [`implies`] says yes only
//! when every part of the earlier condition follows from a part of the later one, so a
//! warning is never wrong, though some shadowing (through scores, say) goes unseen.

use super::raw::RawCondition;

/// Whether `cond` holds whatever the reply, mood and chases (no part can fail).
pub(crate) fn always_holds(cond: &RawCondition) -> bool {
    implies(&RawCondition::default(), cond)
}

/// Whether `earlier` holds whenever `later` does.
pub(crate) fn implies(later: &RawCondition, earlier: &RawCondition) -> bool {
    let subset = |a: &[String], b: &[String]| a.iter().all(|x| b.contains(x));
    let met_any = earlier.met_any.is_empty()
        || earlier.met_any.iter().any(|c| later.met.contains(c))
        || (!later.met_any.is_empty() && subset(&later.met_any, &earlier.met_any));
    let says_any = earlier.says_any.is_empty()
        || (!later.says_any.is_empty() && subset(&later.says_any, &earlier.says_any));
    // A lower bound of 0 or an upper bound of 100 on the mood always holds; chases are
    // never negative. Otherwise the later bound must be at least as tight.
    let at_least = |e: Option<i64>, l: Option<i64>| match e {
        None => true,
        Some(e) if e <= 0 => true,
        Some(e) => l.is_some_and(|l| l >= e),
    };
    let mood_at_most = match earlier.mood_at_most {
        None => true,
        Some(e) if e >= 100 => true,
        Some(e) => later.mood_at_most.is_some_and(|l| l <= e),
    };
    let chases_at_most = match earlier.chases_at_most {
        None => true,
        Some(e) => later.chases_at_most.is_some_and(|l| l <= e),
    };
    // A score the moment did not assess holds no bound, so only the same bound, at least
    // as tight, on the same score follows.
    let min_score = earlier
        .min_score
        .iter()
        .all(|(k, e)| later.min_score.get(k).is_some_and(|l| l >= e));
    let max_score = earlier
        .max_score
        .iter()
        .all(|(k, e)| later.max_score.get(k).is_some_and(|l| l <= e));
    let choice = earlier.choice.is_none() || earlier.choice == later.choice;
    subset(&earlier.met, &later.met)
        && met_any
        && subset(&earlier.missed, &later.missed)
        && says_any
        && subset(&earlier.says_none, &later.says_none)
        && at_least(earlier.mood_at_least, later.mood_at_least)
        && mood_at_most
        && at_least(earlier.chases_at_least, later.chases_at_least)
        && chases_at_most
        && min_score
        && max_score
        && choice
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(yaml: &str) -> RawCondition {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn what_follows_and_what_does_not() {
        assert!(always_holds(&cond("{}")));
        assert!(always_holds(&cond(
            "{mood_at_least: 0, chases_at_least: 0}"
        )));
        assert!(!always_holds(&cond("{min_score: {empathy: 0}}")));
        let earlier = cond("{met: [apologize]}");
        assert!(implies(&cond("{met: [apologize, reassure]}"), &earlier));
        assert!(!implies(&cond("{met: [reassure]}"), &earlier));
        assert!(implies(
            &cond("{mood_at_least: 60}"),
            &cond("{mood_at_least: 50}")
        ));
        assert!(!implies(
            &cond("{mood_at_least: 40}"),
            &cond("{mood_at_least: 50}")
        ));
        assert!(implies(
            &cond("{met: [apologize]}"),
            &cond("{met_any: [apologize, reassure]}")
        ));
        assert!(!implies(&cond("{choice: 1}"), &cond("{choice: 2}")));
        assert!(implies(
            &cond("{says_any: [refund], missed: [blame_customer]}"),
            &cond("{says_any: [refund, money back]}")
        ));
    }
}
