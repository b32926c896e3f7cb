//! Sign an `http::Request` as a client would, then verify it as a server behind a proxy would,
//! with the target URI supplied explicitly.

use httpsig_core::http::{RequestView, attach};
use httpsig_core::keys::PrivateKey;
use httpsig_core::{
    Algorithm, BaseOptions, Component, Derived, MaxAge, SignatureParams, VerifyInput, VerifyPolicy,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../conformance/testdata/keys/test-key-ed25519.pem"
    ))?;
    let key = PrivateKey::from_pem(&pem, Algorithm::Ed25519)?.with_key_id("test-key-ed25519");

    // Client side: the request URI is absolute.
    let body = br#"{"hello": "world"}"#;
    let mut req = http::Request::post("https://api.example.com/payments?id=7")
        .header("content-type", "application/json")
        .header(
            "content-digest",
            httpsig_core::digest::header_value(
                &[httpsig_core::digest::DigestAlgorithm::Sha256],
                body,
            ),
        )
        .body(body.to_vec())?;
    let params = SignatureParams::builder()
        .components([
            Component::derived(Derived::Method),
            Component::derived(Derived::TargetUri),
            Component::field("content-digest")?,
        ])
        .created_now()
        .keyid("test-key-ed25519")
        .tag("example")
        .build()?;
    let signed = httpsig_core::sign(
        &RequestView::client(&req)?,
        None,
        "sig1",
        params,
        &key,
        &BaseOptions::default(),
    )?;
    attach(req.headers_mut(), &signed)?;
    println!(
        "Signature-Input: {}",
        req.headers()["signature-input"].to_str()?
    );

    // Server side: the proxy forwarded `POST /payments?id=7`; the external URI is configuration.
    let (mut parts, body) = req.into_parts();
    parts.uri = "/payments?id=7".parse()?;
    let server_req = http::Request::from_parts(parts, body);
    let view = RequestView::server(&server_req, "https://api.example.com/payments?id=7")?;
    let policy = VerifyPolicy::new(&[Algorithm::Ed25519], MaxAge::Seconds(60))
        .require_component(Component::derived(Derived::TargetUri))
        .allow_tags(&["example"]);
    let verified = policy.verify(
        VerifyInput::new(&view).body(server_req.body()),
        &key.public_key(),
    )?;
    println!(
        "verified {} with {}",
        verified.label(),
        verified.algorithm()
    );
    Ok(())
}
