//! Who is trusted to tell us the client-facing origin: CIDR sets or a hop count.
//!
//! Trust is granted only by the socket peer address and, walking right to left, by the `for`
//! node each trusted proxy recorded — never by a header alone (RFC 7239 §8.1). There is no
//! "trust everything" setting.

use core::fmt;
use core::net::IpAddr;
use core::num::NonZeroU8;
use core::str::FromStr;

use crate::syntax::{normalize_ip, parse_ipv4, parse_ipv6};

/// An IP network in CIDR notation, e.g. `10.0.0.0/8` or `2001:db8::/32`.
///
/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are matched as their IPv4 form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

/// Why a CIDR string was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CidrError {
    /// The address part is not an IPv4 or IPv6 address.
    Address,
    /// The prefix length is missing digits or larger than the address width.
    PrefixLength,
    /// Bits are set after the prefix (`10.0.0.1/8`): almost always a typo.
    HostBits,
    /// A `/0` network would trust every address; this crate has no "trust everything".
    MatchesEverything,
}

impl CidrError {
    /// A stable, machine-readable code.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Address => "cidr.address",
            Self::PrefixLength => "cidr.prefix_length",
            Self::HostBits => "cidr.host_bits",
            Self::MatchesEverything => "cidr.matches_everything",
        }
    }
}

impl fmt::Display for CidrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Address => "cidr: invalid address",
            Self::PrefixLength => "cidr: invalid prefix length",
            Self::HostBits => "cidr: bits set after the prefix length",
            Self::MatchesEverything => "cidr: a /0 network would trust every address",
        })
    }
}

impl std::error::Error for CidrError {}

impl Cidr {
    /// A network from an address and prefix length.
    ///
    /// # Errors
    /// [`CidrError::PrefixLength`] if `prefix` exceeds 32 (IPv4) or 128 (IPv6);
    /// [`CidrError::HostBits`] if `addr` has bits set after the prefix;
    /// [`CidrError::MatchesEverything`] for a `/0` network.
    pub fn new(addr: IpAddr, prefix: u8) -> Result<Self, CidrError> {
        let addr = normalize_ip(addr);
        let width = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        if prefix > width {
            return Err(CidrError::PrefixLength);
        }
        if prefix == 0 {
            return Err(CidrError::MatchesEverything);
        }
        if bits(addr) & !mask(width, prefix) != 0 {
            return Err(CidrError::HostBits);
        }
        Ok(Self { addr, prefix })
    }

    /// A network holding exactly one address.
    pub fn host(addr: IpAddr) -> Self {
        let addr = normalize_ip(addr);
        let prefix = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        Self { addr, prefix }
    }

    /// The loopback networks `127.0.0.0/8` and `::1/128`.
    pub fn loopback() -> [Self; 2] {
        [
            Self {
                addr: IpAddr::V4(core::net::Ipv4Addr::new(127, 0, 0, 0)),
                prefix: 8,
            },
            Self::host(IpAddr::V6(core::net::Ipv6Addr::LOCALHOST)),
        ]
    }

    /// Whether `ip` (IPv4-mapped IPv6 normalized) is in this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = normalize_ip(ip);
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                // 32-bit arithmetic: `prefix` is 1..=32 (0 is rejected at construction; a
                // shift by 32 would give `None`, i.e. the all-zero mask, which is still right).
                let m = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix.min(32)))
                    .unwrap_or(0);
                u32::from(a) & m == u32::from(net) & m
            }
            (IpAddr::V6(_), IpAddr::V6(_)) => {
                let m = mask(128, self.prefix);
                bits(ip) & m == bits(self.addr) & m
            }
            _ => false,
        }
    }
}

fn bits(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn mask(width: u8, prefix: u8) -> u128 {
    let all: u128 = if width == 32 {
        u128::from(u32::MAX)
    } else {
        u128::MAX
    };
    let host_bits = u32::from(width.saturating_sub(prefix));
    if host_bits >= 128 {
        0
    } else {
        all & !((1u128 << host_bits) - 1)
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    /// Parses `addr/len`; a bare address means a single host.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr = parse_ipv4(a.as_bytes())
            .map(IpAddr::V4)
            .or_else(|| parse_ipv6(a.as_bytes()).map(IpAddr::V6))
            .ok_or(CidrError::Address)?;
        let Some(p) = p else {
            return Ok(Self::host(addr));
        };
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CidrError::PrefixLength);
        }
        let prefix: u8 = p.parse().map_err(|_| CidrError::PrefixLength)?;
        // `::ffff:10.0.0.0/104` is the mapped form of `10.0.0.0/8`.
        let (addr, prefix) = match addr {
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() && prefix >= 96 => {
                (normalize_ip(addr), prefix - 96)
            }
            _ => (addr, prefix),
        };
        Self::new(addr, prefix)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// Which hops are trusted: a set of proxy networks or a fixed number of proxies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trust(TrustKind);

#[derive(Clone, Debug, PartialEq, Eq)]
enum TrustKind {
    Cidrs(Vec<Cidr>),
    Hops(NonZeroU8),
}

impl Trust {
    /// Trust proxies whose address is in one of `cidrs` (the socket peer first, then each
    /// recorded `for` hop, right to left). An empty set trusts nobody.
    pub fn cidrs(cidrs: impl IntoIterator<Item = Cidr>) -> Self {
        Self(TrustKind::Cidrs(cidrs.into_iter().collect()))
    }

    /// Trust exactly `hops` proxies in front of this server, whatever their addresses.
    ///
    /// This asserts that the server is reachable only through that chain; prefer
    /// [`Trust::cidrs`], which does not break silently when a hop is added or removed.
    pub const fn hops(hops: NonZeroU8) -> Self {
        Self(TrustKind::Hops(hops))
    }

    /// Whether `ip` is a trusted proxy address (CIDR mode); always `false` in hop mode.
    pub fn is_trusted(&self, ip: IpAddr) -> bool {
        match &self.0 {
            TrustKind::Cidrs(c) => c.iter().any(|n| n.contains(ip)),
            TrustKind::Hops(_) => false,
        }
    }

    /// The hop count, in hop mode.
    pub const fn hop_count(&self) -> Option<NonZeroU8> {
        match &self.0 {
            TrustKind::Hops(h) => Some(*h),
            TrustKind::Cidrs(_) => None,
        }
    }

    /// Whether the socket peer is trusted (always in hop mode: the chain is asserted).
    pub(crate) fn peer_trusted(&self, peer: IpAddr) -> bool {
        match &self.0 {
            TrustKind::Cidrs(_) => self.is_trusted(peer),
            TrustKind::Hops(_) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn contains() {
        let n: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(n.contains(ip("10.255.0.1")));
        assert!(n.contains(ip("::ffff:10.1.2.3")));
        assert!(!n.contains(ip("11.0.0.1")));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(!v6.contains(ip("10.0.0.1")));
        let half: Cidr = "128.0.0.0/1".parse().unwrap();
        assert!(half.contains(ip("203.0.113.9")) && !half.contains(ip("10.0.0.1")));
        let mapped: Cidr = "::ffff:192.168.0.0/112".parse().unwrap();
        assert_eq!(mapped, "192.168.0.0/16".parse().unwrap());
        let h: Cidr = "192.0.2.1".parse().unwrap();
        assert!(h.contains(ip("192.0.2.1")) && !h.contains(ip("192.0.2.2")));
    }

    #[test]
    fn rejects() {
        assert_eq!("10.0.0.1/8".parse::<Cidr>(), Err(CidrError::HostBits));
        assert_eq!("10.0.0.0/33".parse::<Cidr>(), Err(CidrError::PrefixLength));
        assert_eq!("10.0.0.0/".parse::<Cidr>(), Err(CidrError::PrefixLength));
        assert_eq!("010.0.0.0/8".parse::<Cidr>(), Err(CidrError::Address));
        assert_eq!("example.com/8".parse::<Cidr>(), Err(CidrError::Address));
        assert_eq!(
            "0.0.0.0/0".parse::<Cidr>(),
            Err(CidrError::MatchesEverything)
        );
        assert_eq!("::/0".parse::<Cidr>(), Err(CidrError::MatchesEverything));
        assert_eq!(
            "::ffff:0.0.0.0/96".parse::<Cidr>(),
            Err(CidrError::MatchesEverything)
        );
    }
}
