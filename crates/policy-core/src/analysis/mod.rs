//! Questions over requests and estates, built on the evaluator (never a second one).
//!
//! - [`evaluate_partial`]: partial evaluation — with condition keys the request leaves
//!   unknown, `Allow`, `ExplicitDeny`/`ImplicitDeny` whatever they hold, or `AllowIf` a
//!   [`Residual`] condition over them, with a witness.
//! - [`WhoCan`]: who can act on a resource of an estate, under which conditions.
//! - [`exposure`]: what each resource of an estate grants outside its account.
//! - [`principal_can`]: what a principal of an estate can do, and [`synthesize`] it as
//!   one policy.

mod exposure;
mod partial;
mod principal_can;
mod residual;
mod who_can;
mod witness;

pub use exposure::{
    exposable, exposure, exposure_of, report, Exposable, ExposedAction, ExposureFinding, ExposureReport, ExposureScope,
    WitnessRequest,
};
pub use partial::{evaluate_partial, PartialDecision, PartialEvaluation, PartialOptions, PartialResponse};
pub use principal_can::{
    principal_can, synthesize, PrincipalCanAnswer, PrincipalCanEntry, PrincipalCanQuery, SynthesizedPolicy,
    SynthesizedStatement,
};
pub use residual::{Leaf, Residual};
pub use who_can::{WhoCan, WhoCanAnswer, WhoCanQuery, WhoCanResult, OUTSIDE_ACCOUNT};
