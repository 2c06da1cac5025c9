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
    let (status, head, body) = http_bytes(addr, method, path, headers, body);
    (status, head, String::from_utf8_lossy(&body).into_owned())
}

/// [`http_with`] for an answer that may not be text (a download): its body's bytes as they
/// came (chunked framing included)
pub fn http_bytes(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
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
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n");
    let (head, body) = match split {
        Some(at) => (&raw[..at], raw[at + 4..].to_vec()),
        None => (&raw[..], Vec::new()),
    };
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head, body)
}

/// `html` with the five entities the pages escape (`&lt; &gt; &quot; &#39; &amp;`) put back
pub fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// What the browser tests share: headless Chromium driven by chromedriver over WebDriver, its
/// console, the screenshots' folder, and the accessibility audit of a page
#[cfg(unix)]
pub mod browser {
    use std::future::Future;
    use std::os::unix::process::CommandExt as _;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use serde_json::{json, Value};

    /// How long to wait for a page to show an element
    pub const WAIT: Duration = Duration::from_secs(20);

    /// How long a whole browser test may take: a step that never happens fails the test
    /// instead of holding it for ever
    const LIMIT: Duration = Duration::from_secs(180);

    /// Where `name` is on the PATH
    fn found(name: &str) -> Option<String> {
        Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    }

    /// chromedriver in a process group of its own, which the browsers it starts join: the
    /// whole group is stopped when dropped, so a failed test leaves no browser behind
    struct Driver(Child);

    impl Drop for Driver {
        fn drop(&mut self) {
            let group = format!("-{}", self.0.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    /// chromedriver at `path` on a free loopback port, and its address once it listens
    fn start_driver(path: &str) -> (Driver, String) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(path)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver(child);
        let until = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < until, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        (driver, format!("http://127.0.0.1:{port}"))
    }

    /// A WebDriver session of headless Chromium (`browser`, the binary) at 1280×900 with its
    /// console logged, and the profile folder it uses (removed when dropped)
    async fn session(driver: &str, browser: &str) -> (fantoccini::Client, tempfile::TempDir) {
        let profile = tempfile::tempdir().expect("profile");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"binary": browser, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ]}),
        );
        caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = fantoccini::ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(driver)
            .await
            .expect("a WebDriver session");
        (client, profile)
    }

    /// Runs `test` on a new session of headless Chromium (1280×900), then checks the console
    /// stayed clean (no failed load, no CSP refusal, no error) and closes the session; all of
    /// it within three minutes. Where chromium or chromedriver is missing it prints why and
    /// returns, but fails on CI (`CI` set), which must have them.
    pub fn with_chromium<F, Fut>(test: F)
    where
        F: FnOnce(fantoccini::Client) -> Fut,
        Fut: Future<Output = ()>,
    {
        let (Some(driver), Some(browser)) = (found("chromedriver"), found("chromium")) else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must have chromium and chromium-driver (.ci/run installs them)"
            );
            eprintln!("skipped: no chromedriver or chromium on this machine (apt-get install chromium-driver)");
            return;
        };
        let (_driver, url) = start_driver(&driver);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime
            .block_on(async {
                tokio::time::timeout(LIMIT, async {
                    let (c, _profile) = session(&url, &browser).await;
                    test(c.clone()).await;
                    assert_console_clean(&c).await;
                    c.close().await.expect("close the session");
                })
                .await
            })
            .expect("the browser test finishes within 3 minutes");
    }

    /// chromedriver's browser log (the console), which WebDriver itself does not name
    #[derive(Debug)]
    struct BrowserLog;

    impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
        fn endpoint(
            &self,
            base: &url::Url,
            session: Option<&str>,
        ) -> Result<url::Url, url::ParseError> {
            base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
        }

        fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
            (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
        }
    }

    /// Fails, naming them, if the console has errors since it was last read
    pub async fn assert_console_clean(client: &fantoccini::Client) {
        let log = client.issue_cmd(BrowserLog).await.expect("the browser log");
        let errors: Vec<&Value> = log
            .as_array()
            .map(|a| a.iter().filter(|e| e["level"] == "SEVERE").collect())
            .unwrap_or_default();
        assert!(errors.is_empty(), "console errors: {errors:?}");
    }

    /// The folder the screenshots are saved in, `<target>/screenshots`, made if need be;
    /// `target_tmpdir` is the test's `env!("CARGO_TARGET_TMPDIR")` (`<target>/tmp`), which
    /// cargo gives integration tests and not this library
    pub fn screenshots(target_tmpdir: &str) -> PathBuf {
        let dir = Path::new(target_tmpdir)
            .parent()
            .map_or_else(|| PathBuf::from("screenshots"), |t| t.join("screenshots"));
        std::fs::create_dir_all(&dir).expect("screenshots dir");
        dir
    }

    /// At a window `width` px wide (900 high): fails if the page is wider than the window,
    /// then scrolls the answer (`#result`) into view and saves a PNG screenshot at `path`
    pub async fn assert_fits_and_screenshot(c: &fantoccini::Client, width: u32, path: &Path) {
        c.set_window_size(width, 900).await.expect("resize");
        let overflow = c
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
                vec![],
            )
            .await
            .expect("script");
        assert_eq!(overflow, json!(0), "wider than the window at {width}px");
        c.execute("document.getElementById('result').scrollIntoView()", vec![])
            .await
            .expect("scroll to the result");
        let png = c.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(path, png).expect("save the screenshot");
    }

    /// Presses Tab on the element that has the focus, and returns the one that has it after
    pub async fn tab_on(c: &fantoccini::Client) -> fantoccini::elements::Element {
        c.active_element()
            .await
            .expect("focus")
            .send_keys(&char::from(fantoccini::key::Key::Tab).to_string())
            .await
            .expect("tab");
        c.active_element().await.expect("focus")
    }

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
