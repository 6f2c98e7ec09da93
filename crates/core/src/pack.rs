//! A scenario pack: a folder of scenario files and the rubrics that judge them.
//!
//! Opening a pack is the one place that ties the two together: the built-in rubrics plus
//! the pack's own `rubrics/` make the scorer, and the criteria that scorer knows are the
//! ones scenario files may name. The CLI, the app and the tests all open packs this way,
//! so a scenario valid for one is valid for all.

use std::path::Path;
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::load::LoadOptions;
use crate::scorer::RubricScorer;

pub struct Pack {
    pub scorer: Arc<RubricScorer>,
    /// Problems in the pack's rubric files (the rest of the rubrics still work).
    pub rubric_diagnostics: Vec<Diagnostic>,
    /// Load options accepting exactly the criteria the pack's rubrics define.
    pub options: LoadOptions,
}

impl Pack {
    /// The rubrics of the pack in `dir` (which need not exist: then only the built-ins).
    pub fn open(dir: &Path) -> Pack {
        let (scorer, rubric_diagnostics) = RubricScorer::with_pack_dir(dir);
        let scorer = Arc::new(scorer);
        let mut options = LoadOptions::with_criteria(scorer.criteria().map(|(id, _)| id));
        options.scorer = Some(scorer.clone());
        Pack {
            scorer,
            rubric_diagnostics,
            options,
        }
    }
}
