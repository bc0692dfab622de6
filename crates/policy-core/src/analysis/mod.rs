//! Questions over requests and estates, built on the evaluator (never a second one).
//!
//! - [`evaluate_partial`]: partial evaluation — with condition keys the request leaves
//!   unknown, `Allow`, `ExplicitDeny`/`ImplicitDeny` whatever they hold, or `AllowIf` a
//!   [`Residual`] condition over them, with a witness on request.

mod partial;
mod residual;
mod witness;

pub use partial::{evaluate_partial, PartialDecision, PartialEvaluation, PartialOptions, PartialResponse};
pub use residual::{Leaf, Residual};
