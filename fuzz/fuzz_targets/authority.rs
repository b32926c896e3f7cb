//! The one host grammar (httpsig-uri), reached through every path that uses it: no panics on
//! any bytes, and the paths agree.
//! - `Authority::parse(s)` succeeds exactly when `TargetUri::parse("https://" s "/p")` does,
//!   for an `s` that a target URI cannot split differently (visible ASCII without `/?#@`);
//! - the same (non-empty) host in a `Host` field: forwarded-parser's `RequestHead` accepts it exactly
//!   when `Authority::parse` does (no second grammar in forwarded-parser);
//! - `Authority::host_prefix` on the host of a port-less authority takes it whole;
//! - the normalized form parses back to itself, under both schemes, and a `TargetUri` built
//!   from it is the one parsed from its text.
#![no_main]

use forwarded_parser::RequestHead;
use httpsig_core::uri::{Authority, Scheme, TargetUri};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = Authority::parse(data);
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let plain = data
        .iter()
        .all(|&b| b.is_ascii_graphic() && !matches!(b, b'/' | b'?' | b'#' | b'@'));
    if plain {
        let uri = format!("https://{text}/p");
        let t = TargetUri::parse(&uri);
        assert_eq!(t.is_ok(), parsed.is_ok(), "TargetUri vs Authority on {text:?}");
        if let (Ok(t), Ok(a)) = (t, parsed) {
            assert_eq!(t.authority(), a);
            assert_eq!(t.authority_str(), text);
        }
        // An empty `Host` is allowed and means "no authority" (RFC 9110 §7.2).
        if !data.is_empty() {
            let headers: &[(&str, &[u8])] = &[("host", data)];
            let head = RequestHead::new("GET", "/p", headers);
            assert_eq!(head.is_ok(), parsed.is_ok(), "Host vs Authority on {text:?}");
        }
    }
    let Ok(a) = parsed else {
        return;
    };
    if a.port().is_none() && !data.ends_with(b":") && !data.starts_with(b"[") {
        let prefix = Authority::host_prefix(data);
        assert_eq!(prefix, Some((a, data.len())), "host_prefix on {text:?}");
    }
    for scheme in [Scheme::Http, Scheme::Https] {
        let n = a.normalized(scheme);
        let mut written = Vec::new();
        a.write_normalized(scheme, &mut written);
        assert_eq!(n.as_str().as_bytes(), written.as_slice());
        let again = Authority::parse(n.as_str().as_bytes()).expect("normalized form parses");
        assert_eq!(again.normalized(scheme), n);
        let built = TargetUri::from_normalized(scheme, &n, "/p", Some("q")).expect("typed target");
        let uri = format!("{scheme}://{n}/p?q");
        assert_eq!(TargetUri::parse(&uri).ok(), Some(built));
    }
});
