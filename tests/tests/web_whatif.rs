//! The what-if page (情景测算) of `policy serve`: its comparison gives the totals of `policy
//! compare` on the same scenario and applications (the pack's examples, or an upload in each
//! format), a malformed value is named beside its field, an oversized upload or a cross-site
//! post is refused, the scenario and result downloads load, and in a real headless Chromium the
//! page works on a phone's width and a desktop's.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use policy_tests::unescape;
use rust_decimal::Decimal;
use serde_json::Value;

const PACK: &str = "policies/suzhou-future-industries";
/// The provincial R&D platform award (四(二)3), 40万 in the pack
const PROVINCIAL: &str = "rd-platform.provincial";

fn start() -> SocketAddr {
    policy_tests::serve_on(&policy_tests::suzhou_pack(), None, 8 << 20)
}

/// The value of attribute `name` in one tag's text
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + end]))
}

/// The page's parameter fields: (name, value) of every `set:` input, in page order
fn fields(html: &str) -> Vec<(String, String)> {
    html.split("<input")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>')?];
            let name = attr(tag, "name")?;
            name.starts_with("set:")
                .then(|| (name, attr(tag, "value").unwrap_or_default()))
        })
        .collect()
}

/// The form the page shows, with `changes` made and these extra fields
fn form_with(
    html: &str,
    changes: &[(&str, &str)],
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut out = fields(html);
    for (k, v) in changes {
        let name = format!("set:{k}");
        let slot = out.iter_mut().find(|(n, _)| *n == name);
        slot.unwrap_or_else(|| panic!("no field {name}")).1 = v.to_string();
    }
    out.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    out
}

/// The page's form, fetched from `addr`, with the provincial platform award at 60万 and set
/// to run on an uploaded file
fn upload_form_60wan(addr: SocketAddr) -> Vec<(String, String)> {
    let (_, _, page) = get(addr, "/whatif");
    form_with(
        &page,
        &[(PROVINCIAL, "60万")],
        &[("source", "upload"), ("action", "run")],
    )
}

fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    policy_tests::http_with(addr, "GET", path, &[], b"")
}

fn post_urlencoded(addr: SocketAddr, pairs: &[(String, String)]) -> (u16, String, String) {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    policy_tests::http_with(
        addr,
        "POST",
        "/whatif",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        q.finish().as_bytes(),
    )
}

const BOUNDARY: &str = "----whatif-test-7d41";

/// A `multipart/form-data` body of these fields and, if given, a file (name, bytes)
fn multipart(pairs: &[(String, String)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in pairs {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn post_multipart(
    addr: SocketAddr,
    pairs: &[(String, String)],
    file: Option<(&str, &[u8])>,
) -> (u16, String, Vec<u8>) {
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let body = multipart(pairs, file);
    raw_post(addr, &[("Content-Type", &ct)], &body)
}

/// A POST to /whatif whose answer may be binary (a download)
fn raw_post(addr: SocketAddr, headers: &[(&str, &str)], body: &[u8]) -> (u16, String, Vec<u8>) {
    let (status, head, mut body) = policy_tests::http_bytes(addr, "POST", "/whatif", headers, body);
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    (status, head, body)
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}

fn amount(text: &str) -> Decimal {
    let t: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
        .collect();
    t.parse()
        .unwrap_or_else(|_| panic!("not an amount: {text:?}"))
}

/// The three totals the page shows (baseline, scenario, change), from their `data-yuan`
fn page_totals(html: &str) -> [Decimal; 3] {
    ["total-baseline", "total-scenario", "total-change"].map(|id| {
        let at = html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no #{id} in the page"));
        let tag = &html[at..at + html[at..].find('>').expect("tag end")];
        amount(&attr(&format!(" {tag}"), "data-yuan").expect("data-yuan"))
    })
}

/// Per clause id: (baseline, scenario, change) from the page's budget table
fn page_clauses(html: &str) -> BTreeMap<String, [Decimal; 3]> {
    let mut out = BTreeMap::new();
    for row in html.split("<tr>").skip(1) {
        let cells: Vec<String> = row
            .split("<td>")
            .skip(1)
            .map(|c| unescape(c.split("</td>").next().unwrap_or_default()))
            .collect();
        // The budget table: clause, awarded ×2, baseline, scenario, change, percent.
        if cells.len() != 7 {
            continue;
        }
        let Some(id) = cells[0]
            .rsplit_once('（')
            .and_then(|(_, id)| id.strip_suffix('）'))
        else {
            continue;
        };
        out.insert(
            id.to_string(),
            [amount(&cells[3]), amount(&cells[4]), amount(&cells[5])],
        );
    }
    out
}

/// `policy compare --format json` on a scenario file and an input: the totals and per clause
fn cli_compare(scenario: &Path, input: &Path) -> ([Decimal; 3], BTreeMap<String, [Decimal; 3]>) {
    let (code, out, err) = policy_tests::policy(&[
        "compare",
        "--pack",
        PACK,
        "--input",
        &input.to_string_lossy(),
        "--scenario",
        &scenario.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "policy compare: {err}");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    let c = &v["comparisons"][0];
    let three = |l: &Value| {
        ["baseline_amount", "scenario_amount", "change"]
            .map(|k| amount(l[k].as_str().expect("amount as text")))
    };
    let clauses = c["by_clause"]
        .as_array()
        .expect("by_clause")
        .iter()
        .map(|l| (l["key"].as_str().expect("key").to_string(), three(l)))
        .collect();
    (three(&c["total"]), clauses)
}

/// The scenario of 省级研发平台 at 60万, as a file
fn scenario_60wan(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("provincial-60wan.yaml");
    std::fs::write(
        &path,
        format!("name: 省级60万\nset:\n  {PROVINCIAL}: 60万\n"),
    )
    .expect("write");
    path
}

#[test]
fn the_page_over_the_examples_gives_the_totals_of_policy_compare() {
    let addr = start();
    let (status, head, page) = get(addr, "/whatif");
    assert_eq!(status, 200);
    assert!(head.contains("content-security-policy"), "{head}");
    assert!(page.contains("情景测算"), "Chinese by default");
    let provincial = fields(&page)
        .into_iter()
        .find(|(n, _)| n == &format!("set:{PROVINCIAL}"))
        .expect("the provincial platform award is a field");
    assert_eq!(provincial.1, "400000", "its value in force");
    let form = form_with(
        &page,
        &[(PROVINCIAL, "60万")],
        &[("source", "examples"), ("action", "run")],
    );
    let (status, _, result) = post_urlencoded(addr, &form);
    assert_eq!(status, 200);
    let totals = page_totals(&result);
    let clauses = page_clauses(&result);

    let dir = tempfile::tempdir().expect("temp dir");
    let (cli_totals, cli_clauses) = cli_compare(
        &scenario_60wan(dir.path()),
        &policy_tests::suzhou_examples(),
    );
    assert_eq!(totals, cli_totals, "baseline, scenario, change");
    assert_eq!(clauses, cli_clauses, "per clause");
    assert_eq!(
        totals[2],
        Decimal::from(200_000),
        "one provincial platform, 20万 more"
    );
    // The report's charts are on the page, served by its own stylesheet.
    assert!(
        result.contains("figure class=\"chart bars by-clause\""),
        "by-clause chart"
    );
    assert!(
        result.contains("figure class=\"chart bars by-year\""),
        "by-year chart"
    );
    assert!(
        result.contains("新认定省级研发平台奖励（rd-platform.provincial）：400,000 元（40 万元） → 600,000 元（60 万元）"),
        "the change as a person reads it"
    );
    assert!(result.contains("获益 1 项"), "winners and losers");
    assert!(result.contains("变化最大的申报"), "largest changes");
    let (status, head, css) = get(addr, "/assets/charts.css");
    assert_eq!(status, 200);
    assert!(
        head.contains("text/css") && css.contains(".bars .grid"),
        "{head}"
    );

    // The same multipart, as a browser sends the form.
    let (status, _, body) = post_multipart(addr, &form, None);
    assert_eq!(status, 200);
    assert_eq!(page_totals(&String::from_utf8_lossy(&body)), cli_totals);
}

#[test]
fn a_pack_scenario_fills_the_fields() {
    let addr = start();
    let (status, _, page) = get(addr, "/whatif?scenario=provincial-platform-60wan");
    assert_eq!(status, 200);
    let value = fields(&page)
        .into_iter()
        .find(|(n, _)| n == &format!("set:{PROVINCIAL}"))
        .map(|(_, v)| v);
    assert_eq!(value.as_deref(), Some("60万"));
    assert!(page.contains("省级研发平台奖励提高到60万"));
    // Structural scenarios are named, not offered as fields.
    assert!(
        page.contains("技术成果转化分段补助"),
        "the structural scenario is named"
    );
    let (_, _, en) = get(addr, "/whatif?lang=en");
    assert!(en.contains("What-if scenarios") && en.contains("lang=\"en\""));
    // In English throughout: the result, and a field's problem.
    let form = form_with(
        &en,
        &[(PROVINCIAL, "60万")],
        &[("lang", "en"), ("action", "run")],
    );
    let (_, _, html) = post_urlencoded(addr, &form);
    assert!(
        html.contains("By clause: baseline and scenario amounts"),
        "English charts"
    );
    assert!(
        html.contains("Baseline total") && html.contains("(+1.40%)"),
        "English totals"
    );
    let form = form_with(
        &en,
        &[(PROVINCIAL, "lots")],
        &[("lang", "en"), ("action", "run")],
    );
    let (_, _, html) = post_urlencoded(addr, &form);
    assert!(html.contains("is not an amount in yuan"), "English problem");
}

#[test]
fn a_malformed_value_is_named_beside_its_field_and_nothing_is_compared() {
    let addr = start();
    let (_, _, page) = get(addr, "/whatif");
    let form = form_with(&page, &[(PROVINCIAL, "六十万")], &[("action", "run")]);
    let (status, _, html) = post_urlencoded(addr, &form);
    assert_eq!(status, 200);
    assert!(!html.contains("id=\"result\""), "no result");
    let field = html
        .find("name=\"set:rd-platform.provincial\"")
        .expect("the field");
    let after = &html[field..];
    let error = after
        .find("class=\"error\"")
        .expect("an error beside the field");
    let next_field = after[1..].find("class=\"field").unwrap_or(after.len());
    assert!(error < next_field, "the message is the field's own");
    let text = &after[error..error + after[error..].find("</p>").expect("end")];
    assert!(text.contains("不是以元为单位的金额"), "{text}");
    assert!(html.contains("有 1 项需要修改"));
    // Nothing changed: said, nothing compared.
    let form = form_with(&page, &[], &[("action", "run")]);
    let (_, _, html) = post_urlencoded(addr, &form);
    assert!(html.contains("没有改动任何参数") && !html.contains("id=\"result\""));
}

#[test]
fn cross_site_posts_and_other_bodies_are_refused() {
    let addr = start();
    let (_, _, page) = get(addr, "/whatif");
    let form = form_with(&page, &[(PROVINCIAL, "60万")], &[("action", "run")]);
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let body = multipart(&form, None);
    for (origin, site) in [
        ("http://evil.example", "cross-site"),
        ("null", "cross-site"),
        ("http://evil.example", "same-site"),
    ] {
        let (status, _, html) = raw_post(
            addr,
            &[
                ("Content-Type", &ct),
                ("Origin", origin),
                ("Sec-Fetch-Site", site),
            ],
            &body,
        );
        assert_eq!(status, 403, "{origin} {site}");
        let html = String::from_utf8_lossy(&html);
        assert!(html.contains("只接受本站页面提交的表单") && !html.contains("id=\"result\""));
    }
    let own = format!("http://{addr}");
    let (status, _, _) = raw_post(
        addr,
        &[
            ("Content-Type", &ct),
            ("Origin", &own),
            ("Sec-Fetch-Site", "same-origin"),
        ],
        &body,
    );
    assert_eq!(status, 200, "this origin's own form");
    let (status, _, _) = raw_post(addr, &[("Content-Type", "application/json")], b"{}");
    assert_eq!(status, 415, "JSON is not this page's form");
}

/// `policy gen` writes the same applications in `format` to `dir`
fn generated(dir: &Path, format: &str) -> std::path::PathBuf {
    let path = dir.join(format!("applications.{format}"));
    let (code, _, err) = policy_tests::policy(&[
        "gen",
        "--pack",
        PACK,
        "--count",
        "300",
        "--seed",
        "7",
        "--format",
        format,
        "--output",
        &path.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "policy gen: {err}");
    path
}

#[test]
fn an_upload_in_each_format_gives_the_totals_of_policy_compare() {
    let addr = start();
    let form = upload_form_60wan(addr);
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = scenario_60wan(dir.path());
    let mut inputs: Vec<std::path::PathBuf> = ["yaml", "json", "jsonl", "csv", "xlsx"]
        .iter()
        .map(|f| generated(dir.path(), f))
        .collect();
    // The pack's own CSV and workbook: Chinese column names, read through the pack's aliases.
    inputs.push(policy_tests::suzhou_pack().join("examples/applications.csv"));
    inputs.push(policy_tests::suzhou_pack().join("examples/applications.xlsx"));
    let mut generated_totals = Vec::new();
    for input in &inputs {
        let bytes = std::fs::read(input).expect("read");
        let name = input
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let (status, _, body) = post_multipart(addr, &form, Some((&name, &bytes)));
        let html = String::from_utf8_lossy(&body);
        assert_eq!(status, 200, "{name}");
        assert!(
            html.contains("id=\"result\""),
            "{name}: {}",
            &html[..html.len().min(3000)]
        );
        let (cli_totals, cli_clauses) = cli_compare(&scenario, input);
        assert_eq!(page_totals(&html), cli_totals, "{name}");
        assert_eq!(page_clauses(&html), cli_clauses, "{name}");
        if input.starts_with(dir.path()) {
            generated_totals.push(cli_totals);
        }
    }
    // The five formats hold the same applications: one set of totals.
    assert!(
        generated_totals.windows(2).all(|w| w[0] == w[1]),
        "{generated_totals:?}"
    );
    assert!(
        generated_totals[0][2] > Decimal::ZERO,
        "the generated set has provincial platforms"
    );
}

#[test]
fn an_oversized_or_unreadable_upload_is_refused_in_chinese_with_no_result() {
    let addr = start();
    let form = upload_form_60wan(addr);
    // Past the body's bound: refused before it is read.
    let big = vec![b'#'; 3 << 20];
    let (status, _, body) = post_multipart(addr, &form, Some(("big.yaml", &big)));
    let html = String::from_utf8_lossy(&body);
    assert_eq!(status, 413);
    assert!(html.contains("上传文件不超过 2 MiB"), "{html}");
    assert!(!html.contains("id=\"result\""));
    // Within the body's bound but past the file's: said beside the file field.
    let big = vec![b'#'; (2 << 20) + 1024];
    let (status, _, body) = post_multipart(addr, &form, Some(("big.yaml", &big)));
    let html = String::from_utf8_lossy(&body);
    assert_eq!(status, 200);
    assert!(
        html.contains("id=\"file-error\"") && html.contains("文件过大"),
        "{html}"
    );
    assert!(!html.contains("id=\"result\""));
    // More applications than a request may have (10,000 by default).
    let rows = "{}\n".repeat(10_001);
    let (status, _, body) = post_multipart(addr, &form, Some(("many.jsonl", rows.as_bytes())));
    let html = String::from_utf8_lossy(&body);
    assert_eq!(status, 200);
    assert!(html.contains("申报过多：10001 条，至多 10000 条"), "{html}");
    assert!(!html.contains("id=\"result\""));
    // No file, an unknown format, a file that is no list of applications.
    for (file, said) in [
        (None, "请选择要上传的文件"),
        (Some(("a.txt", &b"x"[..])), "无法识别文件格式"),
        (Some(("a.json", &b"{not json"[..])), "无法读取文件"),
        (Some(("a.xlsx", &b"PK not a zip"[..])), "无法读取文件"),
    ] {
        let (status, _, body) = post_multipart(addr, &form, file);
        let html = String::from_utf8_lossy(&body);
        assert_eq!(status, 200);
        assert!(html.contains(said), "{said}");
        assert!(!html.contains("id=\"result\""), "{said}");
    }
}

#[test]
fn the_scenario_download_loads_with_policy_compare_and_the_result_is_a_workbook() {
    let addr = start();
    let before = listing(&policy_tests::suzhou_pack());
    let (_, _, page) = get(addr, "/whatif");
    let name = "省级平台 60万 \"试算\"";
    let form = form_with(
        &page,
        &[(PROVINCIAL, "60万")],
        &[("source", "examples"), ("action", "yaml"), ("name", name)],
    );
    let (status, head, yaml) = post_multipart(addr, &form, None);
    assert_eq!(status, 200);
    assert!(
        head.contains("content-disposition: attachment; filename=\"scenario.yaml\""),
        "{head}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let downloaded = dir.path().join("downloaded.yaml");
    std::fs::write(&downloaded, &yaml).expect("write");
    let scenario = policy_engine::Scenario::load(&downloaded).expect("the scenario loads");
    assert_eq!(scenario.name, name);
    assert_eq!(scenario.changes.len(), 1, "only the value changed is set");
    let examples = policy_tests::suzhou_examples();
    let from_download = cli_compare(&downloaded, &examples);
    let from_hand = cli_compare(&scenario_60wan(dir.path()), &examples);
    assert_eq!(from_download, from_hand);

    // The result as a workbook: by_clause (with the total), by_year and largest sheets.
    let form = form_with(
        &page,
        &[(PROVINCIAL, "60万")],
        &[("source", "examples"), ("action", "xlsx")],
    );
    let (status, head, xlsx) = post_multipart(addr, &form, None);
    assert_eq!(status, 200);
    assert!(head.contains("spreadsheetml"), "{head}");
    assert!(xlsx.starts_with(b"PK"), "a zip");
    let book = dir.path().join("whatif.xlsx");
    std::fs::write(&book, &xlsx).expect("write");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&xlsx)).expect("a valid zip");
    let mut workbook = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/workbook.xml").expect("a workbook part"),
        &mut workbook,
    )
    .expect("read");
    for sheet in ["by_clause", "by_year", "largest"] {
        assert!(workbook.contains(&format!("name=\"{sheet}\"")), "{sheet}");
    }
    // Read back by the engine's own workbook reader: the first sheet's rows, by header.
    let rows = policy_engine::InputFile::new(&book, Some(policy_engine::InputFormat::Xlsx))
        .and_then(|f| f.read_all())
        .expect("the workbook reads back");
    let (totals, clauses) = from_hand;
    let mut seen = BTreeMap::new();
    for r in &rows {
        let key = r.text("key").expect("key").to_string();
        let three =
            ["baseline_amount", "scenario_amount", "change"].map(|k| amount(r.text(k).expect(k)));
        seen.insert(key, three);
    }
    assert_eq!(seen.remove("total"), Some(totals));
    assert_eq!(seen, clauses);
    assert_eq!(
        listing(&policy_tests::suzhou_pack()),
        before,
        "the pack is untouched"
    );
}

/// Every file under `dir` with its size and modification time
fn listing(dir: &Path) -> Vec<(std::path::PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let meta = e.metadata().expect("metadata");
        if meta.is_dir() {
            out.extend(listing(&e.path()));
        } else {
            out.push((e.path(), meta.len(), meta.modified().expect("mtime")));
        }
    }
    out.sort();
    out
}

/// WCAG 2's contrast ratio of a `#rrggbb` or `#rgb` colour against white
fn contrast_on_white(hex: &str) -> f64 {
    let h = hex.trim_start_matches('#');
    let h = if h.len() == 3 {
        h.chars().flat_map(|c| [c, c]).collect()
    } else {
        h.to_string()
    };
    let channel = |i: usize| {
        let v = f64::from(u8::from_str_radix(&h[i..i + 2], 16).expect("hex")) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let lum = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
    1.05 / (lum + 0.05)
}

#[test]
fn the_charts_grey_for_a_target_not_measured_passes_contrast() {
    assert!(contrast_on_white("#777") < 4.5, "the old grey, 4.48:1");
    assert!(contrast_on_white("#767676") >= 4.5);
    let (status, _, css) = get(start(), "/assets/charts.css");
    assert_eq!(status, 200);
    let rule = css
        .split_once(".value.na {")
        .and_then(|(_, r)| r.split_once('}'))
        .map(|(r, _)| r)
        .expect("the rule for a value not measured");
    let colour = rule
        .split_once("color:")
        .map(|(_, c)| c.trim().trim_end_matches(';').trim())
        .expect("its colour");
    let ratio = contrast_on_white(colour);
    assert!(ratio >= 4.5, "{colour} on white is {ratio:.2}:1");
}

// ---- In a real browser ----

use policy_tests::browser::{screenshots, with_chromium, WAIT};
use std::time::Duration;

/// `policy compare`'s totals (baseline, scenario, change) with 省级研发平台 at 60万 over the
/// pack's examples
fn totals_60wan() -> [Decimal; 3] {
    let dir = tempfile::tempdir().expect("temp dir");
    cli_compare(
        &scenario_60wan(dir.path()),
        &policy_tests::suzhou_examples(),
    )
    .0
}

#[test]
fn the_what_if_page_works_in_headless_chromium() {
    let expected = totals_60wan();
    let addr = start();
    with_chromium(|c| in_browser(c, addr, expected));
}

/// Every text's contrast with the background it sits on (WCAG 2 relative luminance): the
/// lowest ratio on the page and where
const CONTRAST: &str = r#"
function lum(c) {
  const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function bg(e) {
  for (; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    const m = c.match(/[\d.]+/g);
    if (m && (m.length < 4 || Number(m[3]) > 0)) return c;
  }
  return 'rgb(255, 255, 255)';
}
let worst = [21, ''];
for (const e of document.querySelectorAll('body *')) {
  const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own || !e.getClientRects().length) continue;
  const a = lum(getComputedStyle(e).color), b = lum(bg(e));
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < worst[0]) worst = [ratio, e.tagName + '.' + e.className + ': ' + e.textContent.trim().slice(0, 30)];
}
return worst;
"#;

/// Whether Chinese renders as glyphs: two different characters drawn in the page's font give
/// different pixels with ink (a missing font draws the same empty box for both)
const GLYPHS: &str = r#"
const font = getComputedStyle(document.body).font;
function draw(ch) {
  const c = document.createElement('canvas'); c.width = 40; c.height = 40;
  const x = c.getContext('2d'); x.font = font.replace(/\d+px/, '32px'); x.fillText(ch, 2, 32);
  const d = x.getImageData(0, 0, 40, 40).data;
  let ink = 0; for (let i = 3; i < d.length; i += 4) ink += d[i] > 0;
  return [c.toDataURL(), ink];
}
const [a, inkA] = draw('情'), [b, inkB] = draw('景');
return a !== b && inkA > 20 && inkB > 20;
"#;

async fn in_browser(c: fantoccini::Client, addr: SocketAddr, expected: [Decimal; 3]) {
    use fantoccini::Locator;
    use serde_json::json;

    let base = format!("http://{addr}");
    let shots = screenshots(env!("CARGO_TARGET_TMPDIR"));

    c.goto(&format!("{base}/whatif"))
        .await
        .expect("open /whatif");
    assert_eq!(c.title().await.expect("title"), "情景测算");
    // Every field has its label, the file input too.
    let unlabelled = c
        .execute(
            "return [...document.querySelectorAll('input:not([type=hidden]), select')]\
             .filter(e => !e.id || !document.querySelector('label[for=\"' + e.id + '\"]'))\
             .map(e => e.name)",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(unlabelled, json!([]), "fields without a label");
    policy_tests::browser::assert_accessible_at_widths(&c, "/whatif, blank").await;

    // A malformed value: named beside its field, the page still passes the audit.
    send_provincial(&c, "abc", Locator::Css(".field.invalid .error")).await;
    policy_tests::browser::assert_accessible_at_widths(&c, "/whatif, a field in error").await;
    c.set_window_size(1280, 900).await.expect("resize");

    send_provincial(&c, "60万", Locator::Id("result")).await;
    let mut shown = Vec::new();
    for id in ["total-baseline", "total-scenario", "total-change"] {
        let e = c.find(Locator::Id(id)).await.expect(id);
        let yuan = e.attr("data-yuan").await.expect("attr").expect("data-yuan");
        let text = e.text().await.expect("text");
        assert!(text.contains('元'), "{id}: {text}");
        shown.push(amount(&yuan));
    }
    assert_eq!(shown, expected.to_vec(), "the totals of policy compare");
    let change = c
        .find(Locator::Id("total-change"))
        .await
        .expect("change")
        .text()
        .await
        .expect("text");
    assert!(change.starts_with("+200,000.00 元（20 万元）"), "{change}");
    // The fields keep what was entered.
    let kept = c
        .find(Locator::Id("p-rd-platform-provincial"))
        .await
        .expect("field")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("60万"));

    assert_eq!(
        c.execute(GLYPHS, vec![]).await.expect("script"),
        json!(true),
        "Chinese glyphs render"
    );
    let worst = c.execute(CONTRAST, vec![]).await.expect("script");
    let ratio = worst[0].as_f64().unwrap_or(0.0);
    assert!(ratio >= 4.5, "contrast below 4.5:1: {worst}");
    let charts = c
        .find_all(Locator::Css("#result figure.chart"))
        .await
        .expect("find");
    assert!(charts.len() >= 2, "the charts by clause and by year");
    policy_tests::browser::assert_accessible_at_widths(&c, "/whatif, a result").await;

    for (width, name) in [(390, "whatif-390.png"), (1280, "whatif-1280.png")] {
        policy_tests::browser::assert_fits_and_screenshot(&c, width, &shots.join(name)).await;
    }

    // In English: the blank form, and the result of the same change.
    c.goto(&format!("{base}/whatif?lang=en"))
        .await
        .expect("open /whatif in English");
    policy_tests::browser::assert_accessible_at_widths(&c, "/whatif in English, blank").await;
    send_provincial(&c, "60万", Locator::Id("result")).await;
    policy_tests::browser::assert_accessible_at_widths(&c, "/whatif in English, a result").await;
}

#[test]
fn the_what_if_page_works_from_the_keyboard() {
    let expected = totals_60wan();
    let addr = start();
    with_chromium(|c| from_the_keyboard(c, addr, expected));
}

/// What has the focus: its tag, id, the text of its label (or its own text), and its value
const FOCUSED: &str = "const e = document.activeElement;\
    return [e.tagName, e.id, (e.labels && e.labels[0] ? e.labels[0] : e).textContent.trim(), e.value || ''];";

/// Presses Tab until the focus is on an element whose label (or text) contains `label` and
/// whose tag is `tag`; returns its id. Fails after `most` presses.
async fn tab_to(c: &fantoccini::Client, tag: &str, label: &str, most: usize) -> String {
    for _ in 0..most {
        press(c, fantoccini::key::Key::Tab).await;
        let now: Vec<String> =
            serde_json::from_value(c.execute(FOCUSED, vec![]).await.expect("script"))
                .expect("focused");
        if now[0] == tag && now[2].contains(label) {
            return now[1].clone();
        }
    }
    panic!("no {tag} labelled {label} within {most} presses of Tab");
}

/// One key pressed and let go on whatever has the focus (as a person would: sent to an element,
/// the keys for a file input would be taken as a file's name)
async fn press(c: &fantoccini::Client, key: fantoccini::key::Key) {
    use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
    let key = char::from(key);
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    c.perform_actions(keys).await.expect("a key pressed");
}

async fn from_the_keyboard(c: fantoccini::Client, addr: SocketAddr, expected: [Decimal; 3]) {
    use fantoccini::{key::Key, Locator};

    c.goto(&format!("http://{addr}/whatif"))
        .await
        .expect("open /whatif");
    // From the top of the page: Tab to the provincial platform award, type over what it
    // holds (Tab selects a field's text), Tab on to the button, Enter sends.
    let id = tab_to(&c, "INPUT", "省级研发平台", 200).await;
    assert_eq!(id, "p-rd-platform-provincial");
    let field = c.active_element().await.expect("focus");
    field.send_keys("60万").await.expect("type");
    assert_eq!(
        field.prop("value").await.expect("value").as_deref(),
        Some("60万"),
        "what was typed replaces the value in force"
    );
    let button = tab_to(&c, "BUTTON", "测算", 50).await;
    assert_eq!(button, "run");
    press(&c, Key::Enter).await;
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Id("result"))
        .await
        .expect("the result, sent from the keyboard");
    let mut shown = Vec::new();
    for id in ["total-baseline", "total-scenario", "total-change"] {
        let e = c.find(Locator::Id(id)).await.expect(id);
        let yuan = e.attr("data-yuan").await.expect("attr").expect("data-yuan");
        shown.push(amount(&yuan));
    }
    assert_eq!(shown, expected.to_vec(), "the totals of policy compare");
}

/// Types `value` into the provincial platform's field, sends the form with its button and
/// waits for `shown` on the page that comes back
async fn send_provincial(c: &fantoccini::Client, value: &str, shown: fantoccini::Locator<'_>) {
    let field = c
        .find(fantoccini::Locator::Id("p-rd-platform-provincial"))
        .await
        .expect("the provincial platform award");
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
    c.find(fantoccini::Locator::Id("run"))
        .await
        .expect("the button")
        .click()
        .await
        .expect("submit");
    c.wait()
        .at_most(WAIT)
        .for_element(shown)
        .await
        .unwrap_or_else(|e| panic!("{value} sent, {shown:?} is shown: {e}"));
}

#[test]
fn a_comparison_past_the_time_limit_is_stopped_with_no_result() {
    let (tx, rx) = std::sync::mpsc::channel();
    let opts = policy_cli::serve::Options {
        pack: policy_tests::suzhou_pack(),
        addr: "127.0.0.1:0".parse().expect("addr"),
        decision_log: None,
        require_tests: false,
        max_body_bytes: 8 << 20,
        // No time at all: whatever the comparison takes is past it.
        timeout: Duration::ZERO,
    };
    std::thread::spawn(move || policy_cli::serve::serve(opts, Some(tx)));
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the server starts");
    let page = fields_page();
    let form = form_with(
        &page,
        &[(PROVINCIAL, "60万")],
        &[("source", "examples"), ("action", "run")],
    );
    let (status, _, html) = post_urlencoded(addr, &form);
    assert_eq!(status, 503);
    assert!(
        html.contains("时限") || html.contains("服务繁忙"),
        "said in Chinese: {html}"
    );
    assert!(!html.contains("id=\"result\""));
}

/// The page of a server with the default bounds, for its fields
fn fields_page() -> String {
    get(start(), "/whatif").2
}
