//! "Which awards might my enterprise get?": one form made of every kind's fields, a field
//! that several kinds share asked once, and one application per kind decided from the same
//! facts. Each kind is decided on its own, as `/v1/explain` decides that kind's facts; what
//! needs all of an applicant's applications together (settlement rules) is shown as a note.

use maud::{html, Markup};
use policy_engine::{Explanation, Field, Kind, Lang, Pack, Status};
use rust_decimal::Decimal;

use super::{field, frame, labels, limit_notes, other_lang, value, with_lang, Problems, Submitted};
use crate::messages::{self as m, web as w};

/// The `kind` that asks for every kind at once
pub(crate) const EVERY_KIND: &str = "*";

/// One question of the form: a field as the kinds that share it declare it
pub(crate) struct Question<'a> {
    /// The input's name: the field's own name where it is shared, `kind:field` otherwise
    pub(crate) input: String,
    /// The field as the first kind that asks it declares it
    pub(crate) field: &'a Field,
    /// The kinds that ask it, in the pack's order
    pub(crate) kinds: Vec<&'a Kind>,
}

/// Whether a field is one fact across kinds, asked once: one every kind declares alike (the
/// pack's shared fields), or one about the applicant (`applicant.…`) that several kinds
/// declare alike. Any other field is about the thing applied for (this platform, this
/// contract): two kinds that both ask `level` or `newly_recognized` ask about two different
/// things, and one answer for both would decide one of them on the other's facts.
fn shared(pack: &Pack, f: &Field) -> bool {
    let alike = pack
        .kinds
        .iter()
        .filter(|k| k.fields.iter().any(|g| g == f))
        .count();
    alike == pack.kinds.len() || (alike > 1 && f.name.starts_with("applicant."))
}

/// The questions of the pack's kinds, in the order the kinds and their fields come
pub(crate) fn questions(pack: &Pack) -> Vec<Question<'_>> {
    let mut qs: Vec<Question<'_>> = Vec::new();
    for kind in &pack.kinds {
        for f in kind.fields.iter() {
            if !shared(pack, f) {
                qs.push(Question {
                    input: format!("{}:{}", kind.name, f.name),
                    field: f,
                    kinds: vec![kind],
                });
                continue;
            }
            match qs.iter_mut().find(|q| q.input == f.name) {
                Some(q) => q.kinds.push(kind),
                None => qs.push(Question {
                    input: f.name.clone(),
                    field: f,
                    kinds: vec![kind],
                }),
            }
        }
    }
    qs
}

impl Question<'_> {
    /// Whether every kind asks it and requires it: only then must the form have it
    fn required(&self, pack: &Pack) -> bool {
        self.kinds.len() == pack.kinds.len()
            && self.kinds.iter().all(|k| {
                k.fields
                    .iter()
                    .any(|f| f.name == self.field.name && f.required)
            })
    }

    fn asks(&self, kind: &Kind, f: &Field) -> bool {
        self.field.name == f.name && self.kinds.iter().any(|k| k.name == kind.name)
    }
}

/// Whether any question was answered: a query with facts is a question, not a blank form
pub(crate) fn has_facts(qs: &[Question<'_>], given: &Submitted) -> bool {
    qs.iter().any(|q| given.get(&q.input).is_some())
}

/// The problem of each answer that cannot be read, and of each required one left empty
pub(crate) fn problems(
    pack: &Pack,
    qs: &[Question<'_>],
    given: &Submitted,
    lang: Lang,
) -> Problems {
    let mut out = Vec::new();
    for q in qs {
        let text = given.get(&q.input).map(str::trim).unwrap_or_default();
        if text.is_empty() {
            if q.required(pack) {
                out.push((q.input.clone(), w::W_ERR_REQUIRED.get(lang).to_string()));
            }
        } else if let Err(e) = value(q.field, text, lang) {
            out.push((q.input.clone(), e));
        }
    }
    out
}

/// What was given, under the field names of one kind (and the page's language)
pub(crate) fn for_kind(qs: &[Question<'_>], kind: &Kind, given: &Submitted) -> Submitted {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for f in kind.fields.iter() {
        let answer = qs
            .iter()
            .find(|q| q.asks(kind, f))
            .and_then(|q| given.get(&q.input));
        if let Some(v) = answer {
            pairs.push((f.name.clone(), v.to_string()));
        }
    }
    if let Some(l) = given.get("lang") {
        pairs.push(("lang".into(), l.to_string()));
    }
    Submitted::from_pairs(pairs)
}

/// The labels of a kind's required fields left empty
pub(crate) fn missing(kind: &Kind, given: &Submitted) -> Vec<String> {
    kind.fields
        .iter()
        .filter(|f| f.required && given.get(&f.name).is_none_or(|v| v.trim().is_empty()))
        .map(|f| labels(f).0)
        .collect()
}

/// What became of one kind
pub(crate) enum KindAnswer {
    /// Required fields of the kind were left empty: not assessed
    Missing(Vec<String>),
    /// The engine refused the application: its reasons
    NotDecided(Vec<String>),
    /// The decision, explained
    Decided(Box<Explanation>),
}

/// One kind's answer and the link to its own page with the same facts
pub(crate) struct KindResult<'a> {
    pub(crate) kind: &'a Kind,
    pub(crate) answer: KindAnswer,
    pub(crate) link: String,
}

/// The link that asks every kind the same questions again
pub(crate) fn permalink_all(qs: &[Question<'_>], given: &Submitted, lang: Lang) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if lang == Lang::En {
        q.append_pair("lang", "en");
    }
    q.append_pair("kind", EVERY_KIND);
    for question in qs {
        if let Some(v) = given.get(&question.input).filter(|v| !v.trim().is_empty()) {
            q.append_pair(&question.input, v);
        }
    }
    format!("/?{}", q.finish())
}

/// The sum of the decided amounts; `None` past Decimal's range (not reachable with real
/// amounts, but not a panic either)
pub(crate) fn total(results: &[KindResult<'_>]) -> Option<Decimal> {
    results
        .iter()
        .filter_map(|r| match &r.answer {
            KindAnswer::Decided(x) => Some(x.decision.amount),
            _ => None,
        })
        .try_fold(Decimal::ZERO, |a, d| a.checked_add(d))
}

/// The form of every kind's questions, what was given in it, and each kind's answer below
pub(crate) fn page(
    pack: &Pack,
    qs: &[Question<'_>],
    given: &Submitted,
    lang: Lang,
    problems: &Problems,
    results: Option<&[KindResult<'_>]>,
) -> Markup {
    let other = permalink_all(qs, given, other_lang(lang));
    let every = pack.kinds.len();
    // Fields every kind asks first, then the others under the first kind that asks them.
    let common: Vec<&Question<'_>> = qs.iter().filter(|q| q.kinds.len() == every).collect();
    let groups: Vec<(&Kind, Vec<&Question<'_>>)> = pack
        .kinds
        .iter()
        .map(|k| {
            let own = qs
                .iter()
                .filter(|q| {
                    q.kinds.len() < every && q.kinds.first().is_some_and(|f| f.name == k.name)
                })
                .collect();
            (k, own)
        })
        .filter(|(_, own): &(&Kind, Vec<&Question<'_>>)| !own.is_empty())
        .collect();
    let one = |q: &Question<'_>| {
        let mut f = q.field.clone();
        f.required = q.required(pack);
        // Fields every kind uses stand under a legend that says so.
        let used = (q.kinds.len() > 1 && q.kinds.len() < every).then(|| {
            let titles: Vec<&str> = q.kinds.iter().map(|k| k.title.as_str()).collect();
            w::W_USED_BY.fill(lang, &[&titles.join("、")])
        });
        let problem = problems
            .iter()
            .find(|(n, _)| *n == q.input)
            .map(|(_, e)| e.as_str());
        field(
            &f,
            &q.input,
            given.get(&q.input).unwrap_or_default(),
            problem,
            used.as_deref(),
            lang,
        )
    };
    frame(
        lang,
        pack,
        &other,
        html! {
            section {
                h2 { (w::W_ALL.get(lang)) }
                p.no-print { a href=(with_lang(lang, "/")) { (w::W_OTHER_KIND.get(lang)) } }
                p.hint { (w::W_ALL_HINT.get(lang)) " " (w::W_FORM_HINT.get(lang)) }
                @if !problems.is_empty() {
                    p.problems #problems role="alert" { (w::W_FIX.fill(lang, &[&problems.len()])) }
                }
                // The language in the address too: a refusal made before the body is read (a
                // cross-site post, a body too large) is then in the reader's language.
                form method="post" action=(with_lang(lang, "/")) accept-charset="utf-8" data-calculator {
                    input type="hidden" name="kind" value=(EVERY_KIND);
                    @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
                    fieldset {
                        legend { (w::W_COMMON.get(lang)) }
                        @for q in &common { (one(q)) }
                    }
                    @for (k, own) in &groups {
                        fieldset {
                            legend { (k.title) }
                            @for q in own { (one(q)) }
                        }
                    }
                    button type="submit" { (w::W_SUBMIT.get(lang)) }
                }
            }
            @if let Some(results) = results {
                (answers(pack, qs, given, results, lang))
            }
        },
    )
}

fn answers(
    pack: &Pack,
    qs: &[Question<'_>],
    given: &Submitted,
    results: &[KindResult<'_>],
    lang: Lang,
) -> Markup {
    let link = permalink_all(qs, given, lang);
    html! {
        section.result #result aria-live="polite" {
            h2 { (w::W_ALL_RESULT.get(lang)) }
            @if let Some(t) = total(results) {
                dl.result {
                    dt { (w::W_TOTAL.get(lang)) }
                    dd.amount.total #total data-yuan=(t) { (super::yuan_in(t, lang)) }
                }
                p.hint { (w::W_TOTAL_NOTE.get(lang)) }
            }
            @for r in results {
                article.kind-answer id=(format!("answer-{}", r.kind.name)) data-kind=(r.kind.name) {
                    h3 { (r.kind.title) }
                    @match &r.answer {
                        KindAnswer::Missing(fields) => {
                            p.status.other { (w::W_MISSING.fill(lang, &[&fields.join("、")])) }
                            p.no-print { a href=(r.link) { (w::W_COMPLETE.get(lang)) } }
                        }
                        KindAnswer::NotDecided(reasons) => {
                            p.problems { (w::W_NOT_DECIDED.get(lang)) }
                            ul.problems { @for reason in reasons { li { (reason) } } }
                            p.no-print { a href=(r.link) { (w::W_FULL.get(lang)) } }
                        }
                        KindAnswer::Decided(x) => {
                            (decided(pack, x, lang))
                            p.no-print { a.full href=(r.link) { (w::W_FULL.get(lang)) } }
                        }
                    }
                }
            }
            p.permalink {
                (w::W_LINK.get(lang)) "："
                a #permalink href=(link) { (link) }
            }
        }
    }
}

/// One kind's decision in short: status, amount, article, the limits that apply
fn decided(pack: &Pack, x: &Explanation, lang: Lang) -> Markup {
    let d = &x.decision;
    html! {
        dl.result {
            dt { (w::W_STATUS.get(lang)) }
            dd.status.awarded[d.status == Status::Awarded].other[d.status != Status::Awarded] {
                (m::status(d.status, lang))
            }
            dt { (w::W_AMOUNT.get(lang)) }
            dd.amount data-yuan=(d.amount) { (super::yuan_in(d.amount, lang)) }
            @if let Some(c) = &x.clause {
                dt { (w::W_ARTICLE.get(lang)) }
                dd.article { (c.article) " " (c.title) }
            }
        }
        @let notes = limit_notes(pack, x, lang);
        @if !notes.is_empty() {
            h4 { (w::W_LIMITS.get(lang)) }
            ul.limits { @for (_, n) in &notes { li { (n) } } }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn pack() -> Pack {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../policies/suzhou-future-industries"
        );
        let engine = policy_engine::Engine::load(dir).expect("the Suzhou pack loads");
        engine.pack().clone()
    }

    #[test]
    fn shared_fields_are_asked_once_and_each_kinds_own_fields_apart() {
        let pack = pack();
        let qs = questions(&pack);
        let inputs: Vec<&str> = qs.iter().map(|q| q.input.as_str()).collect();
        assert_eq!(inputs.iter().filter(|i| **i == "year").count(), 1);
        let year = qs.iter().find(|q| q.input == "year").expect("year");
        assert_eq!(year.kinds.len(), pack.kinds.len());
        assert!(year.required(&pack));
        // The R&D platform's level and the incubator's are two facts, though alike.
        for input in [
            "rd_platform:level",
            "incubator:level",
            "academician_station:level",
        ] {
            assert!(inputs.contains(&input), "{input}: {inputs:?}");
        }
        assert!(!inputs.contains(&"level"), "{inputs:?}");
        let given = Submitted::parse(b"rd_platform:level=national&incubator:level=city");
        let incubator = pack.kind("incubator").expect("kind");
        assert_eq!(for_kind(&qs, incubator, &given).get("level"), Some("city"));
        let platform = pack.kind("rd_platform").expect("kind");
        assert_eq!(
            for_kind(&qs, platform, &given).get("level"),
            Some("national")
        );
        // A kind's own field is not required of the form as a whole.
        let paid = qs
            .iter()
            .find(|q| q.input == "tech_transfer:paid_amount")
            .expect("paid");
        assert!(!paid.required(&pack));
    }

    #[test]
    fn a_fact_about_the_applicant_some_kinds_ask_is_asked_once() {
        let mut pack = pack();
        let mut staff = pack.kinds[0].fields[0].clone();
        staff.name = "applicant.staff".into();
        staff.description = Some("职工人数".into());
        for k in pack.kinds.iter_mut().take(2) {
            let mut fields = k.fields.as_ref().clone();
            fields.push(staff.clone());
            k.fields = Arc::new(fields);
        }
        let qs = questions(&pack);
        let q: Vec<&Question<'_>> = qs
            .iter()
            .filter(|q| q.field.name == "applicant.staff")
            .collect();
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].input, "applicant.staff");
        assert_eq!(q[0].kinds.len(), 2);
        assert!(!q[0].required(&pack));
    }
}
