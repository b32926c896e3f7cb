//! Real `redis-server` processes for the store tests: plain, TLS, and Redis Cluster nodes, each on
//! a free loopback port with its own temporary directory, killed and cleaned up on drop.
//!
//! Needs `redis-server` (and `redis-cli` for the cluster) on PATH; `scripts/setup-redis.sh`
//! installs them. A missing binary or a server that does not start is a test FAILURE, never a
//! skip.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// How long a server may take to start on a loaded 2-core machine.
const START_DEADLINE: Duration = Duration::from_secs(20);

/// A loopback port that was free a moment ago.
pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral loopback port");
    listener.local_addr().expect("local addr").port()
}

/// A fresh directory under the system temp dir, unique to this process and call.
pub(crate) fn temp_dir(kind: &str) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "fapi-profile-{kind}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Sends one inline command over a raw plain-TCP socket and returns the raw reply: a client
/// independent of the one under test.
pub(crate) fn raw_command(port: u16, command: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.write_all(command.as_bytes())?;
    stream.write_all(b"\r\n")?;
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
        if resp_complete(&reply) {
            break;
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

/// Whether `reply` holds one whole RESP2 reply of the kinds these tests read: a line
/// (`+`, `-`, `:`) or a bulk string (`$len\r\n…\r\n`, `$-1\r\n`).
fn resp_complete(reply: &[u8]) -> bool {
    let Some(eol) = reply.windows(2).position(|w| w == b"\r\n") else {
        return false;
    };
    if reply.first() != Some(&b'$') {
        return true;
    }
    let len: i64 = String::from_utf8_lossy(&reply[1..eol])
        .parse()
        .unwrap_or(-1);
    match usize::try_from(len) {
        Ok(len) => reply.len() >= eol + 2 + len + 2,
        Err(_) => true,
    }
}

/// How a server is started.
#[derive(Clone)]
enum Mode {
    Plain,
    /// TLS only (`--port 0`): certificate, key and CA files.
    Tls {
        cert: PathBuf,
        key: PathBuf,
        ca: PathBuf,
    },
    /// A Redis Cluster node (its `nodes.conf` lives in the server's directory, so a restart
    /// rejoins with the same id and slots).
    ClusterNode,
}

/// A `redis-server` child process on a loopback port; killed and its directory removed on drop.
pub(crate) struct RedisServer {
    child: Option<Child>,
    /// The port clients use (the TLS port in TLS mode).
    pub(crate) port: u16,
    dir: PathBuf,
    extra: Vec<String>,
    mode: Mode,
}

impl RedisServer {
    /// A plain `redis://` server.
    pub(crate) fn start() -> Self {
        Self::start_with(&[])
    }

    /// A plain server with extra `redis-server` arguments.
    pub(crate) fn start_with(extra: &[&str]) -> Self {
        Self::launch(Mode::Plain, extra)
    }

    /// A TLS-only server presenting `pki`'s server certificate (clients are not asked for one).
    pub(crate) fn start_tls(pki: &TestPki) -> Self {
        Self::launch(
            Mode::Tls {
                cert: pki.server_cert.clone(),
                key: pki.server_key.clone(),
                ca: pki.ca_cert.clone(),
            },
            &[],
        )
    }

    /// A node for a Redis Cluster (not yet part of one: see [`Cluster::start`]).
    pub(crate) fn start_cluster_node() -> Self {
        Self::launch(Mode::ClusterNode, &[])
    }

    fn launch(mode: Mode, extra: &[&str]) -> Self {
        let mut server = Self {
            child: None,
            port: free_port(),
            dir: temp_dir("redis"),
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
            mode,
        };
        server.spawn();
        server
    }

    /// Starts (or restarts, after [`Self::kill`]) the process on the same port and directory.
    pub(crate) fn spawn(&mut self) {
        assert!(self.child.is_none(), "server already running");
        let log = self.dir.join("redis.log");
        // A restart appends to the log; readiness is judged from what this start writes.
        let log_offset = std::fs::metadata(&log).map_or(0, |m| m.len());
        let port = self.port.to_string();
        let mut cmd = Command::new("redis-server");
        match &self.mode {
            Mode::Plain | Mode::ClusterNode => {
                cmd.args(["--port", &port]);
            }
            Mode::Tls { cert, key, ca } => {
                cmd.args(["--port", "0", "--tls-port", &port])
                    .arg("--tls-cert-file")
                    .arg(cert)
                    .arg("--tls-key-file")
                    .arg(key)
                    .arg("--tls-ca-cert-file")
                    .arg(ca)
                    .args(["--tls-auth-clients", "no"]);
            }
        }
        if matches!(self.mode, Mode::ClusterNode) {
            cmd.args(["--cluster-enabled", "yes"])
                .args(["--cluster-config-file", "nodes.conf"])
                // Long enough that a node killed and restarted within a test is never voted
                // failed by the others (the tests restart within a few seconds).
                .args(["--cluster-node-timeout", "30000"]);
        }
        cmd.args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .args(["--daemonize", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .arg("--logfile")
            .arg(&log)
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(err) => panic!(
                "cannot start `redis-server` ({err}); these tests need a real Redis: \
                 run scripts/setup-redis.sh to install it"
            ),
        };
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    let _ = pipe.read_to_string(&mut stderr);
                }
                panic!(
                    "redis-server on port {} exited at start ({status}); stderr: {stderr}; log: {}",
                    self.port,
                    read_log(&log)
                );
            }
            if self.ready(&log, log_offset) {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "redis-server on port {} was not ready within {START_DEADLINE:?}; log: {}",
                    self.port,
                    read_log(&log)
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
        self.child = Some(child);
    }

    fn ready(&self, log: &Path, offset: u64) -> bool {
        match self.mode {
            Mode::Plain | Mode::ClusterNode => raw_command(self.port, "PING").is_ok_and(|reply| {
                // A server with `requirepass` answers `-NOAUTH ...`: up, too.
                reply.starts_with("+PONG") || reply.starts_with("-NOAUTH")
            }),
            // No plain port to PING: the server says when it listens.
            Mode::Tls { .. } => std::fs::read(log).is_ok_and(|text| {
                let new = text
                    .get(usize::try_from(offset).unwrap_or(0)..)
                    .unwrap_or_default();
                String::from_utf8_lossy(new).contains("Ready to accept connections")
            }),
        }
    }

    /// Kills the process (SIGKILL), keeping its port and directory for [`Self::spawn`].
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `redis://127.0.0.1:<port>/` (or `rediss://` in TLS mode).
    pub(crate) fn url(&self) -> String {
        let scheme = match self.mode {
            Mode::Tls { .. } => "rediss",
            _ => "redis",
        };
        format!("{scheme}://127.0.0.1:{}/", self.port)
    }
}

fn read_log(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A CA and a server certificate for `localhost` and `127.0.0.1`, generated for one test, as PEM
/// files in a temporary directory (removed on drop).
pub(crate) struct TestPki {
    dir: PathBuf,
    /// The CA certificate, PEM.
    pub(crate) ca_pem: String,
    ca_cert: PathBuf,
    server_cert: PathBuf,
    server_key: PathBuf,
}

impl TestPki {
    /// Generates a fresh CA (ECDSA P-256) and a server certificate it signs.
    pub(crate) fn generate() -> Self {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
        };
        let dir = temp_dir("pki");
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "fapi-profile test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
        let issuer = Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate().expect("server key");
        let mut server_params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .expect("server params");
        server_params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let server_cert = server_params
            .signed_by(&server_key, &issuer)
            .expect("server certificate");

        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::write(&path, text).expect("write PEM");
            path
        };
        Self {
            ca_pem: ca_cert.pem(),
            ca_cert: write("ca.pem", &ca_cert.pem()),
            server_cert: write("server.pem", &server_cert.pem()),
            server_key: write("server.key", &server_key.serialize_pem()),
            dir,
        }
    }
}

impl Drop for TestPki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Redis Cluster of `n` masters (no replicas) on loopback.
pub(crate) struct Cluster {
    /// The nodes, in the order given to `redis-cli --cluster create`.
    pub(crate) nodes: Vec<RedisServer>,
}

impl Cluster {
    /// Starts `n` cluster-enabled servers, joins them with `redis-cli --cluster create` and waits
    /// until every node reports `cluster_state:ok`.
    pub(crate) fn start(n: usize) -> Self {
        let nodes: Vec<RedisServer> = (0..n).map(|_| RedisServer::start_cluster_node()).collect();
        let addrs: Vec<String> = nodes
            .iter()
            .map(|s| format!("127.0.0.1:{}", s.port))
            .collect();
        let out = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addrs)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|err| {
                panic!("cannot run `redis-cli` ({err}); run scripts/setup-redis.sh to install it")
            });
        assert!(
            out.status.success(),
            "redis-cli --cluster create failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let cluster = Self { nodes };
        cluster.wait_ok();
        cluster
    }

    /// Waits (up to 30 s) until every running node reports `cluster_state:ok`.
    pub(crate) fn wait_ok(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        for node in &self.nodes {
            loop {
                let info = raw_command(node.port, "CLUSTER INFO").unwrap_or_default();
                if info.contains("cluster_state:ok") {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "node {} not ok within 30 s: {info}",
                    node.port
                );
                thread::sleep(Duration::from_millis(100));
            }
        }
    }

    /// The `redis://` URLs of every node.
    pub(crate) fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    /// The index of the node holding the Redis key `name` (asked of every node with `EXISTS`:
    /// only the owner answers `:1`, the others redirect), or `None` if no node holds it.
    pub(crate) fn owner_of(&self, name: &str) -> Option<usize> {
        let owners: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| {
                raw_command(self.nodes[i].port, &format!("EXISTS {name}"))
                    .is_ok_and(|r| r == ":1\r\n")
            })
            .collect();
        assert!(
            owners.len() <= 1,
            "{name} held by several masters: {owners:?}"
        );
        owners.first().copied()
    }
}
