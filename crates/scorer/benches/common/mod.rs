//! The reply the speed measurements score, shared by the criterion bench (`benches/score.rs`)
//! and the CPU-time example (`examples/throughput.rs`) so both measure the same work.

use rapport_model::score::ReplyInput;

/// 66 words: the dev set's first reply, a strong one that meets most criteria.
const REPLY: &str = include_str!("../reply.txt");

const CUSTOMER: &str =
    "This is the THIRD time I'm calling about being charged twice. Fix it or I'm cancelling.";

pub fn input() -> ReplyInput<'static> {
    ReplyInput {
        text: REPLY.trim(),
        customer: Some(CUSTOMER),
        customer_name: Some("Dana Whitfield"),
        ..ReplyInput::default()
    }
}
