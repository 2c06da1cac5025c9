//! The calculator's script: the form sent as JSON gets the same page a plain form post gets,
//! a JSON post is taken only as one object of texts from this origin, and in headless Chromium
//! the answer replaces the page's main part without the page being loaded again.

#![cfg(unix)]

use std::net::SocketAddr;

use fantoccini::Locator;
use policy_tests::browser::{assert_accessible, with_chromium, WAIT};
use serde_json::json;

fn start() -> SocketAddr {
    policy_tests::serve_on(&policy_tests::suzhou_pack(), None, 8 << 20)
}

/// The tech-transfer purchase of the issue: paid 1,234,567.85 of a 3,000,000 contract
const FIELDS: [(&str, &str); 7] = [
    ("kind", "tech_transfer"),
    ("year", "2025"),
    ("applicant.name", "宿州某科技有限公司"),
    ("applicant.in_city", "true"),
    ("seller_in_city", "false"),
    ("contract_amount", "3000000"),
    ("paid_amount", "1234567.85"),
];

fn post(addr: SocketAddr, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    let (status, _, body) = policy_tests::http_with(addr, "POST", "/", headers, body);
    (status, body)
}

const JSON: (&str, &str) = ("Content-Type", "application/json");

#[test]
fn the_form_sent_as_json_gets_the_page_a_plain_form_post_gets() {
    let addr = start();
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in FIELDS {
        form.append_pair(k, v);
    }
    let (s1, plain) = post(
        addr,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.finish().as_bytes(),
    );
    let object: serde_json::Map<String, serde_json::Value> = FIELDS
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let (s2, scripted) = post(
        addr,
        &[JSON],
        serde_json::to_vec(&object).unwrap().as_slice(),
    );
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(plain, scripted);
    assert!(scripted.contains("123,456.79 元"), "{scripted}");
    // Numbers and booleans are taken as the texts a form would hold.
    let (s3, typed) = post(
        addr,
        &[JSON],
        r#"{"kind":"tech_transfer","year":2025,"applicant.name":"宿州某科技有限公司","applicant.in_city":true,"seller_in_city":false,"contract_amount":3000000,"paid_amount":1234567.85}"#.as_bytes(),
    );
    assert_eq!(s3, 200);
    assert_eq!(typed, plain);
}

#[test]
fn a_json_post_is_one_object_of_texts_from_this_origin() {
    let addr = start();
    let refused = [
        &br#"[["kind","tech_transfer"]]"#[..],
        br#"{"kind":"tech_transfer","kind":"incubator"}"#,
        br#"{"kind":"tech_transfer","applicant":{"name":"x"}}"#,
        br#"{"kind":null}"#,
        br#"{"kind":"tech_transfer""#,
        b"",
    ];
    for body in refused {
        let (status, page) = post(addr, &[JSON], body);
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(body));
        assert!(
            page.contains("JSON 提交应为一个对象"),
            "{}: {page}",
            String::from_utf8_lossy(body)
        );
    }
    let (status, _, page) = policy_tests::http_with(
        addr,
        "POST",
        "/?lang=en",
        &[JSON],
        br#"{"kind":"tech_transfer","kind":"incubator"}"#,
    );
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("no field given twice"), "{page}");
    // Another site's script may not post it.
    let (status, _) = post(
        addr,
        &[
            JSON,
            ("Origin", "http://elsewhere.example"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
        br#"{"kind":"tech_transfer"}"#,
    );
    assert_eq!(status, 403);
    let (status, page) = post(
        addr,
        &[("Content-Type", "text/plain")],
        b"kind=tech_transfer",
    );
    assert_eq!(status, 415);
    assert!(page.contains("application/json"), "{page}");
}

#[test]
fn the_script_shows_the_answer_in_place_in_headless_chromium() {
    let addr = start();
    with_chromium(|c| async move {
        c.goto(&format!("http://{addr}/?kind=tech_transfer"))
            .await
            .expect("open the form");
        c.wait()
            .at_most(WAIT)
            .for_element(Locator::Id("f-year"))
            .await
            .expect("the form");
        // A mark on this page's window: a page loaded again would not have it.
        c.execute("window.notReloaded = 42; return true", vec![])
            .await
            .expect("mark");
        for (id, text) in [
            ("f-year", "2025"),
            ("f-applicant-name", "宿州某科技有限公司"),
            ("f-contract_amount", "300万"),
            ("f-paid_amount", "1234567.85"),
        ] {
            c.find(Locator::Id(id))
                .await
                .expect("field")
                .send_keys(text)
                .await
                .expect("type");
        }
        for (id, label) in [("f-applicant-in_city", "是"), ("f-seller_in_city", "否")] {
            c.find(Locator::Id(id))
                .await
                .expect("select")
                .select_by_label(label)
                .await
                .expect("choose");
        }
        c.find(Locator::Css("button[type=submit]"))
            .await
            .expect("button")
            .click()
            .await
            .expect("submit");
        let amount = c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Id("amount"))
            .await
            .expect("the answer")
            .text()
            .await
            .expect("text");
        assert!(amount.starts_with("123,456.79 元"), "{amount}");
        let kept = c
            .execute("return window.notReloaded === 42", vec![])
            .await
            .expect("read the mark");
        assert_eq!(kept, json!(true), "the page was loaded again");
        // The address now reproduces the answer; the focus is on it.
        let url = c.current_url().await.expect("url");
        assert!(
            url.query().is_some_and(|q| q.contains("paid_amount=")),
            "{url}"
        );
        let focused = c
            .execute(
                "return document.activeElement && document.activeElement.id",
                vec![],
            )
            .await
            .expect("focus");
        assert_eq!(focused, json!("result"));
        assert_accessible(&c, "the answer shown by the script").await;
        // A malformed amount: the problem beside its field, in place too.
        let paid = c.find(Locator::Id("f-paid_amount")).await.expect("field");
        paid.clear().await.expect("clear");
        paid.send_keys("abc").await.expect("type");
        c.find(Locator::Css("button[type=submit]"))
            .await
            .expect("button")
            .click()
            .await
            .expect("submit");
        let problem = c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Id("f-paid_amount-error"))
            .await
            .expect("the problem")
            .text()
            .await
            .expect("text");
        assert!(problem.contains("金额"), "{problem}");
        assert!(c.find(Locator::Id("amount")).await.is_err());
        let kept = c
            .execute("return window.notReloaded === 42", vec![])
            .await
            .expect("read the mark");
        assert_eq!(kept, json!(true), "the page was loaded again");
    });
}
