//! The production `htu` check: `forwarded-parser`'s matcher over the externally visible
//! request (RFC 9449 §4.3 check 9 behind TLS-terminating proxies).

use forwarded_parser::HtuMatcher;

use super::HtuCheck;

/// `forwarded_parser::EffectiveRequest::htu_matcher()` is the production [`HtuCheck`]: it
/// compares against the client-facing URI that `forwarded_parser::resolve` rebuilt, ignores
/// query and fragment, and applies RFC 3986 §6.2.2 / §6.2.3 normalization to both sides.
/// POLICY (forwarded-parser): a path with a dot-segment never matches.
impl HtuCheck for HtuMatcher {
    fn htu_matches(&self, claim: &str) -> bool {
        self.matches(claim)
    }
}
