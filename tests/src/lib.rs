//! Snapshot tests over the policy packs and the `policy` CLI live in `tests/`; this library
//! holds what they share.

use std::path::PathBuf;

/// The repository's root, found from this crate's manifest
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The bundled Suzhou pack
pub fn suzhou_pack() -> PathBuf {
    root().join("policies/suzhou-future-industries")
}

/// The bundled example applications, every one well formed
pub fn suzhou_examples() -> PathBuf {
    suzhou_pack().join("examples/applications.yaml")
}

/// The bundled malformed applications: each one an `error` decision (but the first of a
/// duplicated id), to show how faulty input is refused
pub fn suzhou_malformed() -> PathBuf {
    suzhou_pack().join("examples/malformed.yaml")
}

/// Runs the CLI in-process, from the repository root, with paths relative to it; returns the
/// exit code, stdout and stderr
pub fn policy(args: &[&str]) -> (u8, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut argv = vec!["policy".to_string()];
    // English unless a test asks for a language: what a run shows must not depend on the
    // LANG of the machine that runs the tests.
    if !args.contains(&"--lang") {
        argv.extend(["--lang".to_string(), "en".to_string()]);
    }
    argv.extend(args.iter().map(|a| {
        // Relative paths in the tests are relative to the repository root.
        if a.starts_with("policies/") {
            root().join(a).to_string_lossy().into_owned()
        } else {
            a.to_string()
        }
    }));
    let code = policy_cli::main_with(argv, &mut out, &mut err);
    let clean =
        |b: Vec<u8>| String::from_utf8_lossy(&b).replace(&format!("{}/", root().display()), "");
    (code, clean(out), clean(err))
}

/// A copy of the Suzhou pack in a temporary directory, to break on purpose
pub fn pack_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&suzhou_pack(), dir.path());
    dir
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Runs `policy` where `<pack>` stands for the copy in `dir`, with the copy's path written back
/// as `<pack>` in the output, so snapshots do not depend on where the copy was made
pub fn policy_on(dir: &tempfile::TempDir, args: &[&str]) -> (u8, String, String) {
    let pack = dir.path().to_string_lossy().into_owned();
    let args: Vec<&str> = args
        .iter()
        .map(|a| if *a == "<pack>" { pack.as_str() } else { a })
        .collect();
    let (code, out, err) = policy(&args);
    (
        code,
        out.replace(&pack, "<pack>"),
        err.replace(&pack, "<pack>"),
    )
}

/// The Suzhou pack copied with `applicant: [applicant.credit_code, applicant.name]` and these
/// settlement `rules` (YAML list items) in pack.yaml, and `sentences` (which the rules quote)
/// added to its source document
pub fn pack_with_rules(sentences: &str, rules: &str) -> tempfile::TempDir {
    let pack = pack_copy();
    let source = pack.path().join("source/draft.zh.txt");
    let mut text = std::fs::read_to_string(&source).expect("source");
    text.push_str(sentences);
    std::fs::write(&source, text).expect("write source");
    let meta = pack.path().join("pack.yaml");
    let mut yaml = std::fs::read_to_string(&meta).expect("pack.yaml");
    yaml.push_str("\napplicant: [applicant.credit_code, applicant.name]\nsettlement:\n");
    yaml.push_str(rules);
    std::fs::write(&meta, yaml).expect("write pack.yaml");
    pack
}

/// `policy serve` on `pack` in this process, on a free loopback port; its address once it
/// listens
pub fn serve_on(
    pack: &std::path::Path,
    log: Option<&std::path::Path>,
    max_body: usize,
) -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    let opts = policy_cli::serve::Options {
        pack: pack.to_path_buf(),
        addr: "127.0.0.1:0".parse().expect("addr"),
        decision_log: log.map(std::path::Path::to_path_buf),
        require_tests: false,
        max_body_bytes: max_body,
        timeout: std::time::Duration::from_secs(30),
    };
    std::thread::spawn(move || policy_cli::serve::serve(opts, Some(tx)));
    rx.recv_timeout(std::time::Duration::from_secs(30))
        .expect("the server starts")
}

/// One HTTP/1.1 request with a JSON body; returns (status, headers in lower case, body)
pub fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: &[u8],
) -> (u16, String, String) {
    http_with(
        addr,
        method,
        path,
        &[("Content-Type", "application/json")],
        body,
    )
}

/// One HTTP/1.1 request with these headers; returns (status, headers in lower case, body)
pub fn http_with(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    s.write_all(head.as_bytes()).expect("write");
    // The server may answer (and close) before reading a body it refuses.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_string())
}

/// What the browser tests share: the accessibility audit of a page open in a WebDriver session
pub mod browser {
    use serde_json::{json, Value};

    /// axe-core, vendored (tests/vendor/axe-core: version, licence, checksum); injected into
    /// the page under test, never served by `policy`
    const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");

    /// The WCAG rule sets the audit runs: WCAG 2.0 and 2.1, levels A and AA
    pub const WCAG_TAGS: &[&str] = &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    /// One rule the page breaks, with the elements that break it
    #[derive(Debug, Clone, PartialEq)]
    pub struct Violation {
        /// axe's rule id, e.g. `color-contrast`
        pub id: String,
        /// `minor` to `critical`
        pub impact: String,
        /// What the rule asks, in a line
        pub help: String,
        /// Each element that fails: its CSS selector and what axe says is wrong with it
        pub nodes: Vec<(String, String)>,
    }

    impl std::fmt::Display for Violation {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            writeln!(f, "{} ({}): {}", self.id, self.impact, self.help)?;
            for (target, summary) in &self.nodes {
                writeln!(f, "  {target}: {}", summary.replace('\n', " / "))?;
            }
            Ok(())
        }
    }

    /// Runs axe-core's WCAG 2 A and AA rules ([`WCAG_TAGS`]) on the page the client shows and
    /// returns what they find (empty for a page that passes). The script goes in through
    /// WebDriver, which the page's Content-Security-Policy does not govern, so a page that
    /// allows no script is audited as it is served.
    pub async fn axe_violations(
        client: &fantoccini::Client,
    ) -> Result<Vec<Violation>, fantoccini::error::CmdError> {
        let loaded = client
            .execute(&format!("{AXE}\n;return typeof axe;"), vec![])
            .await?;
        assert_eq!(loaded, json!("object"), "axe-core did not load");
        let run = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
              .then(r => done(r.violations.map(v => ({
                  id: v.id, impact: v.impact || '', help: v.help,
                  nodes: v.nodes.map(n => [n.target.join(' '), n.failureSummary || ''])}))))
              .catch(e => done({error: String(e)}));
        "#;
        let found = client.execute_async(run, vec![json!(WCAG_TAGS)]).await?;
        if let Some(e) = found.get("error") {
            panic!("axe-core failed: {e}");
        }
        let text = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
        Ok(found
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|v| Violation {
                id: text(v, "id"),
                impact: text(v, "impact"),
                help: text(v, "help"),
                nodes: v["nodes"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .map(|n| {
                        let part = |i: usize| n[i].as_str().unwrap_or_default().to_string();
                        (part(0), part(1))
                    })
                    .collect(),
            })
            .collect())
    }

    /// Fails, naming every violation and its elements, unless axe finds none on the page;
    /// `what` names the page in the message
    pub async fn assert_accessible(client: &fantoccini::Client, what: &str) {
        let found = axe_violations(client).await.expect("axe-core runs");
        let listed: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert!(
            found.is_empty(),
            "{what}: {} accessibility violation(s) (WCAG 2 A/AA, axe-core):\n{}",
            found.len(),
            listed.join("")
        );
    }

    /// The widths the pages are audited at: a phone's and a desktop's
    pub const WIDTHS: [u32; 2] = [390, 1280];

    /// [`assert_accessible`] on the page as it stands, at each of [`WIDTHS`] (the window is
    /// resized, the page not reloaded, so a form's state is kept); the window is left at the
    /// last width
    pub async fn assert_accessible_at_widths(client: &fantoccini::Client, what: &str) {
        for width in WIDTHS {
            client
                .set_window_size(width, 900)
                .await
                .expect("resize the window");
            assert_accessible(client, &format!("{what} at {width}px")).await;
        }
    }
}
