//! The what-if page (情景测算) of `policy serve`: the pack's parameters as fields, its scenarios
//! as a choice that fills them, the applications (the pack's examples or an upload), and the
//! comparison of the baseline with the edited parameters, drawn with the HTML report's charts.
//!
//! This module knows the pack, its scenarios and a comparison, not HTTP: `serve::whatif` reads
//! and bounds the request, runs the comparison and calls the templates here.

use std::collections::HashMap;
use std::path::Path;

use maud::{html, Markup, PreEscaped, DOCTYPE};
use policy_engine::{
    parse_parameter_value, Lang, Pack, Scenario, ScenarioChange, ScenarioComparison, Unit, Value,
};
use rust_decimal::Decimal;

use crate::messages::whatif as w;
use crate::render::report;
use crate::web::yuan_in;

/// Longest value of one field, in characters: past it the field is refused, not cut
const MAX_VALUE_CHARS: usize = 100;

/// Most scenario files of a pack offered; past them the rest are not read
const MAX_SCENARIOS: usize = 50;

/// One parameter value a visitor may edit: a plain parameter, or one year of a timeline
pub(crate) struct Editable {
    /// As `--set` and a scenario's `set:` name it: `clause.param` or `clause.param@2027`
    pub(crate) key: String,
    pub(crate) clause_id: String,
    /// The clause's article and title, the heading its values are grouped under
    pub(crate) clause_title: String,
    pub(crate) description: String,
    pub(crate) unit: Unit,
    pub(crate) from: Option<i64>,
    pub(crate) current: Value,
}

/// A parameter shown but not editable here (a band table), with what it holds
pub(crate) struct Fixed {
    pub(crate) key: String,
    pub(crate) description: String,
    pub(crate) written: String,
}

/// Every parameter value of the pack's clauses that the page can edit, in pack order, and
/// those it only shows
pub(crate) fn parameters(pack: &Pack) -> (Vec<Editable>, Vec<Fixed>) {
    let mut editable = Vec::new();
    let mut fixed = Vec::new();
    for c in &pack.clauses {
        for p in c.parameters.iter() {
            let name = format!("{}.{}", c.id, p.name);
            if p.unit == Unit::Bands {
                fixed.push(Fixed {
                    key: name,
                    description: p.description.clone(),
                    written: p.written(),
                });
                continue;
            }
            for d in &p.values {
                // A timeline's value before its first year cannot be set by `@year`.
                if p.is_timeline() && d.from.is_none() {
                    continue;
                }
                editable.push(Editable {
                    key: match d.from {
                        Some(y) => format!("{name}@{y}"),
                        None => name.clone(),
                    },
                    clause_id: c.id.clone(),
                    clause_title: format!("{} {}", c.article, c.title),
                    description: p.description.clone(),
                    unit: p.unit,
                    from: d.from,
                    current: d.value.clone(),
                });
            }
        }
    }
    (editable, fixed)
}

/// A scenario of the pack the page can fill its fields from: only `set` changes
pub(crate) struct Choice {
    /// The file's stem, as the page's `scenario=` names it
    pub(crate) id: String,
    pub(crate) name: String,
    /// `clause.param[@year]` → the value as written
    pub(crate) sets: Vec<(String, String)>,
}

/// The pack's scenarios (`scenarios/*.yaml`): those the page can fill its fields from, and the
/// names of those it cannot (a replaced script, settlement rules, a band cell)
pub(crate) fn scenarios(pack: &Pack, editable: &[Editable]) -> (Vec<Choice>, Vec<String>) {
    let mut files: Vec<_> = std::fs::read_dir(pack.dir.join("scenarios"))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml") && p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files.truncate(MAX_SCENARIOS);
    let mut choices = Vec::new();
    let mut other = Vec::new();
    for f in files {
        let Ok(s) = Scenario::load(&f) else { continue };
        match sets_of(&s, editable) {
            Some(sets) => choices.push(Choice {
                id: stem(&f),
                name: s.name,
                sets,
            }),
            None => other.push(s.name),
        }
    }
    (choices, other)
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A scenario's changes as the page's fields, if every one is a value the page can edit
fn sets_of(s: &Scenario, editable: &[Editable]) -> Option<Vec<(String, String)>> {
    let mut sets = Vec::new();
    for c in &s.changes {
        let ScenarioChange::Set {
            clause,
            param,
            from,
            value,
            ..
        } = c
        else {
            return None;
        };
        let key = match from {
            Some(y) => format!("{clause}.{param}@{y}"),
            None => format!("{clause}.{param}"),
        };
        if !editable.iter().any(|e| e.key == key) {
            return None;
        }
        sets.push((key, value.clone()));
    }
    Some(sets)
}

/// The form field of an editable value
pub(crate) fn field_name(key: &str) -> String {
    format!("set:{key}")
}

fn element_id(key: &str) -> String {
    let safe: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("p-{safe}")
}

/// A field's problem, shown beside it: (field name, text)
pub(crate) type Problems = Vec<(String, String)>;

/// The `--set` assignments the fields ask for (only values that differ from those in force,
/// written as the engine shows the value read), or the problem of each field that cannot be
/// read. Each value is read by the engine's own parameter reader, so a value is taken or
/// refused as `policy compare --scenario` would; amounts may also have thousands commas.
pub(crate) fn assignments(
    editable: &[Editable],
    given: &HashMap<String, String>,
    lang: Lang,
) -> Result<Vec<String>, Problems> {
    let mut sets = Vec::new();
    let mut problems = Vec::new();
    for e in editable {
        let name = field_name(&e.key);
        let text = given.get(&name).map(|t| t.trim()).unwrap_or_default();
        if text.is_empty() {
            problems.push((name, w::WI_ERR_REQUIRED.get(lang).to_string()));
            continue;
        }
        if text.chars().count() > MAX_VALUE_CHARS {
            problems.push((name, w::WI_ERR_TOO_LONG.fill(lang, &[&MAX_VALUE_CHARS])));
            continue;
        }
        // Thousands commas in an amount, as the calculator takes them: `600,000`.
        let text = match e.unit {
            Unit::Yuan => text.chars().filter(|c| *c != ',' && *c != '，').collect(),
            _ => text.to_string(),
        };
        match parse_parameter_value(&text, e.unit) {
            Ok(v) if v == e.current => {}
            Ok(v) => sets.push(format!("{}={v}", e.key)),
            Err(m) => problems.push((name, m.in_lang(lang).to_string())),
        }
    }
    if problems.is_empty() {
        Ok(sets)
    } else {
        Err(problems)
    }
}

/// The scenario file of these assignments, in the pack's scenario format: `name` and `set`,
/// loadable by `policy compare --scenario`
pub(crate) fn scenario_yaml(name: &str, sets: &[String]) -> String {
    // JSON strings are YAML double-quoted scalars: any name and value stays one line.
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut out = format!("name: {}\n", quote(name));
    if sets.is_empty() {
        out.push_str("set: {}\n");
        return out;
    }
    out.push_str("set:\n");
    for s in sets {
        if let Some((k, v)) = s.split_once('=') {
            out.push_str(&format!("  {}: {}\n", quote(k), quote(v)));
        }
    }
    out
}

/// A value as a person reads it: money in 元 and 万元, a ratio as a percentage
fn shown(v: &Value, unit: Unit, lang: Lang) -> String {
    match (v, unit) {
        (Value::Decimal(d), Unit::Yuan) => yuan_in(*d, lang),
        (Value::Decimal(d), Unit::Ratio) => format!("{}%", (*d * Decimal::ONE_HUNDRED).normalize()),
        (v, _) => v.to_string(),
    }
}

fn unit_name(unit: Unit, lang: Lang) -> &'static str {
    match unit {
        Unit::Yuan => lang.pick("元", "yuan"),
        Unit::Ratio => lang.pick("比例", "ratio"),
        Unit::Count => lang.pick("项数", "count"),
        Unit::Number => lang.pick("数值", "number"),
        Unit::Date => lang.pick("日期", "date"),
        Unit::Bands => lang.pick("分档表", "bands"),
    }
}

/// Where the applications come from
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Examples,
    Upload,
}

/// The result of a comparison, for the page
pub(crate) struct Compared<'a> {
    pub(crate) comparison: &'a ScenarioComparison,
    pub(crate) applications: usize,
    pub(crate) sets: &'a [String],
}

/// Everything the page shows
pub(crate) struct View<'a> {
    pub(crate) lang: Lang,
    pub(crate) pack: &'a Pack,
    pub(crate) editable: &'a [Editable],
    pub(crate) fixed: &'a [Fixed],
    pub(crate) choices: &'a [Choice],
    pub(crate) other_scenarios: &'a [String],
    /// The scenario picked to fill the fields, if any
    pub(crate) picked: Option<&'a str>,
    /// The text of each field as given (or filled from a scenario); absent: the value in force
    pub(crate) given: &'a HashMap<String, String>,
    pub(crate) problems: &'a [(String, String)],
    /// A problem of the whole form (no field to show it beside)
    pub(crate) alert: Option<String>,
    pub(crate) source: Source,
    pub(crate) examples: usize,
    pub(crate) upload_bound: &'a str,
    pub(crate) max_applications: usize,
    pub(crate) result: Option<Compared<'a>>,
}

fn with_lang(lang: Lang, path: &str) -> String {
    match lang {
        Lang::En if path.contains('?') => format!("{path}&lang=en"),
        Lang::En => format!("{path}?lang=en"),
        Lang::Zh => path.to_string(),
    }
}

/// The what-if page
pub(crate) fn page(v: &View<'_>) -> Markup {
    let lang = v.lang;
    let other = match lang {
        Lang::Zh => "/whatif?lang=en",
        Lang::En => "/whatif",
    };
    let problem = |name: &str| {
        v.problems
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| e.as_str())
    };
    html! {
        (DOCTYPE)
        html lang=(lang.pick("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (w::WI_TITLE.get(lang)) }
                link rel="icon" href="/assets/icon.svg" type="image/svg+xml";
                link rel="stylesheet" href="/assets/style.css";
                link rel="stylesheet" href="/assets/charts.css";
                link rel="stylesheet" href="/assets/print.css" media="print";
            }
            body.whatif {
                header {
                    h1 { a href=(with_lang(lang, "/whatif")) { (w::WI_TITLE.get(lang)) } }
                    (super::pages_nav(lang, "/whatif"))
                    a.lang href=(other) lang=(lang.pick("en", "zh-CN")) { (crate::messages::web::W_LANG_OTHER.get(lang)) }
                }
                main {
                    p.pack { (crate::messages::web::W_PACK.fill(lang, &[&v.pack.title, &v.pack.version])) }
                    p.hint { (w::WI_INTRO.get(lang)) }
                    (scenario_picker(v))
                    @if let Some(a) = &v.alert { p.problems #alert role="alert" { (a) } }
                    @if !v.problems.is_empty() {
                        p.problems #problems role="alert" { (w::WI_FIX.fill(lang, &[&v.problems.len()])) }
                    }
                    form #whatif method="post" action=(with_lang(lang, "/whatif")) enctype="multipart/form-data" accept-charset="utf-8" {
                        @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
                        fieldset.params {
                            legend { (w::WI_PARAMETERS.get(lang)) }
                            p.hint { (w::WI_PARAM_HINT.get(lang)) }
                            @for group in v.editable.chunk_by(|a, b| a.clause_id == b.clause_id) {
                                fieldset.clause {
                                    legend { (group[0].clause_title) }
                                    @for e in group {
                                        (param_field(e, v.given.get(&field_name(&e.key)).map(String::as_str),
                                            problem(&field_name(&e.key)), lang))
                                    }
                                }
                            }
                            @for f in v.fixed {
                                p.fixed { (f.description) "（" span.name { (f.key) } "）：" (f.written) br; (w::WI_READ_ONLY.fill(lang, &[&f.key])) }
                            }
                        }
                        div.field {
                            label for="name" { (w::WI_NAME.get(lang)) }
                            input #name name="name" type="text" autocomplete="off" maxlength="200"
                                value=(v.given.get("name").map(String::as_str).unwrap_or(w::WI_NAME_DEFAULT.get(lang)));
                        }
                        fieldset.source {
                            legend { (w::WI_APPLICATIONS.get(lang)) }
                            div.choice {
                                input #source-examples type="radio" name="source" value="examples" checked[v.source == Source::Examples];
                                label for="source-examples" { (w::WI_SOURCE_EXAMPLES.fill(lang, &[&v.examples])) }
                            }
                            div.choice {
                                input #source-upload type="radio" name="source" value="upload" checked[v.source == Source::Upload];
                                label for="source-upload" { (w::WI_SOURCE_UPLOAD.get(lang)) }
                            }
                            div.field.invalid[problem("file").is_some()] {
                                label for="file" { (w::WI_FILE.get(lang)) }
                                input #file name="file" type="file"
                                    accept=".yaml,.yml,.json,.jsonl,.ndjson,.csv,.xlsx"
                                    aria-describedby=(if problem("file").is_some() { "file-bound file-error" } else { "file-bound" })
                                    aria-invalid=[problem("file").map(|_| "true")];
                                p.hint #file-bound { (w::WI_FILE_BOUND.fill(lang, &[&v.upload_bound, &v.max_applications])) }
                                @if let Some(p) = problem("file") { p.error #file-error { (p) } }
                            }
                        }
                        div.actions {
                            button #run type="submit" name="action" value="run" { (w::WI_RUN.get(lang)) }
                            button #download-yaml.secondary type="submit" name="action" value="yaml" { (w::WI_DOWNLOAD_YAML.get(lang)) }
                            button #download-xlsx.secondary type="submit" name="action" value="xlsx" { (w::WI_DOWNLOAD_XLSX.get(lang)) }
                        }
                        p.hint { (w::WI_DOWNLOAD_HINT.get(lang)) }
                    }
                    @if let Some(r) = &v.result { (result(v.pack, v.editable, lang, r)) }
                }
                footer { p.note { (crate::messages::web::W_NOTE.get(lang)) } }
            }
        }
    }
}

/// The GET form that fills the fields from one of the pack's scenarios: works without script
fn scenario_picker(v: &View<'_>) -> Markup {
    let lang = v.lang;
    html! {
        @if !v.choices.is_empty() {
            form.scenarios method="get" action="/whatif" {
                @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
                label for="scenario" { (w::WI_SCENARIOS.get(lang)) }
                div.row {
                    select #scenario name="scenario" {
                        option value="" { (w::WI_SCENARIO_NONE.get(lang)) }
                        @for c in v.choices {
                            option value=(c.id) selected[v.picked == Some(c.id.as_str())] { (c.name) }
                        }
                    }
                    button.secondary type="submit" { (w::WI_LOAD.get(lang)) }
                }
            }
        }
        @if !v.other_scenarios.is_empty() {
            p.hint.other-scenarios { (w::WI_SCENARIOS_SKIPPED.fill(lang, &[&v.other_scenarios.join("；")])) }
        }
    }
}

/// One editable value: its label (description, clause, unit, value in force), input, problem
fn param_field(e: &Editable, given: Option<&str>, problem: Option<&str>, lang: Lang) -> Markup {
    let name = field_name(&e.key);
    let id = element_id(&e.key);
    let err_id = format!("{id}-error");
    let help_id = format!("{id}-help");
    let value = given.map_or_else(|| e.current.to_string(), str::to_string);
    let described = match problem {
        Some(_) => format!("{help_id} {err_id}"),
        None => help_id.clone(),
    };
    html! {
        div.field.invalid[problem.is_some()] {
            label for=(id) {
                (e.description)
                @if let Some(y) = e.from { "（" (w::WI_FROM.fill(lang, &[&y])) "）" }
                span.name { (e.key) }
            }
            input id=(id) name=(name) type="text" value=(value) autocomplete="off"
                inputmode=[matches!(e.unit, Unit::Count).then_some("numeric")]
                aria-describedby=(described) aria-invalid=[problem.map(|_| "true")];
            p.hint id=(help_id) {
                (w::WI_UNIT.fill(lang, &[&unit_name(e.unit, lang)]))
                " · " (w::WI_CURRENT.fill(lang, &[&shown(&e.current, e.unit, lang)]))
            }
            @if let Some(p) = problem { p.error id=(err_id) { (p) } }
        }
    }
}

/// The comparison: the totals, the parameters changed, then the report's section (charts by
/// clause and by year, the budget table, winners and losers, the largest changes)
fn result(pack: &Pack, editable: &[Editable], lang: Lang, r: &Compared<'_>) -> Markup {
    let t = &r.comparison.total;
    // Each change as a person reads it: what the value means, in force → as edited.
    let changes: Vec<(String, String, String)> = r
        .sets
        .iter()
        .filter_map(|s| {
            let (key, value) = s.split_once('=')?;
            let e = editable.iter().find(|e| e.key == key)?;
            let new = parse_parameter_value(value, e.unit).ok()?;
            Some((
                format!("{}（{}）", e.description, e.key),
                shown(&e.current, e.unit, lang),
                shown(&new, e.unit, lang),
            ))
        })
        .collect();
    let (open, close) = (lang.pick("（", " ("), lang.pick("）", ")"));
    html! {
        section.result #result aria-live="polite" {
            h2 { (w::WI_RESULT.get(lang)) }
            p { (w::WI_COUNT.fill(lang, &[&r.applications])) }
            dl.result.totals {
                dt { (w::WI_TOTAL_BASE.get(lang)) }
                dd #total-baseline data-yuan=(t.baseline_amount) { (yuan_in(t.baseline_amount, lang)) }
                dt { (w::WI_TOTAL_SCEN.get(lang)) }
                dd #total-scenario data-yuan=(t.scenario_amount) { (yuan_in(t.scenario_amount, lang)) }
                dt { (w::WI_TOTAL_CHANGE.get(lang)) }
                dd #total-change data-yuan=(t.change) {
                    @if t.change > Decimal::ZERO { "+" } (yuan_in(t.change, lang))
                    @if let Some(p) = t.percent { (open) @if p > Decimal::ZERO { "+" } (p) "%" (close) }
                }
            }
            h3 { (w::WI_SETS.get(lang)) }
            ul #sets { @for (what, old, new) in &changes { li { (what) (lang.pick("：", ": ")) (old) " → " (new) } } }
            div.report { (PreEscaped(report::comparison_html(pack, lang, r.comparison, &[]))) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suzhou() -> policy_engine::Engine {
        let pack = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../policies/suzhou-future-industries"
        );
        policy_engine::Engine::load(pack).expect("the Suzhou pack loads")
    }

    fn given(pairs: &[(&str, &str)], editable: &[Editable]) -> HashMap<String, String> {
        let mut out: HashMap<String, String> = editable
            .iter()
            .map(|e| (field_name(&e.key), e.current.to_string()))
            .collect();
        for (k, v) in pairs {
            out.insert(field_name(k), v.to_string());
        }
        out
    }

    #[test]
    fn only_changed_values_are_set_and_amounts_read_as_people_write_them() {
        let engine = suzhou();
        let (editable, _) = parameters(engine.pack());
        assert!(editable.iter().any(|e| e.key == "rd-platform.provincial"));
        let none = assignments(&editable, &given(&[], &editable), Lang::Zh);
        assert_eq!(none, Ok(Vec::new()));
        for written in ["60万", "600,000", "600000元", "60 万"] {
            let sets = assignments(
                &editable,
                &given(&[("rd-platform.provincial", written)], &editable),
                Lang::Zh,
            );
            assert_eq!(
                sets,
                Ok(vec!["rd-platform.provincial=600000".to_string()]),
                "{written}"
            );
        }
        let sets = assignments(
            &editable,
            &given(&[("tech-transfer.rate", "15%")], &editable),
            Lang::Zh,
        );
        assert_eq!(sets, Ok(vec!["tech-transfer.rate=0.15".to_string()]));
        let problems = assignments(
            &editable,
            &given(
                &[
                    ("rd-platform.provincial", "-5"),
                    ("scenario-case.yearly_limit", "8.5"),
                ],
                &editable,
            ),
            Lang::Zh,
        )
        .expect_err("problems");
        let named: Vec<&str> = problems.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            named,
            [
                "set:scenario-case.yearly_limit",
                "set:rd-platform.provincial"
            ]
        );
    }

    #[test]
    fn the_scenario_file_names_and_sets_each_value_on_one_line() {
        let yaml = scenario_yaml("a \"b\"\nc", &["rd-platform.provincial=600000".into()]);
        assert_eq!(
            yaml,
            "name: \"a \\\"b\\\"\\nc\"\nset:\n  \"rd-platform.provincial\": \"600000\"\n"
        );
    }
}
