//! The web pages of `policy serve` under hostile requests: what a hostile pass over the
//! calculator, the clause browser and the what-if page found, each kept as a regression. Every
//! refusal is a short page in the reader's language with the right status; nothing a visitor
//! sends is silently taken for something else.

#![cfg(unix)]

use std::net::SocketAddr;

fn start() -> SocketAddr {
    policy_tests::serve_on(&policy_tests::suzhou_pack(), None, 8 << 20)
}

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The text of the page's `role="alert"` paragraph
fn alert(html: &str) -> &str {
    let start = html
        .find("role=\"alert\"")
        .unwrap_or_else(|| panic!("no alert in {html}"));
    let from = start + html[start..].find('>').expect("tag end") + 1;
    let end = from + html[from..].find('<').expect("text end");
    &html[from..end]
}

#[test]
fn an_oversized_form_is_refused_in_the_readers_language() {
    let addr = start();
    let body = format!("kind=tech_transfer&paid_amount={}", "9".repeat(100_000));
    let (status, head, html) = policy_tests::http_with(addr, "POST", "/", &[FORM], body.as_bytes());
    assert_eq!(status, 413, "{head}");
    assert!(head.contains("text/html"), "{head}");
    let text = alert(&html);
    assert!(has_cjk(text), "a Chinese reader reads Chinese: {text}");
    assert!(!text.contains("Payload Too Large"), "{text}");

    let (status, _, html) =
        policy_tests::http_with(addr, "POST", "/?lang=en", &[FORM], body.as_bytes());
    assert_eq!(status, 413);
    let text = alert(&html);
    assert!(!has_cjk(text), "{text}");
    assert!(text.contains("64 KiB"), "the bound is named: {text}");
}

#[test]
fn an_unknown_page_or_method_answers_a_short_page_in_the_readers_language() {
    let addr = start();
    let (status, head, html) = policy_tests::http_with(addr, "GET", "/nope", &[], b"");
    assert_eq!(status, 404, "{head}");
    assert!(head.contains("text/html"), "{head}");
    assert!(head.contains("content-security-policy"), "{head}");
    assert!(has_cjk(alert(&html)), "{html}");

    let (status, _, html) = policy_tests::http_with(addr, "GET", "/nope?lang=en", &[], b"");
    assert_eq!(status, 404);
    assert!(!has_cjk(alert(&html)), "{html}");
    // A name that is HTML stays text.
    let (_, _, html) = policy_tests::http_with(addr, "GET", "/%3Cb%3Ex", &[], b"");
    assert!(!html.contains("<b>"), "{html}");

    for (method, path) in [("PUT", "/"), ("DELETE", "/whatif"), ("OPTIONS", "/clauses")] {
        let (status, head, html) = policy_tests::http_with(addr, method, path, &[], b"");
        assert_eq!(status, 405, "{method} {path}: {head}");
        assert!(head.contains("\r\nallow: "), "{method} {path}: {head}");
        assert!(head.contains("text/html"), "{method} {path}: {head}");
        assert!(has_cjk(alert(&html)), "{method} {path}: {html}");
    }

    // The API keeps its own answers: no HTML for a program.
    let (status, head, _) = policy_tests::http_with(addr, "GET", "/v1/nope", &[], b"");
    assert_eq!(status, 404);
    assert!(!head.contains("text/html"), "{head}");
    let (status, head, _) = policy_tests::http_with(addr, "GET", "/v1/decide", &[], b"");
    assert_eq!(status, 405);
    assert!(!head.contains("text/html"), "{head}");
}

/// The what-if page's parameter fields with the values it shows
fn whatif_fields(addr: SocketAddr) -> Vec<(String, String)> {
    let (_, _, html) = policy_tests::http_with(addr, "GET", "/whatif", &[], b"");
    html.split("<input")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>')?];
            let value = |key: &str| {
                let key = format!(" {key}=\"");
                let start = tag.find(&key)? + key.len();
                Some(tag[start..start + tag[start..].find('"')?].to_string())
            };
            let name = value("name")?;
            name.starts_with("set:")
                .then(|| (name, value("value").unwrap_or_default()))
        })
        .collect()
}

const BOUNDARY: &str = "hostile-5e1f";

/// POST /whatif as multipart with these fields and one file part
fn whatif_upload(
    addr: SocketAddr,
    fields: &[(String, String)],
    file: (&str, &[u8]),
) -> (u16, String, String) {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\r\n", file.0)
            .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    policy_tests::http_with(addr, "POST", "/whatif", &[("Content-Type", &ct)], &body)
}

#[test]
fn an_upload_with_no_applications_is_named_beside_the_file_field_not_compared() {
    let addr = start();
    let mut fields = whatif_fields(addr);
    assert!(!fields.is_empty(), "the page shows its parameters");
    for (k, v) in fields.iter_mut() {
        if k == "set:rd-platform.provincial" {
            *v = "600000".into();
        }
    }
    fields.push(("source".into(), "upload".into()));
    for (name, bytes) in [
        ("empty.csv", &b""[..]),
        ("header-only.csv", b"id,kind\n"),
        ("empty.json", b"[]"),
    ] {
        let (status, _, html) = whatif_upload(addr, &fields, (name, bytes));
        assert_eq!(status, 200, "{name}");
        assert!(html.contains("id=\"file-error\""), "{name}: {html}");
        assert!(!html.contains("id=\"result"), "{name}: nothing compared");
    }
}

#[test]
fn an_id_longer_than_a_spreadsheet_cell_is_named_not_a_server_error() {
    let addr = start();
    let mut fields = whatif_fields(addr);
    for (k, v) in fields.iter_mut() {
        if k == "set:rd-platform.provincial" {
            *v = "600000".into();
        }
    }
    fields.push(("source".into(), "upload".into()));
    fields.push(("action".into(), "xlsx".into()));
    let app = serde_json::json!([{
        "id": "X".repeat(40_000),
        "year": 2025,
        "kind": "rd_platform",
        "applicant": { "name": "宿州省级技术创新中心建设单位", "in_city": true },
        "level": "provincial",
        "platform_type": "tech_innovation_center",
        "newly_recognized": true,
    }]);
    let (status, head, html) =
        whatif_upload(addr, &fields, ("long.json", app.to_string().as_bytes()));
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("text/html"), "no workbook: {head}");
    let start = html
        .find("id=\"file-error\"")
        .expect("named beside the file field");
    assert!(
        html[start..].contains("32767"),
        "the bound is named: {html}"
    );
}

#[test]
fn a_field_of_a_megabyte_is_not_echoed_back_whole() {
    let addr = start();
    let mut fields = whatif_fields(addr);
    for (k, v) in fields.iter_mut() {
        if k == "set:rd-platform.provincial" {
            *v = "9".repeat(1 << 20);
        }
    }
    fields.push(("name".into(), "<".repeat(1 << 20)));
    fields.push(("source".into(), "upload".into()));
    let (status, _, html) = whatif_upload(addr, &fields, ("a.csv", b"id,kind\n1,rd_platform\n"));
    assert_eq!(status, 200);
    assert!(
        html.contains("id=\"p-rd-platform-provincial-error\""),
        "the value is refused beside its field"
    );
    assert!(html.len() < 200_000, "the page is {} bytes", html.len());
}

#[test]
fn a_field_that_is_not_utf8_is_named_in_the_refusal() {
    let addr = start();
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(b"\xff\xfe\r\n");
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    for (path, chinese) in [("/whatif", true), ("/whatif?lang=en", false)] {
        let (status, _, html) =
            policy_tests::http_with(addr, "POST", path, &[("Content-Type", &ct)], &body);
        assert_eq!(status, 400, "{path}");
        let text = alert(&html);
        assert!(text.contains("name"), "the field is named: {text}");
        assert!(text.contains("UTF-8"), "{text}");
        assert_eq!(has_cjk(text), chinese, "{text}");
    }
}

/// The `action` of the page's first post form
fn post_action(html: &str) -> String {
    let form = html.find("method=\"post\"").expect("a post form");
    let tag_start = html[..form].rfind("<form").expect("form tag");
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').expect("tag end")];
    let start = tag.find("action=\"").expect("an action") + "action=\"".len();
    tag[start..start + tag[start..].find('"').expect("quote")].replace("&amp;", "&")
}

#[test]
fn an_english_form_refused_before_its_body_is_read_is_refused_in_english() {
    let addr = start();
    for page in [
        "/?kind=tech_transfer&lang=en",
        "/?kind=*&lang=en",
        "/whatif?lang=en",
    ] {
        let (_, _, html) = policy_tests::http_with(addr, "GET", page, &[], b"");
        let action = post_action(&html);
        // Another site's post: refused on its headers, before the body (and its `lang`) is read.
        let (status, _, html) = policy_tests::http_with(
            addr,
            "POST",
            &action,
            &[FORM, ("Origin", "http://elsewhere.example")],
            b"lang=en",
        );
        assert_eq!(status, 403, "{page} → {action}");
        let text = alert(&html);
        assert!(!has_cjk(text), "{page} → {action}: {text}");
    }
}
