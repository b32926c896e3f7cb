//! Fixtures shared by the cache tests: two Ed25519 key pairs, JWK Set documents, signed
//! requests.

use httpsig_core::keys::{Jwk, PrivateKey};
use httpsig_core::{BaseOptions, Component, Derived, KeyLookup, Message, SignatureParams, sign};

/// RFC 9421 B.1.4 (test-key-ed25519): public `x`, private `d`.
pub(crate) const KEY1_X: &str = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";
pub(crate) const KEY1_D: &str = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU";
/// RFC 8037 A.1: public `x`, private `d`.
pub(crate) const KEY2_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
pub(crate) const KEY2_D: &str = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";

/// A public Ed25519 JWK Set member.
pub(crate) fn member(kid: &str, x: &str) -> String {
    format!(r#"{{"kty":"OKP","crv":"Ed25519","kid":"{kid}","x":"{x}"}}"#)
}

/// A JWK Set document of `members`.
pub(crate) fn doc(members: &[String]) -> Vec<u8> {
    format!(r#"{{"keys":[{}]}}"#, members.join(",")).into_bytes()
}

/// A lookup for signature `sig1` under `kid`.
pub(crate) fn lookup(kid: &str) -> KeyLookup<'_> {
    KeyLookup::new("sig1", Some(kid))
}

/// A request signed by the Ed25519 key `d`/`x` under `kid`.
pub(crate) fn signed(kid: &str, x: &str, d: &str) -> Message {
    let jwk = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","d":"{d}"}}"#);
    let key =
        PrivateKey::from_jwk(&Jwk::from_json(jwk.as_bytes()).expect("jwk"), None).expect("key");
    let mut msg = Message::request("GET", "https://rs.example.com/a").expect("uri");
    let params = SignatureParams::builder()
        .component(Component::derived(Derived::Method))
        .created(1_700_000_000)
        .keyid(kid)
        .build()
        .expect("params");
    let s = sign(&msg, None, "sig1", params, &key, &BaseOptions::default()).expect("sign");
    msg.add_header("Signature-Input", s.signature_input_member());
    msg.add_header("Signature", s.signature_member());
    msg
}
