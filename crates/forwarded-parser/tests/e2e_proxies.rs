//! End-to-end: real nginx and HAProxy terminate TLS on loopback in front of a hyper backend
//! that runs `resolve()`; `curl` (a real client) must get back exactly the URI it used.
//!
//! Needs `nginx`, `haproxy`, `openssl` and `curl` (install with `scripts/setup-proxies.sh`).
//! If any is missing or a proxy does not start, the test FAILS (it never skips). Everything
//! listens on 127.0.0.1 only; the processes are killed when the test ends (Drop).
//!
//! The client connects from 127.0.0.2 while the backend trusts only 127.0.0.1 (the proxies'
//! source address), so client-supplied forwarding headers, even ones naming 127.0.0.1, must
//! not change the result.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use forwarded_parser::{Cidr, Config, ConnectionFacts, RequestHead, Trust, XfOptions, resolve};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};

const CLIENT_ADDR: &str = "127.0.0.2";

fn find_binary(name: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin"].map(PathBuf::from));
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "e2e: `{name}` not found; run scripts/setup-proxies.sh (this test fails rather than skips)"
            )
        })
}

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let p = std::env::temp_dir().join(format!("fwd-e2e-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).expect("temp dir");
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process killed (and reaped) on drop.
struct Proc {
    name: String,
    child: Child,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free loopback port")
}

fn wait_listening(p: &mut Proc, port: u16, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = p.child.try_wait() {
            panic!(
                "e2e: {} exited ({status}) before listening on {port}: {}",
                p.name,
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(
            Instant::now() < deadline,
            "e2e: {} did not listen on 127.0.0.1:{port} within 10 s: {}",
            p.name,
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn self_signed_cert(dir: &Path) {
    let status = Command::new(find_binary("openssl"))
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
        ])
        .arg("/CN=localhost")
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("e2e: run openssl");
    assert!(
        status.success(),
        "e2e: openssl could not make a certificate"
    );
    let mut combined = std::fs::read(dir.join("cert.pem")).expect("cert");
    combined.extend(std::fs::read(dir.join("key.pem")).expect("key"));
    std::fs::write(dir.join("combined.pem"), combined).expect("combined pem");
}

// ---------------------------------------------------------------------------------------
// Backend: hyper 1 on tokio, one listener per configuration.

async fn handle(
    req: Request<Incoming>,
    peer: SocketAddr,
    config: Arc<Config>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let conn = ConnectionFacts::from_socket(peer, false);
    let outcome = RequestHead::from_http(&req).and_then(|head| {
        resolve(&config, &conn, &head).map(|r| {
            let warnings: Vec<&str> = r.warnings.iter().map(|w| w.code()).collect();
            (r.request.target_uri(), r.request.htu(), warnings.join(","))
        })
    });
    let resp = match outcome {
        Ok((uri, htu, warnings)) => Response::builder()
            .status(200)
            .header("x-htu", htu)
            .header("x-warnings", warnings)
            .body(Full::new(Bytes::from(uri))),
        Err(e) => Response::builder()
            .status(400)
            .body(Full::new(Bytes::from(format!("error: {}", e.code())))),
    };
    Ok(resp.unwrap_or_else(|_| Response::new(Full::new(Bytes::from_static(b"error: build")))))
}

fn start_backend(config: Config) -> u16 {
    let std_listener = StdListener::bind("127.0.0.1:0").expect("backend bind");
    std_listener.set_nonblocking(true).expect("nonblocking");
    let port = std_listener.local_addr().expect("addr").port();
    let config = Arc::new(config);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).expect("tokio listener");
            loop {
                let Ok((stream, peer)) = listener.accept().await else {
                    continue;
                };
                let config = Arc::clone(&config);
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        handle(req, peer, Arc::clone(&config))
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
    });
    port
}

// ---------------------------------------------------------------------------------------
// Proxies.

fn start_nginx(dir: &Path, port: u16, location: &str, http_extra: &str) -> Proc {
    let d = dir.display();
    let conf = format!(
        r#"daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
{http_extra}
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate {d}/cert.pem;
        ssl_certificate_key {d}/key.pem;
        location / {{
{location}
        }}
    }}
}}
"#
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).expect("nginx.conf");
    let log = dir.join("nginx-error.log");
    let child = Command::new(find_binary("nginx"))
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&path)
        .arg("-e")
        .arg(&log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("nginx-stderr.log")).expect("log"))
        .spawn()
        .expect("e2e: spawn nginx");
    let mut p = Proc {
        name: "nginx".into(),
        child,
    };
    wait_listening(&mut p, port, &dir.join("nginx-stderr.log"));
    p
}

fn start_haproxy(dir: &Path, port: u16, backend: u16, frontend_extra: &str) -> Proc {
    let d = dir.display();
    let conf = format!(
        r#"global
    maxconn 64
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:{port} ssl crt {d}/combined.pem
{frontend_extra}
    default_backend be
backend be
    server app 127.0.0.1:{backend}
"#
    );
    let path = dir.join("haproxy.cfg");
    std::fs::write(&path, conf).expect("haproxy.cfg");
    let log = dir.join("haproxy-stderr.log");
    let child = Command::new(find_binary("haproxy"))
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("e2e: spawn haproxy");
    let mut p = Proc {
        name: "haproxy".into(),
        child,
    };
    wait_listening(&mut p, port, &log);
    p
}

/// Whether this HAProxy knows `option forwarded` (added in 2.8).
fn haproxy_has_option_forwarded(dir: &Path) -> bool {
    let path = dir.join("probe.cfg");
    std::fs::write(
        &path,
        "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n\
         frontend f\n    bind 127.0.0.1:1\n    option forwarded proto host for\n    default_backend b\n\
         backend b\n    server s 127.0.0.1:2\n",
    )
    .expect("probe cfg");
    Command::new(find_binary("haproxy"))
        .arg("-c")
        .arg("-f")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn version(bin: &str, arg: &str) -> String {
    let out = Command::new(find_binary(bin))
        .arg(arg)
        .output()
        .expect("version");
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    text.lines().next().unwrap_or_default().to_owned()
}

// ---------------------------------------------------------------------------------------
// Client.

struct Reply {
    status: u16,
    body: String,
    htu: String,
    warnings: String,
}

fn curl(port: u16, path: &str, headers: &[&str]) -> Reply {
    let url = format!("https://localhost:{port}{path}");
    let mut cmd = Command::new(find_binary("curl"));
    cmd.args([
        "-sS",
        "-k",
        "-i",
        "--max-time",
        "10",
        "--interface",
        CLIENT_ADDR,
    ])
    .arg("--resolve")
    .arg(format!("localhost:{port}:127.0.0.1"));
    for h in headers {
        cmd.arg("-H").arg(h);
    }
    let out = cmd.arg(&url).output().expect("e2e: run curl");
    assert!(
        out.status.success(),
        "e2e: curl {url} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut htu = String::new();
    let mut warnings = String::new();
    for l in lines {
        if let Some((n, v)) = l.split_once(':') {
            match n.trim().to_ascii_lowercase().as_str() {
                "x-htu" => htu = v.trim().to_owned(),
                "x-warnings" => warnings = v.trim().to_owned(),
                _ => {}
            }
        }
    }
    Reply {
        status,
        body: body.to_owned(),
        htu,
        warnings,
    }
}

const SPOOF: [&str; 5] = [
    "X-Forwarded-Host: evil.example",
    "X-Forwarded-Proto: http",
    "X-Forwarded-Port: 1",
    "Forwarded: for=127.0.0.1;host=evil.example;proto=http",
    "X-Forwarded-For: 127.0.0.1",
];

/// The requests every proxy setup must pass; returns a log of what was exercised.
fn exercise(label: &str, port: u16, forwarded_style: bool, log: &mut String) {
    let origin = format!("https://localhost:{port}");
    let cases: [(&str, &[&str]); 5] = [
        ("/a/b?x=1&y=%41", &[]),
        ("/plain", &[]),
        ("/a/%7e/b?q", &[]),
        ("/spoof?x=1", &SPOOF),
        ("/sabotage", &["Forwarded: for=\"unterminated"]),
    ];
    for (path, headers) in cases {
        let r = curl(port, path, headers);
        let want = format!("{origin}{path}");
        assert_eq!(r.status, 200, "{label} {path}: {}", r.body);
        assert_eq!(r.body, want, "{label} {path}: reconstructed URI");
        let htu_path = path.split('?').next().unwrap_or(path).replace("%7e", "~");
        assert_eq!(r.htu, format!("{origin}{htu_path}"), "{label} {path}: htu");
        if path == "/sabotage" && forwarded_style {
            assert_eq!(
                r.warnings, "forwarded.warn.untrusted_prefix_invalid",
                "{label}: a client's broken Forwarded is reported, not trusted"
            );
        }
        let _ = writeln!(log, "  {label}: GET {path} {headers:?} -> {}", r.body);
    }
}

fn trust() -> Trust {
    Trust::cidrs(["127.0.0.1/32".parse::<Cidr>().expect("cidr")])
}

#[test]
fn real_proxies_reconstruct_the_client_uri() {
    let dir = TempDir::new("proxies");
    self_signed_cert(&dir.0);
    let mut log = String::new();
    let _ = writeln!(log, "{}", version("nginx", "-v"));
    let _ = writeln!(log, "{}", version("haproxy", "-v"));

    // nginx, X-Forwarded-*: `$host` drops the port, so X-Forwarded-Port carries it.
    {
        let backend = start_backend(Config::x_forwarded(trust(), XfOptions::new().port(true)));
        let port = free_port();
        let _nginx = start_nginx(
            &dir.0,
            port,
            &format!(
                "            proxy_pass http://127.0.0.1:{backend};\n\
                 \x20           proxy_set_header X-Forwarded-Proto $scheme;\n\
                 \x20           proxy_set_header X-Forwarded-Host $host;\n\
                 \x20           proxy_set_header X-Forwarded-Port $server_port;\n\
                 \x20           proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"
            ),
            "",
        );
        exercise("nginx x-forwarded", port, false, &mut log);
    }
    // nginx, RFC 7239: append our element to whatever the client sent.
    {
        let backend = start_backend(Config::forwarded(trust()).require_forwarded_host(true));
        let port = free_port();
        let _nginx = start_nginx(
            &dir.0,
            port,
            &format!(
                "            proxy_pass http://127.0.0.1:{backend};\n\
                 \x20           proxy_set_header Forwarded \"${{fwd_prev}}for=\\\"$remote_addr:$remote_port\\\";proto=$scheme;host=\\\"$http_host\\\"\";"
            ),
            "    map $http_forwarded $fwd_prev { \"\" \"\"; default \"$http_forwarded, \"; }",
        );
        exercise("nginx forwarded", port, true, &mut log);
    }
    // HAProxy, X-Forwarded-*: Host keeps the port, so no X-Forwarded-Port is read.
    {
        let backend = start_backend(Config::x_forwarded(trust(), XfOptions::new()));
        let port = free_port();
        let _haproxy = start_haproxy(
            &dir.0,
            port,
            backend,
            "    option forwardfor\n\
             \x20   http-request set-header X-Forwarded-Proto https\n\
             \x20   http-request set-header X-Forwarded-Host %[req.hdr(host)]",
        );
        exercise("haproxy x-forwarded", port, false, &mut log);
    }
    // HAProxy, RFC 7239: `option forwarded` where available (≥ 2.8), else the equivalent
    // header built with sample fetches (added as its own field line after the client's).
    {
        let backend = start_backend(Config::forwarded(trust()).require_forwarded_host(true));
        let port = free_port();
        let native = haproxy_has_option_forwarded(&dir.0);
        let directive = if native {
            "    option forwarded proto host for"
        } else {
            "    http-request add-header Forwarded 'for=\"%[src]\";proto=https;host=\"%[req.hdr(host)]\"'"
        };
        let _ = writeln!(log, "haproxy option forwarded supported: {native}");
        let _haproxy = start_haproxy(&dir.0, port, backend, directive);
        exercise("haproxy forwarded", port, true, &mut log);
    }
    println!("{log}");
}
