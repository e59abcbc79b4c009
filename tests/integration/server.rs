//! The real server on a socket, probed as a hostile or careless client
//! would: stderr nobody reads, headers never finished, idle connections,
//! more connections than allowed, SIGTERM with clients hanging on.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::repo;

/// A `cptsmap serve` on a free port, killed when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
    /// The server's stderr, left unread after the start-up line.
    _stderr: ChildStderr,
}

impl Server {
    /// Starts the binary with `args` after `serve --port 0` and waits for its address.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cptsmap"));
        command.args(["serve", "--port", "0"]).args(args).current_dir(repo()).stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("the cptsmap binary runs");
        let mut stderr = child.stderr.take().expect("stderr piped");
        let mut seen = Vec::new();
        let mut byte = [0u8; 1];
        // Byte by byte: nothing after the start-up line may be read here.
        let addr = loop {
            let n = stderr.read(&mut byte).expect("stderr readable");
            assert!(n > 0, "server stopped: {}", String::from_utf8_lossy(&seen));
            seen.push(byte[0]);
            if byte[0] == b'\n' {
                let text = String::from_utf8_lossy(&seen);
                if let Some(start) = text.find("http://") {
                    let rest = &text[start + 7..];
                    break rest[..rest.find('/').expect("an address ends with /")].to_string();
                }
            }
        };
        Server { child, addr, _stderr: stderr }
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.addr).expect("the server accepts");
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        stream
    }

    pub fn sigterm(&self) {
        let ok = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap().success();
        assert!(ok);
    }

    /// Waits for the process to exit, at most `limit`; its status and how long it took.
    pub fn wait_exit(&mut self, limit: Duration) -> (std::process::ExitStatus, Duration) {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, started.elapsed());
            }
            assert!(started.elapsed() < limit, "still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response read from a keep-alive connection: status, lower-case head, body (de-chunked).
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
    }
}

/// Sends a GET on `stream` (kept alive) and reads its answer.
pub fn get(stream: &mut TcpStream, path: &str, extra: &str) -> Answer {
    // One write: several small ones would each wait for the previous one's acknowledgement (Nagle).
    stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: test\r\n{extra}\r\n").as_bytes()).unwrap();
    read_answer(&mut BufReader::new(stream))
}

/// Reads one HTTP/1.1 answer with a `Content-Length` or chunked body.
pub fn read_answer(reader: &mut impl BufRead) -> Answer {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "connection closed before the answer: {head}");
        if line == "\r\n" {
            break;
        }
        head.push_str(&line.to_lowercase());
    }
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let length = head.lines().find_map(|l| l.strip_prefix("content-length: ")?.trim().parse::<usize>().ok());
    let mut body = Vec::new();
    if let Some(length) = length {
        body.resize(length, 0);
        reader.read_exact(&mut body).unwrap();
    } else if head.contains("transfer-encoding: chunked") {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let size = usize::from_str_radix(size.trim(), 16).unwrap();
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).unwrap();
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    Answer { status, head, body }
}

/// Waits until the server closes `stream`; how long that took.
fn closed_after(stream: &mut TcpStream, limit: Duration) -> Duration {
    let started = Instant::now();
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return started.elapsed(),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return started.elapsed(),
            Err(e) => panic!("still open after {:?}: {e}", started.elapsed()),
        }
    }
}

#[test]
fn a_server_whose_stderr_nobody_reads_answers_five_thousand_requests() {
    // The default logs: one line per request, on a pipe that fills after a few hundred.
    let server = Server::start(&[], &[("RUST_LOG", "info")]);
    let mut connections: Vec<TcpStream> = (0..4).map(|_| server.connect()).collect();
    for i in 0..5_000 {
        let stream = &mut connections[i % 4];
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let answer = get(stream, &format!("/api/health?n={i}"), "");
        assert_eq!(answer.status, 200, "request {i}");
    }
}

#[test]
fn a_request_whose_headers_never_end_is_cut_after_the_header_timeout() {
    let server = Server::start(&["--header-timeout", "1"], &[("RUST_LOG", "off")]);
    let mut half = server.connect();
    half.write_all(b"GET /api/health HTTP/1.1\r\nHost: test\r\nX-Slow: ").unwrap();
    let waited = closed_after(&mut half, Duration::from_secs(8));
    // Not before the timeout; the upper bound is only a sanity bound for a loaded machine.
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_secs(6), "{waited:?}");
    // A client trickling its headers byte by byte is cut all the same.
    let mut slow = server.connect();
    let started = Instant::now();
    for b in b"GET /api/health HTTP/1.1\r\nHost: test\r\n".iter().cycle() {
        if slow.write_all(&[*b]).is_err() || started.elapsed() > Duration::from_secs(8) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(started.elapsed() < Duration::from_secs(6), "{:?}", started.elapsed());
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout_and_not_before() {
    let server = Server::start(&["--idle-timeout", "1", "--header-timeout", "10"], &[("RUST_LOG", "off")]);
    let mut stream = server.connect();
    assert_eq!(get(&mut stream, "/api/health", "").status, 200);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(get(&mut stream, "/api/health", "").status, 200, "still open after half the timeout");
    let waited = closed_after(&mut stream, Duration::from_secs(8));
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_secs(6), "{waited:?}");
    // A connection that never sends anything is idle too.
    let mut silent = server.connect();
    assert!(closed_after(&mut silent, Duration::from_secs(8)) < Duration::from_secs(6));
}

#[test]
fn beyond_the_connection_cap_clients_get_a_json_503_at_once_and_a_place_frees_when_one_leaves() {
    let server = Server::start(&["--max-connections", "3"], &[("RUST_LOG", "off")]);
    let mut held: Vec<TcpStream> = (0..3).map(|_| server.connect()).collect();
    for stream in &mut held {
        assert_eq!(get(stream, "/api/health", "").status, 200);
    }
    let started = Instant::now();
    let mut extra = server.connect();
    let answer = get(&mut extra, "/api/health", "");
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(answer.status, 503);
    assert_eq!(answer.header("retry-after"), Some("1"));
    assert_eq!(answer.json()["error"], "busy");
    assert!(answer.json()["detail"].as_str().unwrap().contains("réessayez"));
    drop(held.pop());
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(get(&mut server.connect(), "/api/health", "").status, 200);
}

#[test]
fn sigterm_with_idle_and_half_sent_clients_finishes_the_request_in_flight_and_exits_within_seconds() {
    let mut server = Server::start(&["--shutdown-grace", "1"], &[("RUST_LOG", "off")]);
    let mut idle = server.connect();
    assert_eq!(get(&mut idle, "/api/health", "").status, 200);
    let mut half = server.connect();
    half.write_all(b"GET /api/health HTTP/1.1\r\nHost: te").unwrap();
    let silent = server.connect();
    // A heavy request (France's zones blanches at full resolution) still being drawn when the signal comes.
    let mut busy = server.connect();
    write!(busy, "GET /api/export/uncovered.geojson?stage=aci_signe HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(50));
    server.sigterm();
    let answer = read_answer(&mut BufReader::new(&mut busy));
    assert_eq!(answer.status, 200);
    assert!(answer.json()["features"].as_array().is_some_and(|f| !f.is_empty()));
    // The half-sent and the silent connections get the 1 s grace, not the 10 s header timeout
    // nor the 60 s idle one; the bound is generous for a loaded machine.
    let (status, took) = server.wait_exit(Duration::from_secs(15));
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(8), "{took:?}");
    drop((idle, half, silent));
}

#[test]
fn heads_that_hyper_refuses_by_itself_are_answered_in_json_too() {
    let server = Server::start(&[], &[("RUST_LOG", "off")]);
    for (request, status, error) in [
        // Over hyper's own limit of 64 KiB for an address, far above the router's.
        (format!("GET /api/health?x={} HTTP/1.1\r\nHost: test\r\n\r\n", "a".repeat(100_000)), 414, "uri_too_long"),
        ("GET / HTTP/1.1\r\nHost: test\r\nNo colon here\r\n\r\n".to_string(), 400, "bad_request"),
        // Under it, the router answers.
        (format!("GET /api/health?x={} HTTP/1.1\r\nHost: test\r\n\r\n", "a".repeat(20_000)), 414, "uri_too_long"),
    ] {
        let mut stream = server.connect();
        stream.write_all(request.as_bytes()).unwrap();
        let answer = read_answer(&mut BufReader::new(&mut stream));
        assert_eq!(answer.status, status, "{}", answer.head);
        assert_eq!(answer.header("content-type"), Some("application/json"), "{}", answer.head);
        assert_eq!(answer.json()["error"], error);
        assert!(answer.body.len() < 300, "{} bytes", answer.body.len());
    }
}
