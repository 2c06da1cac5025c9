//! The calculator page (政策计算器) of `policy serve`: pick a kind of application (or every
//! kind at once, in `all`), fill in a form made from the kind's declared fields, read the
//! decision with its article, arithmetic and the limits that apply. Server-rendered HTML that
//! works without JavaScript (a small script sends the form as JSON and shows the answer in
//! place); the script, stylesheets and icon are compiled into the binary, so the page needs no
//! network beyond the server itself.
//!
//! This module knows the pack and the engine's explanation, not HTTP: `serve::pages` reads the
//! request, bounds it and calls [`facts`] and the templates here.

use std::collections::HashMap;

use maud::{html, Markup, DOCTYPE};
use policy_engine::{parse_decimal, Explanation, Field, FieldType, Kind, Lang, Pack, Status};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::messages::{self as m, web as w};

pub(crate) mod all;
pub(crate) mod browse;
pub(crate) mod whatif;

/// The stylesheet for screens
pub(crate) const STYLE: &str = include_str!("style.css");
/// The stylesheet for paper
pub(crate) const PRINT: &str = include_str!("print.css");
/// The calculator's script: sends the form as JSON and shows the answer in place (the page
/// works without it)
pub(crate) const SCRIPT: &str = include_str!("calculator.js");

/// The page's icon (browsers ask for one; without it they log a failed request)
pub(crate) const ICON: &str = include_str!("icon.svg");

/// The id the page gives the one application it decides
pub(crate) const APPLICATION_ID: &str = "calculator";

/// Longest value of one field, in characters: past it the field is refused, not cut
const MAX_VALUE_CHARS: usize = 1000;

/// What a form or a query brought: the first value of each name
pub(crate) struct Submitted {
    values: HashMap<String, String>,
}

impl Submitted {
    /// Reads `application/x-www-form-urlencoded` text (a body or a query)
    pub(crate) fn parse(text: &[u8]) -> Submitted {
        let mut values = HashMap::new();
        for (k, v) in form_urlencoded::parse(text) {
            // The first value counts, as a browser sends each field once.
            values
                .entry(k.into_owned())
                .or_insert_with(|| v.into_owned());
        }
        Submitted { values }
    }

    /// The values as given under other names: `(name, value)` pairs
    pub(crate) fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Submitted {
        Submitted {
            values: pairs.into_iter().collect(),
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The page's language: `lang=en` for English, Chinese otherwise
    pub(crate) fn lang(&self) -> Lang {
        match self.get("lang") {
            Some(l) if l.eq_ignore_ascii_case("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// Whether any field of `kind` was given: a query with facts is a question, not a blank form
    pub(crate) fn has_facts(&self, kind: &Kind) -> bool {
        kind.fields
            .iter()
            .any(|f| self.values.contains_key(&f.name))
    }
}

/// A field's problem, shown beside it
pub(crate) type Problems = Vec<(String, String)>;

/// The application the form describes, as JSON (`/v1/explain` takes the same), or the problem
/// of each field that cannot be read
pub(crate) fn facts(kind: &Kind, given: &Submitted, lang: Lang) -> Result<Value, Problems> {
    let mut app = Map::new();
    app.insert("id".into(), Value::String(APPLICATION_ID.into()));
    app.insert("kind".into(), Value::String(kind.name.clone()));
    let mut problems = Vec::new();
    for field in kind.fields.iter() {
        let text = given.get(&field.name).map(str::trim).unwrap_or_default();
        if text.is_empty() {
            if field.required {
                problems.push((field.name.clone(), w::W_ERR_REQUIRED.get(lang).to_string()));
            }
            continue;
        }
        match value(field, text, lang) {
            Ok(v) => put(&mut app, &field.name, v),
            Err(e) => problems.push((field.name.clone(), e)),
        }
    }
    if problems.is_empty() {
        Ok(Value::Object(app))
    } else {
        Err(problems)
    }
}

/// One field's value as the engine reads it, or what is wrong with the text
pub(crate) fn value(field: &Field, text: &str, lang: Lang) -> Result<Value, String> {
    let chars = text.chars().count();
    if chars > MAX_VALUE_CHARS {
        return Err(w::W_ERR_TOO_LONG.fill(lang, &[&MAX_VALUE_CHARS]));
    }
    match &field.ty {
        FieldType::Bool => match text {
            "true" | "是" => Ok(Value::Bool(true)),
            "false" | "否" => Ok(Value::Bool(false)),
            _ => Err(w::W_ERR_BOOL.get(lang).into()),
        },
        FieldType::Integer { .. } => text
            .parse::<i64>()
            .map(|n| Value::Number(n.into()))
            .map_err(|_| w::W_ERR_INTEGER.get(lang).into()),
        // As text: the engine reads a decimal exactly from its digits.
        FieldType::Decimal { .. } => parse_decimal(text)
            .map(|d| Value::String(d.to_string()))
            .map_err(|_| w::W_ERR_DECIMAL.get(lang).into()),
        FieldType::Money { .. } => yuan(text, lang).map(|d| Value::String(d.to_string())),
        FieldType::OneOf { values } => {
            if values.iter().any(|v| v == text) {
                Ok(Value::String(text.into()))
            } else {
                Err(w::W_ERR_ONE_OF.get(lang).into())
            }
        }
        // Text, dates and any later type: the engine checks the format and says so.
        _ => Ok(Value::String(text.into())),
    }
}

/// An amount in yuan as people type one: `1234567.85`, `123.5万`, `1.2亿`, a trailing `元`
/// and thousands commas allowed
fn yuan(text: &str, lang: Lang) -> Result<Decimal, String> {
    let bad = || w::W_ERR_MONEY.get(lang).to_string();
    let t: String = text.chars().filter(|c| *c != ',' && *c != '，').collect();
    let t = t.strip_suffix('元').unwrap_or(&t).trim_end();
    let (number, scale) = if let Some(n) = t.strip_suffix('万') {
        (n.trim_end(), 10_000)
    } else if let Some(n) = t.strip_suffix('亿') {
        (n.trim_end(), 100_000_000)
    } else {
        (t, 1)
    };
    if number.starts_with('-') {
        return Err(w::W_ERR_NEGATIVE.get(lang).into());
    }
    let d = parse_decimal(number).map_err(|_| bad())?;
    let d = d
        .checked_mul(Decimal::from(scale))
        .ok_or_else(bad)?
        .normalize();
    if d.is_sign_negative() && !d.is_zero() {
        return Err(w::W_ERR_NEGATIVE.get(lang).into());
    }
    if d.scale() > 2 {
        return Err(w::W_ERR_FEN.get(lang).into());
    }
    Ok(d)
}

/// Sets `a.b.c` inside nested objects, as the engine reads dotted names
fn put(app: &mut Map<String, Value>, name: &str, v: Value) {
    match name.split_once('.') {
        None => {
            app.insert(name.into(), v);
        }
        Some((head, rest)) => {
            let slot = app
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = slot {
                put(inner, rest, v);
            }
        }
    }
}

/// The link that asks the same question again: the kind and every fact given, in the query
pub(crate) fn permalink(kind: &Kind, given: &Submitted, lang: Lang) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if lang == Lang::En {
        q.append_pair("lang", "en");
    }
    q.append_pair("kind", &kind.name);
    for f in kind.fields.iter() {
        if let Some(v) = given.get(&f.name).filter(|v| !v.trim().is_empty()) {
            q.append_pair(&f.name, v);
        }
    }
    format!("/?{}", q.finish())
}

/// A field's label and, for a one-of whose description lists its values (`级别：国家级 / 省级`),
/// the label of each value
fn labels(field: &Field) -> (String, Option<Vec<String>>) {
    let described = field
        .description
        .clone()
        .unwrap_or_else(|| field.name.clone());
    let FieldType::OneOf { values } = &field.ty else {
        return (described, None);
    };
    let (head, list) = match described.rsplit_once('：') {
        Some((h, l)) => (h.to_string(), l),
        None => (described.clone(), described.as_str()),
    };
    let names: Vec<String> = list.split('/').map(|s| s.trim().to_string()).collect();
    if names.len() == values.len() && names.iter().all(|n| !n.is_empty()) {
        (head, Some(names))
    } else {
        (described, None)
    }
}

/// An element id for a field: dots are legal in ids but not in CSS selectors
fn element_id(name: &str) -> String {
    format!("f-{}", name.replace(['.', ':'], "-"))
}

/// The language the switch on a page leads to
fn other_lang(lang: Lang) -> Lang {
    match lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    }
}

/// An amount for the page's reader: `1,234.50 元（0.12345 万元）` in Chinese, `1,234.50 yuan
/// (0.12345 万元)` in English, as the CLI's English output writes it
pub(crate) fn yuan_in(amount: Decimal, lang: Lang) -> String {
    policy_engine::yuan_and_wan_in(amount, lang)
}

pub(crate) fn with_lang(lang: Lang, path: &str) -> String {
    match lang {
        Lang::En if path.contains('?') => format!("{path}&lang=en"),
        Lang::En => format!("{path}?lang=en"),
        Lang::Zh => path.to_string(),
    }
}

/// The frame of the calculator's pages
fn frame(lang: Lang, pack: &Pack, other_lang: &str, body: Markup) -> Markup {
    page_frame(lang, pack, w::W_TITLE.get(lang), "/", other_lang, body)
}

/// The links to each page of the site, `here` (this page's path) marked as current
pub(crate) fn pages_nav(lang: Lang, here: &str) -> Markup {
    let pages = [
        ("/", w::W_TITLE.get(lang)),
        ("/clauses", crate::messages::browse::B_TITLE.get(lang)),
        ("/whatif", crate::messages::whatif::WI_TITLE.get(lang)),
    ];
    html! {
        nav.pages aria-label=(crate::messages::browse::B_NAV.get(lang)) {
            @for (path, name) in pages {
                a href=(with_lang(lang, path)) aria-current=[(path == here).then_some("page")] { (name) }
            }
        }
    }
}

/// The frame of every page: head, `title`, the links to each page (`here` is this one's
/// path), the language switch, the pack it computes with
pub(crate) fn page_frame(
    lang: Lang,
    pack: &Pack,
    title: &str,
    here: &str,
    other_lang: &str,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.pick("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="icon" href="/assets/icon.svg" type="image/svg+xml";
                link rel="stylesheet" href="/assets/style.css";
                // Only acts on a calculator form; every page works without it.
                script src="/assets/calculator.js" defer {}
                link rel="stylesheet" href="/assets/print.css" media="print";
            }
            body {
                header {
                    h1 { a href=(with_lang(lang, here)) { (title) } }
                    (pages_nav(lang, here))
                    a.lang href=(other_lang) lang=(lang.pick("en", "zh-CN")) { (w::W_LANG_OTHER.get(lang)) }
                }
                main {
                    p.pack { (w::W_PACK.fill(lang, &[&pack.title, &pack.version])) }
                    (body)
                }
                footer { p.note { (w::W_NOTE.get(lang)) } }
            }
        }
    }
}

/// The first page: the kinds of application, each a link to its form
pub(crate) fn kinds_page(pack: &Pack, lang: Lang, problem: Option<&str>) -> Markup {
    let other = match lang {
        Lang::Zh => "/?lang=en".to_string(),
        Lang::En => "/".to_string(),
    };
    frame(
        lang,
        pack,
        &other,
        html! {
            section {
                h2 { (w::W_CHOOSE.get(lang)) }
                @if let Some(p) = problem { p.problems role="alert" { (p) } }
                p.hint { (w::W_CHOOSE_HINT.get(lang)) }
                p.all { a #all-kinds href=(with_lang(lang, "/?kind=*")) { (w::W_ALL_LINK.get(lang)) } }
                nav aria-label=(w::W_CHOOSE.get(lang)) {
                    ul.kinds {
                        @for k in &pack.kinds {
                            li { a href=(with_lang(lang, &format!("/?kind={}", encode(&k.name)))) { (k.title) } }
                        }
                    }
                }
            }
        },
    )
}

pub(crate) fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// What the page shows under the form
pub(crate) enum Outcome<'a> {
    /// A blank or prefilled form, nothing asked yet
    Nothing,
    /// Fields that cannot be read: no decision
    Problems(&'a Problems),
    /// The engine refused the application (an `error` decision): its reasons, no decision
    NotDecided(&'a [String]),
    /// The decision, explained, and the link that reproduces it
    Decided(&'a Explanation, &'a str),
}

/// The form of one kind, filled with what was given, and the outcome below it
pub(crate) fn form_page(
    pack: &Pack,
    kind: &Kind,
    given: &Submitted,
    lang: Lang,
    outcome: &Outcome<'_>,
) -> Markup {
    let problems: &[(String, String)] = match outcome {
        Outcome::Problems(p) => p,
        _ => &[],
    };
    // The other language's page asks the same question: the facts go with it.
    let other = permalink(kind, given, other_lang(lang));
    frame(
        lang,
        pack,
        &other,
        html! {
            section {
                h2 { (kind.title) }
                p.no-print { a href=(with_lang(lang, "/")) { (w::W_OTHER_KIND.get(lang)) } }
                p.hint { (w::W_FORM_HINT.get(lang)) }
                @if !problems.is_empty() {
                    p.problems #problems role="alert" { (w::W_FIX.fill(lang, &[&problems.len()])) }
                }
                // The language in the address too: a refusal made before the body is read (a
                // cross-site post, a body too large) is then in the reader's language.
                form method="post" action=(with_lang(lang, "/")) accept-charset="utf-8" data-calculator {
                    input type="hidden" name="kind" value=(kind.name);
                    @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
                    @for f in kind.fields.iter() {
                        (field(f, &f.name, given.get(&f.name).unwrap_or_default(),
                            problems.iter().find(|(n, _)| *n == f.name).map(|(_, e)| e.as_str()), None, lang))
                    }
                    button type="submit" { (w::W_SUBMIT.get(lang)) }
                }
            }
            @match outcome {
                Outcome::Nothing | Outcome::Problems(_) => {}
                Outcome::NotDecided(reasons) => section.result #result {
                    h2 { (w::W_RESULT.get(lang)) }
                    p.problems role="alert" { (w::W_NOT_DECIDED.get(lang)) }
                    ul.problems { @for r in reasons.iter() { li { (r) } } }
                },
                Outcome::Decided(x, link) => (answer(pack, x, link, lang)),
            }
        },
    )
}

/// One field: its label (for its input), the input its type calls for under the name `input`,
/// which awards use it (on the across-every-kind form) and its problem
pub(crate) fn field(
    f: &Field,
    input: &str,
    given: &str,
    problem: Option<&str>,
    used_by: Option<&str>,
    lang: Lang,
) -> Markup {
    let id = element_id(input);
    let err_id = format!("{id}-error");
    let used_id = format!("{id}-used");
    let described: Vec<&str> = [
        problem.map(|_| err_id.as_str()),
        used_by.map(|_| used_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    let (label, options) = labels(f);
    let picked = |v: &str| given == v;
    html! {
        div.field.invalid[problem.is_some()] {
            label for=(id) {
                (label)
                @if f.required { span.req title=(w::W_REQUIRED.get(lang)) { "*" } }
                span.name { (f.name) }
            }
            @match &f.ty {
                FieldType::Bool => {
                    select id=(id) name=(input) required[f.required]
                        aria-invalid=[problem.map(|_| "true")] aria-describedby=[described.as_deref()] {
                        option value="" { (w::W_PICK.get(lang)) }
                        option value="true" selected[picked("true") || picked("是")] { (w::W_YES.get(lang)) }
                        option value="false" selected[picked("false") || picked("否")] { (w::W_NO.get(lang)) }
                    }
                }
                FieldType::OneOf { values } => {
                    select id=(id) name=(input) required[f.required]
                        aria-invalid=[problem.map(|_| "true")] aria-describedby=[described.as_deref()] {
                        option value="" { (w::W_PICK.get(lang)) }
                        @for (i, v) in values.iter().enumerate() {
                            option value=(v) selected[picked(v)] {
                                @match options.as_ref().and_then(|o| o.get(i)) {
                                    Some(shown) if lang == Lang::Zh => (shown),
                                    Some(shown) => { (v) " (" (shown) ")" }
                                    None => (v),
                                }
                            }
                        }
                    }
                }
                ty => {
                    // Text inputs for numbers too: `123.5万` must be typeable, and the
                    // server, not the browser, says what is wrong with a value.
                    input id=(id) name=(input) value=(given) required[f.required]
                        type=(if matches!(ty, FieldType::Date { .. }) { "date" } else { "text" })
                        inputmode=[input_mode(ty)] autocomplete="off"
                        aria-invalid=[problem.map(|_| "true")] aria-describedby=[described.as_deref()];
                }
            }
            @if let Some(u) = used_by { p.used-by id=(used_id) { (u) } }
            @if let Some(p) = problem { p.error id=(err_id) { (p) } }
        }
    }
}

fn input_mode(ty: &FieldType) -> Option<&'static str> {
    match ty {
        FieldType::Integer { .. } => Some("numeric"),
        FieldType::Decimal { .. } | FieldType::Money { .. } => Some("decimal"),
        _ => None,
    }
}

/// The decision: status, amount in 元 and 万元, the article and its sentence, the arithmetic,
/// the reasons, and the link that reproduces it
fn answer(pack: &Pack, x: &Explanation, link: &str, lang: Lang) -> Markup {
    let d = &x.decision;
    html! {
        section.result #result aria-live="polite" {
            h2 { (w::W_RESULT.get(lang)) }
            dl.result {
                dt { (w::W_STATUS.get(lang)) }
                dd.status.awarded[d.status == Status::Awarded].other[d.status != Status::Awarded] #status {
                    (m::status(d.status, lang))
                }
                dt { (w::W_AMOUNT.get(lang)) }
                dd.amount #amount data-yuan=(d.amount) { (yuan_in(d.amount, lang)) }
                @if let Some(c) = &x.clause {
                    dt { (w::W_ARTICLE.get(lang)) }
                    dd #article {
                        (c.article) " " (c.title)
                        blockquote lang="zh-CN" { (c.text) }
                    }
                }
            }
            (limits(pack, x, lang))
            @if !x.steps.is_empty() {
                h2 { (w::W_STEPS.get(lang)) }
                ol.steps #steps { @for s in &x.steps { li { (s) } } }
            }
            @if !x.parameters.is_empty() {
                h2 { (w::W_PARAMETERS.get(lang)) }
                ul #parameters { @for p in &x.parameters { li { (p.description) "：" (p.shown) } } }
            }
            h2 { (w::W_REASONS.get(lang)) }
            ul #reasons { @for r in &d.reasons { li { (r) } } }
            p.permalink {
                (w::W_LINK.get(lang)) "："
                a #permalink href=(link) { (link) }
            }
        }
    }
}

/// The clause that decided, or else the one that decides the kind
fn clause_of<'a>(pack: &'a Pack, x: &Explanation) -> Option<&'a policy_engine::Clause> {
    match &x.clause {
        Some(c) => pack.clause(&c.id),
        None => pack.clause_for_kind(x.decision.kind.as_deref().unwrap_or_default()),
    }
}

/// A clause's title, or its id where the pack has no such clause
fn clause_title(pack: &Pack, id: &str) -> String {
    pack.clause(id)
        .map_or_else(|| id.to_string(), |c| c.title.clone())
}

/// The limits one application alone cannot settle: the clause's count limit ("subject to
/// ranking", with N for the period) and the pack's settlement rules that look at the clause
pub(crate) fn limit_notes(pack: &Pack, x: &Explanation, lang: Lang) -> Vec<(String, String)> {
    let Some(clause) = clause_of(pack, x) else {
        return Vec::new();
    };
    let kind = x.decision.kind.as_deref().unwrap_or_default();
    let mut notes = Vec::new();
    if let Some(limit) = &clause.count_limit {
        let period = pack.period.as_ref().and_then(|p| {
            x.facts
                .iter()
                .find(|f| &f.field == p)
                .and_then(|f| f.value.as_deref()?.parse::<i64>().ok())
        });
        // The engine's own N where it ranked this application; else the pack's value in force.
        let max = match &x.limit {
            Some(l) => l.max.to_string(),
            None => clause
                .parameter(&limit.max)
                .and_then(|p| p.value_for(period).map(|v| p.show_in(v, lang)))
                .unwrap_or_else(|| limit.max.clone()),
        };
        let per = labels_of(pack, kind, &limit.per);
        let by: Vec<String> = limit
            .rank_by
            .iter()
            .map(|k| {
                let name = pack.field_label(kind, &k.field);
                match lang {
                    Lang::Zh => format!("{name}{}", k.order.words()),
                    Lang::En => format!("{name} {}", k.order.words_en()),
                }
            })
            .collect();
        let by = by.join(lang.pick("、", ", "));
        notes.push((
            format!("count-limit {}", clause.id),
            w::W_RANKED.fill(lang, &[&per, &max, &by]),
        ));
    }
    for rule in pack.settlement.iter().filter(|r| r.covers(&clause.id)) {
        let titles = |ids: &[String]| {
            ids.iter()
                .map(|c| clause_title(pack, c))
                .collect::<Vec<_>>()
                .join(lang.pick("、", ", "))
        };
        let what = match &rule.what {
            policy_engine::RuleKind::Exclusive { clauses } => {
                w::W_RULE_EXCLUSIVE.fill(lang, &[&titles(clauses)])
            }
            policy_engine::RuleKind::Cap { clauses, max, .. } => {
                let over = match clauses {
                    Some(list) => titles(list),
                    None => w::W_EVERY_CLAUSE.get(lang).to_string(),
                };
                let value = rule
                    .parameter(max)
                    .map_or_else(|| max.clone(), |p| p.display_in(lang));
                w::W_RULE_CAP.fill(lang, &[&over, &value])
            }
            policy_engine::RuleKind::Requires { clause, requires } => {
                w::W_RULE_REQUIRES.fill(lang, &[&clause_title(pack, clause), &titles(requires)])
            }
            policy_engine::RuleKind::FirstTime { clause, before } => {
                w::W_RULE_FIRST.fill(lang, &[&clause_title(pack, clause), &titles(before)])
            }
            // A rule of a later kind: its own description.
            _ => rule.describe_in(lang),
        };
        let per = if rule.per.is_empty() {
            String::new()
        } else {
            w::W_RULE_PER.fill(lang, &[&labels_of(pack, kind, &rule.per)])
        };
        notes.push((
            format!("rule {}", rule.id),
            match lang {
                Lang::Zh => format!("{}（{}）：{what}{per}", rule.title, rule.article),
                Lang::En => format!("{} ({}): {what}{per}", rule.title, rule.article),
            },
        ));
    }
    notes
}

fn labels_of(pack: &Pack, kind: &str, fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| pack.field_label(kind, f))
        .collect::<Vec<_>>()
        .join("、")
}

/// The limits as a list under the decision, with the caution settlement rules call for
fn limits(pack: &Pack, x: &Explanation, lang: Lang) -> Markup {
    let notes = limit_notes(pack, x, lang);
    let any_rule = notes.iter().any(|(k, _)| k.starts_with("rule "));
    html! {
        @if !notes.is_empty() {
            h2 { (w::W_LIMITS.get(lang)) }
            ul.limits #limits { @for (_, n) in &notes { li { (n) } } }
            @if any_rule { p.hint { (w::W_RULES_NOTE.get(lang)) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str) -> Kind {
        let pack = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../policies/suzhou-future-industries"
        );
        let engine = policy_engine::Engine::load(pack).expect("the Suzhou pack loads");
        let found = engine.pack().kinds.iter().find(|k| k.name == name).cloned();
        found.expect("kind")
    }

    fn field(kind: &Kind, name: &str) -> Field {
        let found = kind.fields.iter().find(|f| f.name == name).cloned();
        found.expect("field")
    }

    #[test]
    fn amounts_are_read_as_people_write_them() {
        let f = field(&kind("tech_transfer"), "paid_amount");
        let ok = |t: &str| value(&f, t, Lang::Zh).expect(t);
        assert_eq!(ok("1234567.85"), Value::String("1234567.85".into()));
        assert_eq!(ok("123.5万"), Value::String("1235000".into()));
        assert_eq!(ok("1,234,567.85 元"), Value::String("1234567.85".into()));
        assert_eq!(ok("1.2亿"), Value::String("120000000".into()));
        for bad in [
            "abc", "1.2.3", "万", "12万万", "-5", "1.234", "12元万", "1e999999",
        ] {
            assert!(value(&f, bad, Lang::Zh).is_err(), "{bad}");
        }
        assert_eq!(
            value(&f, "abc", Lang::Zh),
            Err(w::W_ERR_MONEY.zh.to_string())
        );
    }

    #[test]
    fn one_of_labels_come_from_the_description() {
        let f = field(&kind("rd_platform"), "level");
        let (label, names) = labels(&f);
        assert_eq!(label, "平台级别");
        assert_eq!(
            names,
            Some(vec!["国家级".into(), "省级".into(), "市级".into()])
        );
    }

    #[test]
    fn missing_and_malformed_fields_are_named() {
        let k = kind("tech_transfer");
        let given = Submitted::parse("year=2025&paid_amount=abc".as_bytes());
        let problems = facts(&k, &given, Lang::Zh).expect_err("problems");
        let named: Vec<&str> = problems.iter().map(|(n, _)| n.as_str()).collect();
        assert!(named.contains(&"paid_amount"), "{named:?}");
        assert!(named.contains(&"contract_amount"), "{named:?}");
        assert!(!named.contains(&"year"), "{named:?}");
    }

    #[test]
    fn dotted_names_nest() {
        let mut app = Map::new();
        put(&mut app, "applicant.in_city", Value::Bool(true));
        put(&mut app, "applicant.name", Value::String("x".into()));
        assert_eq!(
            Value::Object(app),
            serde_json::json!({"applicant": {"in_city": true, "name": "x"}})
        );
    }
}
