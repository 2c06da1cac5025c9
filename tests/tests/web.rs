//! The calculator page (政策计算器) of `policy serve`: its answer is `/v1/explain`'s for the
//! same facts, a malformed value is named beside its field with nothing decided, forms are
//! taken only as this origin's url-encoded posts, and in a real headless Chromium (driven by
//! chromedriver over WebDriver) the page works end to end, on a phone's width and a desktop's.

#![cfg(unix)]

use std::net::SocketAddr;

use policy_tests::unescape;
use serde_json::{json, Value};

const MALFORMED_AMOUNT_ZH: &str = "应为以元为单位的金额，如 1234567.85 或 123.5万";

fn start() -> SocketAddr {
    policy_tests::serve_on(&policy_tests::suzhou_pack(), None, 8 << 20)
}

/// One HTTP/1.1 request with these extra headers; returns (status, headers in lower case, body)
fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, String) {
    policy_tests::http_with(addr, method, path, headers, body)
}

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

fn encode(pairs: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    q.finish()
}

fn post_form(addr: SocketAddr, pairs: &[(&str, &str)]) -> (u16, String) {
    let (status, _, body) = request(addr, "POST", "/", &[FORM], encode(pairs).as_bytes());
    (status, body)
}

/// The text inside the element that opens with `open`, up to `close`
fn inside<'a>(html: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = html.find(open)? + open.len();
    let rest = &html[start..];
    let body_start = rest.find('>')? + 1;
    let rest = &rest[body_start..];
    Some(&rest[..rest.find(close)?])
}

/// The texts of the `<li>`s of the list with this id, unescaped
fn items(html: &str, id: &str) -> Vec<String> {
    let Some((_, rest)) = html.split_once(&format!("id=\"{id}\"")) else {
        return Vec::new();
    };
    let end = ["</ol>", "</ul>"]
        .iter()
        .filter_map(|e| rest.find(e))
        .min()
        .unwrap_or(rest.len());
    rest[..end]
        .split("<li>")
        .skip(1)
        .map(|li| unescape(li.split("</li>").next().unwrap_or_default()))
        .collect()
}

fn status_zh(code: &str) -> &'static str {
    match code {
        "awarded" => "给予奖励",
        "ineligible" => "不予支持",
        "capped" => "超出限额",
        "superseded" => "不重复享受",
        _ => "有错误",
    }
}

/// A case: the form's fields, and the same facts as `/v1/explain` takes them
struct Case {
    form: Vec<(&'static str, &'static str)>,
    facts: Value,
    status: &'static str,
    shown_amount: &'static str,
}

fn cases() -> Vec<Case> {
    let tt = |seller: &'static str, contract: &'static str, paid: &'static str| {
        vec![
            ("kind", "tech_transfer"),
            ("year", "2025"),
            ("applicant.name", "宿州某科技有限公司"),
            ("applicant.in_city", "true"),
            ("seller_in_city", seller),
            ("contract_amount", contract),
            ("paid_amount", paid),
        ]
    };
    let tt_facts = |seller: bool, contract: &str, paid: &str| {
        json!({"id": "calculator", "kind": "tech_transfer", "year": 2025,
            "applicant": {"name": "宿州某科技有限公司", "in_city": true},
            "seller_in_city": seller, "contract_amount": contract, "paid_amount": paid})
    };
    vec![
        Case {
            form: tt("false", "3000000", "1234567.85"),
            facts: tt_facts(false, "3000000", "1234567.85"),
            status: "awarded",
            shown_amount: "123,456.79 元（12.345679 万元）",
        },
        // 万 understood: the same amounts written in 万.
        Case {
            form: tt("false", "300万", "123.456785万"),
            facts: tt_facts(false, "3000000", "1234567.85"),
            status: "awarded",
            shown_amount: "123,456.79 元",
        },
        // The per-item cap of 50万.
        Case {
            form: tt("false", "9000000", "8000000"),
            facts: tt_facts(false, "9000000", "8000000"),
            status: "awarded",
            shown_amount: "500,000.00 元（50 万元）",
        },
        Case {
            form: tt("true", "3000000", "1234567.85"),
            facts: tt_facts(true, "3000000", "1234567.85"),
            status: "ineligible",
            shown_amount: "0.00 元",
        },
        Case {
            form: vec![
                ("kind", "competition_award"),
                ("year", "2025"),
                ("applicant.name", "某公司"),
                ("applicant.in_city", "true"),
                ("prize", "second"),
            ],
            facts: json!({"id": "calculator", "kind": "competition_award", "year": 2025,
                "applicant": {"name": "某公司", "in_city": true}, "prize": "second"}),
            status: "awarded",
            shown_amount: "30,000.00 元（3 万元）",
        },
        // The pack's precondition: not in the city, nothing from any clause.
        Case {
            form: vec![
                ("kind", "competition_award"),
                ("year", "2025"),
                ("applicant.name", "某公司"),
                ("applicant.in_city", "false"),
                ("prize", "first"),
            ],
            facts: json!({"id": "calculator", "kind": "competition_award", "year": 2025,
                "applicant": {"name": "某公司", "in_city": false}, "prize": "first"}),
            status: "ineligible",
            shown_amount: "0.00 元",
        },
    ]
}

#[test]
fn the_calculator_answers_as_v1_explain_does() {
    let addr = start();
    for case in cases() {
        let (code, page) = post_form(addr, &case.form);
        assert_eq!(code, 200, "{:?}\n{page}", case.form);
        let x = explain(addr, &case.facts);
        let d = &x["decision"];
        assert_eq!(d["status"], case.status, "{:?}", case.form);

        let status = inside(&page, "id=\"status\"", "</dd>").expect("a status");
        assert_eq!(status, status_zh(case.status), "{:?}", case.form);
        let amount = d["amount"].as_str().expect("amount");
        assert!(
            page.contains(&format!("data-yuan=\"{amount}\"")),
            "{amount}: {page}"
        );
        let shown = inside(&page, "id=\"amount\"", "</dd>").expect("an amount");
        assert!(shown.starts_with(case.shown_amount), "{shown}");
        let want: Vec<String> = x["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .map(|s| s.as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(items(&page, "steps"), want, "{:?}", case.form);
        let want: Vec<String> = d["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .map(|s| s.as_str().unwrap_or_default().to_string())
            .collect();
        assert!(!want.is_empty());
        assert_eq!(items(&page, "reasons"), want, "{:?}", case.form);
        if let Some(text) = x["clause"]["text"].as_str() {
            let article = inside(&page, "id=\"article\"", "</dd>").expect("the article");
            assert!(unescape(article).contains(text), "{article}");
            assert!(article.starts_with(x["clause"]["article"].as_str().unwrap_or("?")));
        }

        // The link on the page asks the same question again, with the facts in its query.
        let link = inside(&page, "id=\"permalink\"", "</a>").expect("a link");
        let link = unescape(link);
        assert!(link.starts_with("/?kind="), "{link}");
        let (code, _, again) = request(addr, "GET", &link, &[], b"");
        assert_eq!(code, 200);
        assert_eq!(
            inside(&again, "id=\"result\"", "</section>"),
            inside(&page, "id=\"result\"", "</section>"),
            "{link}"
        );
    }
}

#[test]
fn a_malformed_value_is_named_beside_its_field_and_nothing_is_decided() {
    let addr = start();
    let mut form = cases().remove(0).form;
    form.retain(|(k, _)| *k != "paid_amount" && *k != "year");
    form.push(("paid_amount", "abc"));
    let (code, page) = post_form(addr, &form);
    // The form again, to correct: a page answered, not a failed request.
    assert_eq!(code, 200, "{page}");
    assert!(!page.contains("id=\"result\""), "no decision: {page}");
    // Beside the field: inside its own block, after its input, which points to it.
    let block = page
        .split("<div class=\"field")
        .find(|b| b.contains("id=\"f-paid_amount\""))
        .expect("the field");
    assert!(block.contains("aria-invalid=\"true\""), "{block}");
    assert!(block.contains("aria-describedby=\"f-paid_amount-error\""));
    assert_eq!(
        inside(block, "id=\"f-paid_amount-error\"", "</p>"),
        Some(MALFORMED_AMOUNT_ZH)
    );
    let year = page
        .split("<div class=\"field")
        .find(|b| b.contains("id=\"f-year\""))
        .expect("the year");
    assert!(
        year.contains("请填写此项"),
        "a required field left empty: {year}"
    );
    // What was typed stays in the form, to be corrected.
    assert!(block.contains("value=\"abc\""));
    assert!(page.contains("有 2 项需要修改"));

    // In English, the same in English.
    form.push(("lang", "en"));
    let (_, page) = post_form(addr, &form);
    assert!(page.contains("an amount in yuan, e.g. 1234567.85 or 123.5万"));
    assert!(page.contains("<html lang=\"en\">"));
}

#[test]
fn the_page_lists_the_kinds_and_makes_forms_from_their_fields() {
    let addr = start();
    let (code, head, page) = request(addr, "GET", "/", &[], b"");
    assert_eq!(code, 200);
    assert!(head.contains("content-type: text/html; charset=utf-8"));
    assert!(head.contains("content-security-policy: default-src 'none'"));
    assert!(page.contains("<title>政策计算器</title>"));
    assert!(page.contains("<a href=\"/?kind=tech_transfer\">购买市外先进技术成果在宿转化</a>"));
    let (_, _, page) = request(addr, "GET", "/?kind=rd_platform", &[], b"");
    // A one-of with the Chinese labels its description lists, required marked.
    assert!(
        page.contains("<option value=\"provincial\">省级</option>"),
        "{page}"
    );
    assert!(page.contains("<label for=\"f-level\">平台级别<span class=\"req\""));
    // A bool as yes / no.
    assert!(page.contains("<option value=\"true\">是</option>"));
    // Every input and select has its label.
    for id in page.split(" id=\"f-").skip(1) {
        let id = id.split('"').next().unwrap_or_default();
        if id.ends_with("-error") {
            continue;
        }
        assert!(page.contains(&format!("<label for=\"f-{id}\">")), "f-{id}");
    }
    let (code, _, page) = request(addr, "GET", "/?kind=nothing", &[], b"");
    assert_eq!(code, 404);
    assert!(page.contains("没有这一申报类别：nothing"));
    for asset in ["/assets/style.css", "/assets/print.css", "/assets/icon.svg"] {
        let (code, _, body) = request(addr, "GET", asset, &[], b"");
        assert_eq!(code, 200, "{asset}");
        assert!(!body.is_empty());
    }
}

#[test]
fn forms_are_taken_only_url_encoded_from_this_origin_and_bounded() {
    let addr = start();
    let body = encode(&cases().remove(0).form);
    let (code, _, page) = request(
        addr,
        "POST",
        "/",
        &[("Content-Type", "text/plain")],
        body.as_bytes(),
    );
    assert_eq!(code, 415);
    assert!(
        page.contains("此页只接受 application/x-www-form-urlencoded 表单或 application/json 提交")
    );
    // A form's fields url-encoded under a JSON type are not a JSON object: refused.
    let (code, _, page) = request(
        addr,
        "POST",
        "/",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(code, 400);
    assert!(page.contains("JSON 提交应为一个对象"));
    let (code, _, page) = request(
        addr,
        "POST",
        "/",
        &[FORM, ("Origin", "http://elsewhere.example")],
        body.as_bytes(),
    );
    assert_eq!(code, 403);
    assert!(page.contains("只接受本站页面提交的表单"));
    let (code, _, _) = request(
        addr,
        "POST",
        "/",
        &[FORM, ("Sec-Fetch-Site", "cross-site")],
        body.as_bytes(),
    );
    assert_eq!(code, 403);
    let own = format!("http://{addr}");
    let (code, _, _) = request(
        addr,
        "POST",
        "/",
        &[FORM, ("Origin", &own), ("Sec-Fetch-Site", "same-origin")],
        body.as_bytes(),
    );
    assert_eq!(code, 200);
    let big = format!("{body}&pad={}", "x".repeat(70 << 10));
    let (code, _, _) = request(addr, "POST", "/", &[FORM], big.as_bytes());
    assert_eq!(code, 413);
    // A value past the field's length bound is named, not cut.
    let long = "1".repeat(1001);
    let mut form = cases().remove(0).form;
    form.retain(|(k, _)| *k != "applicant.name");
    form.push(("applicant.name", &long));
    let (code, page) = post_form(addr, &form);
    assert_eq!(code, 200);
    assert!(page.contains("内容过长"));
    assert!(!page.contains("id=\"result\""));
}

/// The block of one kind's answer on the across-every-kind page
fn kind_block<'a>(page: &'a str, kind: &str) -> &'a str {
    let open = format!("id=\"answer-{kind}\"");
    let start = page
        .find(&open)
        .unwrap_or_else(|| panic!("no answer for {kind}"));
    let rest = &page[start..];
    &rest[..rest.find("</article>").unwrap_or(rest.len())]
}

/// The facts of the across-every-kind form, as the page takes them
const EVERY_KIND_FORM: &[(&str, &str)] = &[
    ("kind", "*"),
    ("year", "2025"),
    ("applicant.name", "宿州某科技有限公司"),
    ("applicant.in_city", "true"),
    ("scenario_case:selected", "true"),
    ("scenario_case:score", "90"),
    ("rd_platform:level", "provincial"),
    ("rd_platform:platform_type", "key_lab"),
    ("rd_platform:newly_recognized", "true"),
    ("talent_team:tier", "2"),
    ("tech_transfer:seller_in_city", "false"),
    ("tech_transfer:contract_amount", "300万"),
    ("tech_transfer:paid_amount", "1234567.85"),
    ("incubator:level", "city"),
    ("incubator:newly_recognized", "false"),
    ("competition_award:prize", "second"),
];

/// Each kind the form answers, with its facts as `/v1/explain` takes them (besides the
/// shared ones); the academician station and the high-tech enterprise are left unanswered
fn every_kind_facts() -> Vec<(&'static str, Value)> {
    vec![
        ("scenario_case", json!({"selected": true, "score": "90"})),
        (
            "rd_platform",
            json!({"level": "provincial", "platform_type": "key_lab", "newly_recognized": true}),
        ),
        ("talent_team", json!({"tier": 2})),
        (
            "tech_transfer",
            json!({"seller_in_city": false, "contract_amount": "3000000", "paid_amount": "1234567.85"}),
        ),
        // Its own level and recognition, not the R&D platform's.
        (
            "incubator",
            json!({"level": "city", "newly_recognized": false}),
        ),
        ("competition_award", json!({"prize": "second"})),
    ]
}

fn explain(addr: SocketAddr, facts: &Value) -> Value {
    let ask = json!({"id": "calculator", "applications": [facts]}).to_string();
    let (code, _, body) = request(
        addr,
        "POST",
        "/v1/explain",
        &[("Content-Type", "application/json")],
        ask.as_bytes(),
    );
    assert_eq!(code, 200, "{body}");
    let x: Value = serde_json::from_str(&body).expect("JSON");
    x["explanation"].clone()
}

#[test]
fn every_kind_at_once_answers_each_kind_as_v1_explain_does() {
    use rust_decimal::Decimal;
    let addr = start();
    let (code, page) = post_form(addr, EVERY_KIND_FORM);
    assert_eq!(code, 200, "{page}");
    let mut sum = Decimal::ZERO;
    for (kind, own) in every_kind_facts() {
        let mut facts = json!({"id": "calculator", "kind": kind, "year": 2025,
            "applicant": {"name": "宿州某科技有限公司", "in_city": true}});
        for (k, v) in own.as_object().expect("facts") {
            facts[k] = v.clone();
        }
        let x = explain(addr, &facts);
        let d = &x["decision"];
        let block = kind_block(&page, kind);
        let status = d["status"].as_str().expect("status");
        assert!(
            block.contains(&format!(">{}</dd>", status_zh(status))),
            "{kind}: {status}: {block}"
        );
        let amount = d["amount"].as_str().expect("amount");
        assert!(
            block.contains(&format!("data-yuan=\"{amount}\"")),
            "{kind}: {amount}: {block}"
        );
        if let Some(article) = x["clause"]["article"].as_str() {
            assert!(block.contains(article), "{kind}: {article}: {block}");
        }
        sum += amount.parse::<Decimal>().expect("an amount");
        // The link to the kind's own page gives the same decision, explained in full.
        let link = block
            .split("class=\"full\" href=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(unescape)
            .expect("a link to the kind's page");
        let (code, _, own_page) = request(addr, "GET", &link, &[], b"");
        assert_eq!(code, 200, "{link}");
        assert!(
            own_page.contains(&format!("data-yuan=\"{amount}\"")),
            "{link}"
        );
    }
    assert!(sum > Decimal::ZERO);
    let total = page
        .split("id=\"total\" data-yuan=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a total");
    assert_eq!(total.parse::<Decimal>().expect("total"), sum);

    // Kinds whose own questions were left empty are named, not decided.
    for kind in ["academician_station", "high_tech_enterprise"] {
        let block = kind_block(&page, kind);
        assert!(block.contains("未计算：缺少"), "{kind}: {block}");
        assert!(!block.contains("data-yuan"), "{kind}: {block}");
    }
    // A count limit: the award is subject to ranking, N per period.
    let case = kind_block(&page, "scenario_case");
    assert!(
        case.contains("须参与排名：每评审年度至多 10 项，按评审得分从高到低排序"),
        "{case}"
    );
    assert!(
        !kind_block(&page, "tech_transfer").contains("须参与排名"),
        "no limit on tech transfer"
    );

    // The permalink asks the same again.
    let link = inside(&page, "id=\"permalink\"", "</a>")
        .map(unescape)
        .expect("a link");
    assert!(link.starts_with("/?kind=*"), "{link}");
    let (code, _, again) = request(addr, "GET", &link, &[], b"");
    assert_eq!(code, 200);
    assert_eq!(
        inside(&again, "id=\"result\"", "</section>"),
        inside(&page, "id=\"result\"", "</section>")
    );

    // A field every kind uses is asked once; each kind's own fields apart, under its title.
    let (_, _, blank) = request(addr, "GET", "/?kind=*", &[], b"");
    assert_eq!(blank.matches("name=\"year\"").count(), 1);
    assert!(blank.contains("<legend>基本信息（全部类别都用）</legend>"));
    assert!(blank.contains("<legend>科技企业孵化器</legend>"));
    for name in [
        "rd_platform:level",
        "incubator:level",
        "academician_station:level",
    ] {
        assert!(blank.contains(&format!("name=\"{name}\"")), "{name}");
    }
    assert!(!blank.contains("id=\"result\""));
    let (_, _, kinds) = request(addr, "GET", "/", &[], b"");
    assert!(kinds.contains("href=\"/?kind=*\""));

    // A malformed value: beside its field, nothing decided.
    let mut bad: Vec<(&str, &str)> = EVERY_KIND_FORM
        .iter()
        .filter(|(k, _)| *k != "tech_transfer:paid_amount" && *k != "year")
        .copied()
        .collect();
    bad.push(("tech_transfer:paid_amount", "abc"));
    let (code, page) = post_form(addr, &bad);
    assert_eq!(code, 200);
    assert!(!page.contains("id=\"result\""), "{page}");
    assert_eq!(
        inside(&page, "id=\"f-tech_transfer-paid_amount-error\"", "</p>"),
        Some(MALFORMED_AMOUNT_ZH)
    );
    assert!(page.contains("id=\"f-year-error\""), "the year is required");

    // In English.
    let mut en = EVERY_KIND_FORM.to_vec();
    en.push(("lang", "en"));
    let (_, page) = post_form(addr, &en);
    assert!(page.contains("Which awards might my enterprise get?"));
    assert!(
        page.contains("Subject to ranking: at most 10 per"),
        "{page}"
    );
}

#[test]
fn a_single_answer_shows_its_count_limit_and_settlement_rules() {
    let addr = start();
    let (_, page) = post_form(
        addr,
        &[
            ("kind", "scenario_case"),
            ("year", "2025"),
            ("applicant.name", "某公司"),
            ("applicant.in_city", "true"),
            ("selected", "true"),
            ("score", "88"),
        ],
    );
    let limits = items(&page, "limits");
    assert_eq!(limits.len(), 1, "{page}");
    assert!(
        limits[0].starts_with("须参与排名：每评审年度至多 10 项"),
        "{limits:?}"
    );
    // The language switch keeps the facts: the other language's page answers the same.
    assert!(page.contains("href=\"/?lang=en&amp;kind=scenario_case&amp;year=2025"));

    // A pack with settlement rules: the rules on the clause, as notes.
    let pack = policy_tests::root().join("policies/xianju-tech-innovation");
    let addr = policy_tests::serve_on(&pack, None, 8 << 20);
    let cooperation = [
        ("kind", "research_cooperation"),
        ("year", "2025"),
        ("applicant.name", "仙居甲药业有限公司"),
        ("academic_partner", "true"),
        ("agreement_signed", "true"),
        ("paid_amount", "400000"),
    ];
    let (_, page) = post_form(addr, &cooperation);
    let limits = items(&page, "limits");
    assert!(
        limits
            .iter()
            .any(|l| l.contains("合计上限") && l.contains("300,000 元（30 万元）")),
        "{limits:?}\n{page}"
    );
    assert!(page.contains("结算规则要合并同一单位的全部申报才能确定"));
    // In English the cap's value and the amount are in English too.
    let english: Vec<(&str, &str)> = [("lang", "en")].into_iter().chain(cooperation).collect();
    let (_, page) = post_form(addr, &english);
    let limits = items(&page, "limits");
    assert!(
        limits.iter().any(|l| l.contains("300,000 yuan (30 万元)")),
        "{limits:?}\n{page}"
    );
    let amount = inside(&page, "id=\"amount\"", "</dd>").expect("an amount");
    assert!(
        amount.ends_with(" 万元)") && amount.contains(" yuan ("),
        "{amount}"
    );
    // Its answer is still /v1/explain's for the same facts.
    let x = explain(
        addr,
        &json!({"id": "calculator", "kind": "research_cooperation", "year": 2025,
            "applicant": {"name": "仙居甲药业有限公司"}, "academic_partner": true,
            "agreement_signed": true, "paid_amount": "400000"}),
    );
    let amount = x["decision"]["amount"].as_str().expect("amount");
    assert!(
        page.contains(&format!("data-yuan=\"{amount}\"")),
        "{amount}"
    );
}

// ---- In a real browser ----

use policy_tests::browser::{screenshots, with_chromium, WAIT};

#[test]
fn the_calculator_works_in_headless_chromium() {
    let addr = start();
    with_chromium(|c| in_browser(c, addr));
}

/// The text of the element `at`, once the page shows it (`what` names it if it never does)
async fn text_when_shown(
    c: &fantoccini::Client,
    at: fantoccini::Locator<'_>,
    what: &str,
) -> String {
    c.wait()
        .at_most(WAIT)
        .for_element(at)
        .await
        .expect(what)
        .text()
        .await
        .expect("text")
}

/// Sends the form by a click on its button
async fn submit(c: &fantoccini::Client) {
    c.find(fantoccini::Locator::Css("button[type=submit]"))
        .await
        .expect("the button")
        .click()
        .await
        .expect("submit");
}

async fn in_browser(c: fantoccini::Client, addr: SocketAddr) {
    use fantoccini::{key::Key, Locator};

    let base = format!("http://{addr}");
    let shots = screenshots(env!("CARGO_TARGET_TMPDIR"));

    // Choose the kind from the list.
    c.goto(&format!("{base}/")).await.expect("open /");
    assert_eq!(c.title().await.expect("title"), "政策计算器");
    c.find(Locator::LinkText("购买市外先进技术成果在宿转化"))
        .await
        .expect("the kind is listed")
        .click()
        .await
        .expect("click");
    let year = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Id("f-year"))
        .await
        .expect("the form");

    // Every field has its label; tab goes through the fields in order.
    let unlabelled = c
        .execute(
            "return [...document.querySelectorAll('input:not([type=hidden]), select')]\
             .filter(e => !document.querySelector('label[for=\"' + e.id + '\"]')).length",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(unlabelled, json!(0));
    year.send_keys("2025").await.expect("type");
    year.send_keys(&char::from(Key::Tab).to_string())
        .await
        .expect("tab");
    let next = c.active_element().await.expect("focus");
    assert_eq!(
        next.attr("id").await.expect("id").as_deref(),
        Some("f-applicant-name")
    );
    next.send_keys("宿州某科技有限公司").await.expect("type");
    c.find(Locator::Id("f-applicant-in_city"))
        .await
        .expect("in_city")
        .select_by_label("是")
        .await
        .expect("select");
    c.find(Locator::Id("f-seller_in_city"))
        .await
        .expect("seller")
        .select_by_label("否")
        .await
        .expect("select");
    c.find(Locator::Id("f-contract_amount"))
        .await
        .expect("contract")
        .send_keys("3000000")
        .await
        .expect("type");
    c.find(Locator::Id("f-paid_amount"))
        .await
        .expect("paid")
        .send_keys("1234567.85")
        .await
        .expect("type");
    submit(&c).await;

    let amount = text_when_shown(&c, Locator::Id("amount"), "the answer").await;
    assert!(amount.starts_with("123,456.79 元"), "{amount}");
    assert!(amount.contains("12.345679 万元"), "{amount}");
    let status = c.find(Locator::Id("status")).await.expect("status");
    assert_eq!(status.text().await.expect("text"), "给予奖励");
    let steps = c
        .find(Locator::Id("steps"))
        .await
        .expect("steps")
        .text()
        .await
        .expect("text");
    assert!(
        steps.contains("min(1234567.85, 3000000) = 1234567.85"),
        "{steps}"
    );
    assert!(steps.contains("1234567.85 × 0.10 = 123456.785"), "{steps}");
    assert!(steps.contains("123456.785 → 123456.79"), "{steps}");
    let article = c.find(Locator::Id("article")).await.expect("article");
    assert!(article
        .text()
        .await
        .expect("text")
        .contains("单项成果补助金额最高50万元"));

    // A phone's width and a desktop's: nothing wider than the window.
    for (width, name) in [
        (1280, "calculator-desktop.png"),
        (390, "calculator-phone.png"),
    ] {
        policy_tests::browser::assert_fits_and_screenshot(&c, width, &shots.join(name)).await;
    }

    // The same form with a malformed amount, sent with Enter from the keyboard.
    c.set_window_size(1280, 900).await.expect("resize");
    c.goto(&format!("{base}/?kind=tech_transfer"))
        .await
        .expect("the form");
    for (id, text) in [
        ("f-year", "2025"),
        ("f-applicant-name", "宿州某科技有限公司"),
        ("f-contract_amount", "3000000"),
    ] {
        c.find(Locator::Id(id))
            .await
            .expect(id)
            .send_keys(text)
            .await
            .expect("type");
    }
    for (id, label) in [("f-applicant-in_city", "是"), ("f-seller_in_city", "否")] {
        c.find(Locator::Id(id))
            .await
            .expect(id)
            .select_by_label(label)
            .await
            .expect("select");
    }
    let paid = c.find(Locator::Id("f-paid_amount")).await.expect("paid");
    paid.send_keys("abc").await.expect("type");
    paid.send_keys(&char::from(Key::Enter).to_string())
        .await
        .expect("enter");
    let message = text_when_shown(
        &c,
        Locator::Css(".field.invalid > #f-paid_amount-error"),
        "the message beside the field",
    )
    .await;
    assert_eq!(message, MALFORMED_AMOUNT_ZH);
    assert!(
        c.find_all(Locator::Id("result"))
            .await
            .expect("find")
            .is_empty(),
        "no decision is shown"
    );
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(shots.join("calculator-malformed.png"), png).expect("save");

    // From the keyboard alone: Tab from the top of the page reaches every link and field and
    // then the button, in the page's order; the fields are filled with keys and Enter sends.
    c.goto(&format!("{base}/?kind=tech_transfer"))
        .await
        .expect("the form");
    let order = c
        .execute(
            "return [...document.querySelectorAll('a[href], input:not([type=hidden]), select, textarea, button')]\
             .map(e => e.id || e.getAttribute('href') || e.textContent)",
            vec![],
        )
        .await
        .expect("script");
    let order: Vec<String> = serde_json::from_value(order).expect("names");
    assert!(order.len() > 8, "{order:?}");
    let typed: &[(&str, &str)] = &[
        ("f-year", "2025"),
        ("f-applicant-name", "keyboard"),
        ("f-contract_amount", "300万"),
        ("f-paid_amount", "1234567.85"),
    ];
    // A select takes the arrow keys: the first option is 请选择, then 是, then 否.
    let picked: &[(&str, Key, usize)] = &[
        ("f-applicant-in_city", Key::Down, 1),
        ("f-seller_in_city", Key::Down, 2),
    ];
    let mut reached = Vec::new();
    for _ in 0..order.len() {
        let now = policy_tests::browser::tab_on(&c).await;
        let name = match now.attr("id").await.expect("id") {
            Some(id) if !id.is_empty() => id,
            _ => match now.attr("href").await.expect("href") {
                Some(h) => h,
                None => now.text().await.expect("text"),
            },
        };
        if let Some((_, text)) = typed.iter().find(|(id, _)| *id == name) {
            now.send_keys(text).await.expect("type");
        }
        if let Some((_, key, n)) = picked.iter().find(|(id, _, _)| *id == name) {
            for _ in 0..*n {
                now.send_keys(&char::from(*key).to_string())
                    .await
                    .expect("arrow");
            }
        }
        reached.push(name);
    }
    assert_eq!(reached, order, "the Tab order is the page's order");
    for (id, want) in [
        ("f-applicant-in_city", "true"),
        ("f-seller_in_city", "false"),
    ] {
        let v = c
            .find(Locator::Id(id))
            .await
            .expect(id)
            .prop("value")
            .await
            .expect("value");
        assert_eq!(v.as_deref(), Some(want), "{id} chosen with the arrow keys");
    }
    c.find(Locator::Id("f-paid_amount"))
        .await
        .expect("paid")
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .expect("enter");
    let amount = text_when_shown(
        &c,
        Locator::Id("amount"),
        "the answer, sent from the keyboard",
    )
    .await;
    assert!(amount.starts_with("123,456.79 元"), "{amount}");

    // The across-every-kind page: filled in the browser and sent.
    c.goto(&format!("{base}/?kind=*"))
        .await
        .expect("every kind");
    for (name, v) in EVERY_KIND_FORM.iter().skip(1) {
        let el = c
            .find(Locator::Css(&format!("[name=\"{name}\"]")))
            .await
            .expect(name);
        if el.tag_name().await.expect("tag") == "select" {
            el.select_by_value(v).await.expect("select");
        } else {
            el.send_keys(v).await.expect("type");
        }
    }
    submit(&c).await;
    let total = text_when_shown(&c, Locator::Id("total"), "the total").await;
    assert!(total.ends_with("万元）"), "{total}");
    for (width, name) in [
        (1280, "calculator-all-1280.png"),
        (390, "calculator-all-390.png"),
    ] {
        policy_tests::browser::assert_fits_and_screenshot(&c, width, &shots.join(name)).await;
    }

    // The accessibility audit (axe-core, WCAG 2 A/AA) of each calculator page at a phone's
    // width and a desktop's: the kinds, a form with errors, an answer, every kind blank and
    // answered, and English.
    let answered = format!("/?{}", encode(EVERY_KIND_FORM));
    let pages = [
        ("kinds".to_string(), "/".to_string()),
        (
            "errors".into(),
            "/?kind=tech_transfer&year=x&paid_amount=abc".into(),
        ),
        (
            "answer".into(),
            "/?kind=tech_transfer&year=2025&applicant.name=A&applicant.in_city=true&seller_in_city=false&contract_amount=3000000&paid_amount=1234567.85".into(),
        ),
        ("every kind".into(), "/?kind=*".into()),
        ("every kind answered".into(), answered.clone()),
        ("every kind answered, English".into(), format!("{answered}&lang=en")),
    ];
    let mut found = Vec::new();
    for width in [390, 1280] {
        c.set_window_size(width, 900).await.expect("resize");
        for (what, path) in &pages {
            c.goto(&format!("{base}{path}")).await.expect("open");
            for v in policy_tests::browser::axe_violations(&c)
                .await
                .expect("axe-core runs")
            {
                found.push(format!("{what} at {width}px: {v}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "accessibility violations (axe-core, WCAG 2 A/AA):\n{}",
        found.join("")
    );
    // The audit can fail: a field without a label and grey text on white are found.
    c.execute(
        "const i = document.createElement('input'); i.type = 'text'; document.querySelector('main').append(i);\
         const p = document.createElement('p'); p.textContent = 'faint'; p.style.color = '#bbb';\
         p.style.background = '#fff'; document.querySelector('main').append(p);",
        vec![],
    )
    .await
    .expect("spoil the page");
    let spoiled = policy_tests::browser::axe_violations(&c)
        .await
        .expect("axe-core runs");
    let ids: Vec<&str> = spoiled.iter().map(|v| v.id.as_str()).collect();
    assert!(ids.contains(&"label"), "{ids:?}");
    assert!(ids.contains(&"color-contrast"), "{ids:?}");
}
