//! RFC 7239 `Forwarded` and `X-Forwarded-*` under an explicit trusted-proxy policy: a
//! trustworthy `@target-uri` (RFC 9421 §2.2.2) and DPoP `htu` (RFC 9449 §4.3) behind
//! TLS-terminating reverse proxies.
//!
//! A server behind a proxy sees `GET /a?x=1` with `Host: backend:8080`, while the client
//! signed `https://api.example.com/a?x=1`. [`resolve`] rebuilds the client-facing request
//! from the [`ConnectionFacts`] (socket peer, TLS), the [`RequestHead`] and a [`Config`] that
//! names exactly one origin source:
//!
//! - [`Config::connection`]: socket TLS + `Host` (RFC 9112 §3.3), no forwarding headers;
//! - [`Config::fixed`]: a configured external origin and optional path prefix — the safest
//!   choice for FAPI resource servers (RFC 9421 §7.4.3);
//! - [`Config::forwarded`]: RFC 7239 `Forwarded`, walked right to left from the socket peer,
//!   stopping at the first untrusted hop;
//! - [`Config::x_forwarded`]: `X-Forwarded-Proto` / `-Host` / `-Port` / `-Prefix` (+ opt-in
//!   aliases) from a trusted peer; lists are rejected unless configured;
//! - [`Config::forward_auth`]: `X-Forwarded-Method` / `-Uri` subrequests.
//!
//! [`RequestHead`] is the workspace's one request-head model: it validates the method, the
//! request-target in its four forms ([`TargetForm`], RFC 9112 §3.2) and the `Host` field (one
//! field line of `uri-host [":" port]`, RFC 9112 §3.2, RFC 9110 §7.2) when it is made, and
//! [`RequestHead::from_request_line`] adds the strict HTTP/1 request line ([`RequestLine`]) and
//! HTTP/1.1's `Host` requirement, for request heads given as text.
//!
//! Hosts and ports (`Host`, `Forwarded: host=`, `X-Forwarded-Host`, absolute-form targets, the
//! `htu`) are validated by `httpsig-uri`, the one host grammar of the workspace, and the
//! effective request carries its authority as a typed `httpsig_uri::NormalizedAuthority`;
//! [`EffectiveRequest::target`] hands it to `httpsig-core` as a typed `TargetUri`, never as a
//! string to parse again.
//!
//! Trust comes only from the socket peer address ([`Trust::cidrs`] or [`Trust::hops`]); there
//! is no "trust everything". Two sources can be cross-checked ([`Config::cross_check`]).
//!
//! What this crate does not do: it performs no I/O, does not verify signatures or DPoP proofs
//! (it hands `@target-uri`, `@authority`, `@scheme` and the `htu` matcher to the crates that
//! do), does not handle the PROXY protocol (pass the address it yields as the peer), and does
//! not transcode internationalized host names (non-ASCII hosts are rejected).
//!
//! # Getting started
//! ```
//! use forwarded_parser::{resolve, Config, ConnectionFacts, RequestHead, Trust};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::forwarded(Trust::cidrs(["10.0.0.0/8".parse()?]))
//!     .allow_hosts(["api.example.com"])?;
//! let headers: &[(&str, &[u8])] = &[
//!     ("host", b"backend:8080"),
//!     ("forwarded", b"for=198.51.100.7;proto=https;host=api.example.com"),
//! ];
//! let head = RequestHead::new("GET", "/a?x=1", headers)?;
//! let conn = ConnectionFacts::new("10.1.2.3".parse()?, false);
//! let resolved = resolve(&config, &conn, &head)?;
//! assert_eq!(resolved.request.target_uri(), "https://api.example.com/a?x=1");
//! assert_eq!(resolved.request.htu(), "https://api.example.com/a");
//! assert!(resolved.request.htu_matches("HTTPS://API.example.com:443/a"));
//! // The typed target URI for a signature verifier (`RequestView::with_target`).
//! let target = resolved.request.target()?;
//! assert_eq!((target.host(), target.path(), target.query()), ("api.example.com", "/a", Some("x=1")));
//! # Ok(()) }
//! ```
//!
//! # Features
//! - `http` (default): [`RequestHead::from_http`] for `http::Request`.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod config;
mod effective;
mod error;
pub mod forwarded;
mod request;
mod resolve;
mod scan;
mod syntax;
mod trust;

pub use config::{Config, Origin, SchemeAlias, XfOptions};
pub use effective::{EffectiveRequest, HtuMatcher, Scheme};
pub use error::{
    ForwardedError, HeaderName, LimitKind, Param, SourceKind, SyntaxKind, ValueSource, Warning,
};
pub use forwarded::{Limits, parse_forwarded};
/// The one request-target model shared with `httpsig-core` (authority, host grammar, target URI).
pub use httpsig_uri as uri;
pub use request::{ConnectionFacts, HttpVersion, RequestHead, RequestLine, TargetForm};
pub use resolve::{Resolved, resolve};
pub use trust::{Cidr, CidrError, Trust};
