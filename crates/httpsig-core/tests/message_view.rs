//! What a custom `HttpMessage` implementation hands the core is checked before it reaches a
//! signature base (issue 10, "Also"): a method that is not a token or a request-target with a
//! space, line break or `#` would let an adapter forge base lines.

use httpsig_core::{
    BaseOptions, Component, Derived, HttpMessage, SignatureParams, TargetUri, signature_base,
};

/// A request view that returns exactly what it is given.
struct Raw {
    method: &'static str,
    request_target: Option<&'static str>,
}

impl HttpMessage for Raw {
    fn method(&self) -> Option<&str> {
        Some(self.method)
    }
    fn target_uri(&self) -> Option<TargetUri<'_>> {
        TargetUri::parse("https://example.com/public?x=1").ok()
    }
    fn request_target(&self) -> Option<&str> {
        self.request_target
    }
    fn status(&self) -> Option<u16> {
        None
    }
    fn field_lines<'a>(&'a self, _name: &str, _visit: &mut dyn FnMut(&'a [u8])) {}
}

fn base(m: &Raw, d: Derived) -> Result<String, &'static str> {
    let params = SignatureParams::builder()
        .component(Component::derived(d))
        .build()
        .unwrap();
    signature_base(m, None, &params, &BaseOptions::default())
        .map(|b| String::from_utf8(b).unwrap())
        .map_err(|e| e.code())
}

#[test]
fn methods() {
    for (method, want) in [
        ("GET", Ok("\"@method\": GET")),
        ("M-SEARCH", Ok("\"@method\": M-SEARCH")),
        ("get", Ok("\"@method\": get")),
        (
            "GET\n\"@path\": /admin",
            Err("component.invalid_message_data"),
        ),
        ("GET\r\n", Err("component.invalid_message_data")),
        ("GET /admin", Err("component.invalid_message_data")),
        ("", Err("component.invalid_message_data")),
        ("GE\"T", Err("component.invalid_message_data")),
        ("G\u{e9}T", Err("component.invalid_message_data")),
    ] {
        let got = base(
            &Raw {
                method,
                request_target: None,
            },
            Derived::Method,
        );
        let got = got.map(|b| b.lines().next().unwrap().to_owned());
        assert_eq!(got, want.map(str::to_owned), "{method:?}");
    }
}

#[test]
fn request_targets() {
    for (rt, want) in [
        ("*", Ok("\"@request-target\": *")),
        (
            "example.com:443",
            Ok("\"@request-target\": example.com:443"),
        ),
        (
            "https://example.com/a?b",
            Ok("\"@request-target\": https://example.com/a?b"),
        ),
        (
            "/admin\n\"@authority\": evil",
            Err("component.invalid_message_data"),
        ),
        ("/a b", Err("component.invalid_message_data")),
        ("/a#frag", Err("component.invalid_message_data")),
        ("", Err("component.invalid_message_data")),
        ("/\u{7f}", Err("component.invalid_message_data")),
    ] {
        let got = base(
            &Raw {
                method: "OPTIONS",
                request_target: Some(rt),
            },
            Derived::RequestTarget,
        );
        let got = got.map(|b| b.lines().next().unwrap().to_owned());
        assert_eq!(got, want.map(str::to_owned), "{rt:?}");
    }
    // Without an explicit request-target the origin-form comes from the validated target URI.
    let got = base(
        &Raw {
            method: "GET",
            request_target: None,
        },
        Derived::RequestTarget,
    );
    let got = got.map(|b| b.lines().next().unwrap().to_owned());
    assert_eq!(got, Ok("\"@request-target\": /public?x=1".to_owned()));
}
