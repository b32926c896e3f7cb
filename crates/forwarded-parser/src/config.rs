//! The configuration: exactly one origin source (plus an optional cross-check), a host
//! allow-list and limits. Constructors force the essential choice; nothing trusts headers by
//! default.

use core::num::NonZeroU8;

use httpsig_uri::{Authority, NormalizedAuthority};

use crate::effective::{Scheme, host_error};
use crate::error::{ForwardedError, SourceKind, ValueSource};
use crate::forwarded::Limits;
use crate::syntax::validate_prefix;
use crate::trust::Trust;

/// A fixed external origin, e.g. `https://api.example.com` (scheme, host, optional port).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub(crate) scheme: Scheme,
    /// The normalized authority, parsed once: host and explicit port are typed values, so
    /// nothing re-slices or re-parses the authority string.
    pub(crate) authority: NormalizedAuthority<'static>,
}

impl Origin {
    /// Parses `scheme://host[:port]` (an optional single trailing `/` is allowed; no path,
    /// query, fragment or userinfo). The authority is normalized (RFC 9110 §4.2.3).
    ///
    /// # Errors
    /// [`ForwardedError::InvalidProto`], [`ForwardedError::InvalidHost`] or
    /// [`ForwardedError::InvalidPort`] with source [`ValueSource::Config`].
    pub fn parse(s: &str) -> Result<Self, ForwardedError> {
        let source = ValueSource::Config;
        let (scheme, rest) = s
            .split_once("://")
            .ok_or(ForwardedError::InvalidProto { source })?;
        let scheme =
            Scheme::parse(scheme.as_bytes()).ok_or(ForwardedError::InvalidProto { source })?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let authority = Authority::parse(rest.as_bytes())
            .map_err(|e| host_error(e, source))?
            .normalized(scheme)
            .into_owned();
        Ok(Self { scheme, authority })
    }

    /// The scheme.
    pub const fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The normalized authority.
    pub fn authority(&self) -> &str {
        self.authority.as_str()
    }
}

/// An opt-in scheme header besides `X-Forwarded-Proto`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SchemeAlias {
    /// `X-Forwarded-Scheme: https` (Traefik, gorilla, Rack).
    XForwardedScheme,
    /// `X-Url-Scheme: https` (legacy WSGI).
    XUrlScheme,
    /// `X-Forwarded-Ssl: on|off` (Rack, Spring, gunicorn).
    XForwardedSsl,
    /// `Front-End-Https: on|off` (Microsoft OWA/ISA era).
    FrontEndHttps,
}

/// Which `X-Forwarded-*` headers are read and how lists are handled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XfOptions {
    pub(crate) host: bool,
    pub(crate) port: bool,
    pub(crate) prefix: bool,
    pub(crate) aliases: Vec<SchemeAlias>,
    pub(crate) from_right: Option<NonZeroU8>,
}

impl XfOptions {
    /// Reads `X-Forwarded-Proto` and `X-Forwarded-Host`; lists (several values) are rejected.
    pub const fn new() -> Self {
        Self {
            host: true,
            port: false,
            prefix: false,
            aliases: Vec::new(),
            from_right: None,
        }
    }

    /// Whether to read `X-Forwarded-Host` (default on; turn off when the proxy passes `Host`
    /// through unchanged, like AWS ALB).
    #[must_use]
    pub const fn host(mut self, on: bool) -> Self {
        self.host = on;
        self
    }

    /// Whether to read `X-Forwarded-Port` (default off).
    #[must_use]
    pub const fn port(mut self, on: bool) -> Self {
        self.port = on;
        self
    }

    /// Whether to read `X-Forwarded-Prefix` (default off).
    #[must_use]
    pub const fn prefix(mut self, on: bool) -> Self {
        self.prefix = on;
        self
    }

    /// Also read a legacy scheme header; all enabled scheme headers must agree.
    #[must_use]
    pub fn alias(mut self, alias: SchemeAlias) -> Self {
        if !self.aliases.contains(&alias) {
            self.aliases.push(alias);
        }
        self
    }

    /// Accept multi-valued headers by taking the `n`-th value from the right (1 = last),
    /// as Werkzeug's `ProxyFix` counts; fewer values is [`ForwardedError::InsufficientHops`].
    #[must_use]
    pub const fn take_from_right(mut self, n: NonZeroU8) -> Self {
        self.from_right = Some(n);
        self
    }
}

impl Default for XfOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// One origin source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Connection,
    Fixed { origin: Origin, prefix: String },
    Forwarded { trust: Trust, require_host: bool },
    XForwarded { trust: Trust, options: XfOptions },
    ForwardAuth { trust: Trust },
}

impl Source {
    pub(crate) const fn kind(&self) -> SourceKind {
        match self {
            Self::Connection => SourceKind::Connection,
            Self::Fixed { .. } => SourceKind::Fixed,
            Self::Forwarded { .. } => SourceKind::Forwarded,
            Self::XForwarded { .. } => SourceKind::XForwarded,
            Self::ForwardAuth { .. } => SourceKind::ForwardAuth,
        }
    }
}

/// How [`resolve`](crate::resolve) finds the client-facing origin.
///
/// # Examples
/// ```
/// use forwarded_parser::{Config, Origin, Trust, XfOptions};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // Recommended for FAPI resource servers (RFC 9421 §7.4.3): a configured origin.
/// let fixed = Config::fixed(Origin::parse("https://api.example.com")?).with_prefix("/rs")?;
/// // Behind nginx on 10.0.0.0/8 sending X-Forwarded-Proto / -Host / -Port:
/// let xf = Config::x_forwarded(Trust::cidrs(["10.0.0.0/8".parse()?]), XfOptions::new().port(true))
///     .allow_hosts(["api.example.com"])?;
/// # let _ = (fixed, xf); Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub(crate) source: Source,
    pub(crate) cross_check: Option<Source>,
    pub(crate) allowed_hosts: Option<Vec<String>>,
    pub(crate) limits: Limits,
}

impl Config {
    const fn with_source(source: Source) -> Self {
        Self {
            source,
            cross_check: None,
            allowed_hosts: None,
            limits: Limits::new(
                Limits::DEFAULT_MAX_BYTES,
                Limits::DEFAULT_MAX_ELEMENTS,
                Limits::DEFAULT_MAX_PAIRS,
            ),
        }
    }

    /// Connection facts only (RFC 9112 §3.3): the scheme from the socket's TLS, the authority
    /// from an absolute-form target or `Host`. An absolute-form target whose scheme is not the
    /// connection's is refused ([`ForwardedError::SchemeMismatch`], RFC 9110 §7.4).
    /// Forwarding headers are ignored.
    pub const fn connection() -> Self {
        Self::with_source(Source::Connection)
    }

    /// A fixed external origin (RFC 9421 §7.4.3 "configured to know the external target URI").
    pub fn fixed(origin: Origin) -> Self {
        Self::with_source(Source::Fixed {
            origin,
            prefix: String::new(),
        })
    }

    /// RFC 7239 `Forwarded` from trusted proxies; `Host` is used when the chosen element has
    /// no `host` (see [`require_forwarded_host`](Self::require_forwarded_host)).
    pub const fn forwarded(trust: Trust) -> Self {
        Self::with_source(Source::Forwarded {
            trust,
            require_host: false,
        })
    }

    /// `X-Forwarded-*` from a trusted peer.
    ///
    /// These headers have no per-hop grouping, so trust is decided by the socket peer alone
    /// (in [`Trust::hops`] mode the peer is trusted and the count only selects the client in
    /// `X-Forwarded-For`). A header with several values is an error unless
    /// [`XfOptions::take_from_right`] says which one to take.
    pub const fn x_forwarded(trust: Trust, options: XfOptions) -> Self {
        Self::with_source(Source::XForwarded { trust, options })
    }

    /// A forward-auth subrequest (nginx `auth_request`, Traefik `forwardAuth`): method, scheme,
    /// host and URI from `X-Forwarded-Method` / `-Proto` / `-Host` / `-Uri` of a trusted peer.
    pub const fn forward_auth(trust: Trust) -> Self {
        Self::with_source(Source::ForwardAuth { trust })
    }

    /// A path prefix put in front of the received path (fixed origin only; for header sources
    /// use `X-Forwarded-Prefix`). Must start with `/`; one trailing `/` is dropped.
    ///
    /// # Errors
    /// [`ForwardedError::InvalidPrefix`] for a malformed prefix, or when the source is not
    /// [`Config::fixed`].
    pub fn with_prefix(mut self, prefix: &str) -> Result<Self, ForwardedError> {
        let err = ForwardedError::InvalidPrefix {
            source: ValueSource::Config,
        };
        let valid = validate_prefix(prefix).ok_or_else(|| err.clone())?;
        match &mut self.source {
            Source::Fixed { prefix: p, .. } => {
                *p = valid.to_owned();
                Ok(self)
            }
            _ => Err(err),
        }
    }

    /// With `Forwarded`: fail with [`ForwardedError::MissingHost`] when the chosen element
    /// has no `host` instead of falling back to `Host`. No effect on other sources.
    #[must_use]
    pub fn require_forwarded_host(mut self, on: bool) -> Self {
        if let Source::Forwarded { require_host, .. } = &mut self.source {
            *require_host = on;
        }
        self
    }

    /// Also evaluate `other`'s source (e.g. during a migration) and fail with
    /// [`ForwardedError::ConflictingSources`] if the scheme, authority or path differ.
    /// `other`'s allow-list and limits are not used.
    #[must_use]
    pub fn cross_check(mut self, other: Self) -> Self {
        self.cross_check = Some(other.source);
        self
    }

    /// Only accept these hosts (case-insensitive; `*.example.com` matches any subdomain but
    /// not `example.com` itself). Strongly recommended with header sources.
    ///
    /// # Errors
    /// [`ForwardedError::InvalidHost`] (source [`ValueSource::Config`]) for a malformed entry.
    pub fn allow_hosts<'s>(
        mut self,
        hosts: impl IntoIterator<Item = &'s str>,
    ) -> Result<Self, ForwardedError> {
        let mut list = Vec::new();
        for h in hosts {
            let bare = h.strip_prefix("*.").unwrap_or(h);
            match Authority::parse(bare.as_bytes()) {
                Ok(hp) if hp.port().is_none() && !bare.ends_with(':') => {}
                _ => {
                    return Err(ForwardedError::InvalidHost {
                        source: ValueSource::Config,
                    });
                }
            }
            list.push(h.to_ascii_lowercase());
        }
        self.allowed_hosts = Some(list);
        Ok(self)
    }

    /// Replace the default [`Limits`].
    #[must_use]
    pub const fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The primary source's kind.
    pub const fn source_kind(&self) -> SourceKind {
        self.source.kind()
    }

    pub(crate) fn host_allowed(&self, host: &str) -> bool {
        let Some(list) = &self.allowed_hosts else {
            return true;
        };
        list.iter().any(|h| match h.strip_prefix("*.") {
            Some(suffix) => host
                .strip_suffix(suffix)
                .and_then(|l| l.strip_suffix('.'))
                .is_some_and(|label| !label.is_empty()),
            None => h == host,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_parsing() {
        let o = Origin::parse("HTTPS://API.Example.com:443/").unwrap();
        assert_eq!(
            (o.scheme(), o.authority()),
            (Scheme::Https, "api.example.com")
        );
        assert_eq!(
            Origin::parse("http://h:8080").unwrap().authority(),
            "h:8080"
        );
        // Host and port are kept as parsed values (no re-parse of the authority text later).
        // (origin, host, port): RFC 3986 §6.2.3 drops the scheme's default port.
        for (text, host, port) in [
            ("HTTPS://API.Example.com:443/", "api.example.com", None),
            ("https://h:8443", "h", Some(8443)),
            ("http://h:443", "h", Some(443)),
            ("http://h:80", "h", None),
            ("https://[::1]:8443", "[::1]", Some(8443)),
            ("https://10.0.0.1", "10.0.0.1", None),
        ] {
            let o = Origin::parse(text).unwrap();
            assert_eq!(
                (o.authority.host(), o.authority.port()),
                (host, port),
                "{text}"
            );
            assert!(o.authority().starts_with(host), "{text}");
        }
        for bad in [
            "api.example.com",
            "ftp://h",
            "https://h/p",
            "https://u@h",
            "https://h:0",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fixed_origin_port_reaches_the_request_and_htu() {
        use crate::{ConnectionFacts, RequestHead, resolve};
        // (origin, port(), an htu that must match, one that must not)
        for (origin, port, yes, no) in [
            (
                "https://h:8443",
                Some(8443),
                "https://h:8443/a",
                "https://h/a",
            ),
            ("https://h:443", None, "https://h/a", "https://h:8443/a"),
            ("https://h", None, "https://H:443/a", "https://h:444/a"),
        ] {
            let config = Config::fixed(Origin::parse(origin).unwrap());
            let head = RequestHead::new("GET", "/a", &[]).unwrap();
            let conn = ConnectionFacts::new(core::net::IpAddr::from([127, 0, 0, 1]), true);
            let r = resolve(&config, &conn, &head).unwrap().request;
            assert_eq!((r.host(), r.port()), ("h", port), "{origin}");
            assert!(r.htu_matches(yes), "{origin} {yes}");
            assert!(!r.htu_matches(no), "{origin} {no}");
        }
    }

    #[test]
    fn prefix_only_for_fixed() {
        let fixed = Config::fixed(Origin::parse("https://h").unwrap());
        assert!(fixed.clone().with_prefix("/api").is_ok());
        assert!(fixed.with_prefix("api").is_err());
        assert!(Config::connection().with_prefix("/api").is_err());
    }

    #[test]
    fn allow_list_entries_validated_and_matched() {
        let c = Config::connection()
            .allow_hosts(["API.example.com", "*.tenant.example"])
            .unwrap();
        assert!(c.host_allowed("api.example.com"));
        assert!(c.host_allowed("a.tenant.example"));
        assert!(c.host_allowed("a.b.tenant.example"));
        assert!(!c.host_allowed("tenant.example"));
        assert!(!c.host_allowed("xtenant.example"));
        assert!(!c.host_allowed("evil.example"));
        for bad in ["a/b", "h:443", "", "*.", "u@h"] {
            assert!(Config::connection().allow_hosts([bad]).is_err(), "{bad}");
        }
    }
}
