//! Every decision on the bundled example applications, and its explanation, locked by
//! snapshots; the amounts the draft fixes are also asserted outright. The malformed examples
//! (`examples/malformed.yaml`) are decided as a batch of their own: each is an error that
//! names its field.

use std::collections::HashSet;

use policy_engine::{read_applications, Decision, Engine, Status};
use policy_tests::{suzhou_examples, suzhou_malformed, suzhou_pack};

fn decide() -> (Engine, Vec<policy_engine::RawApplication>, Vec<Decision>) {
    decide_file(&suzhou_examples())
}

fn decide_file(
    file: &std::path::Path,
) -> (Engine, Vec<policy_engine::RawApplication>, Vec<Decision>) {
    let mut engine = Engine::load(suzhou_pack()).expect("the bundled pack loads");
    // The needles below are the English messages.
    engine.set_language(policy_engine::Lang::En);
    let apps = read_applications(file, None).expect("the examples read");
    let decisions = engine.decide(&apps);
    (engine, apps, decisions)
}

#[test]
fn the_examples_are_all_well_formed() {
    let (_, _, decisions) = decide();
    let errors: Vec<_> = decisions
        .iter()
        .filter(|d| d.status == Status::Error)
        .map(|d| (&d.id, &d.reasons))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

fn decision<'a>(decisions: &'a [Decision], id: &str) -> &'a Decision {
    decisions
        .iter()
        .find(|d| d.id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no decision for {id}"))
}

#[test]
fn every_application_gets_one_decision_in_input_order() {
    for file in [suzhou_examples(), suzhou_malformed()] {
        let (_, apps, decisions) = decide_file(&file);
        assert_eq!(apps.len(), decisions.len());
        for (a, d) in apps.iter().zip(&decisions) {
            assert_eq!(a.id(), d.id.as_deref());
        }
    }
}

#[test]
fn amounts_the_draft_fixes() {
    let (_, _, d) = decide();
    let amount = |id: &str| decision(&d, id).amount.to_string();
    let status = |id: &str| decision(&d, id).status;
    // 四(四)8: 10% of 1234567.85 is 123456.785, half up to the fen.
    assert_eq!(amount("2025-TR-0007"), "123456.79");
    // Banker's rounding would give 0.02 and 0.44 here.
    assert_eq!(amount("2025-TR-0008"), "0.03");
    assert_eq!(amount("2025-TR-0009"), "0.45");
    // Paid above the contract: the contract amount is the base.
    assert_eq!(amount("2025-TR-0010"), "100000.00");
    // 10% of 7654321.09 is above the 50万 cap: capped per item, still awarded.
    assert_eq!(amount("2025-TR-0011"), "500000.00");
    assert_eq!(status("2025-TR-0011"), Status::Awarded);
    assert_eq!(status("2025-TR-0013"), Status::Ineligible);
    assert_eq!(amount("2025-RP-01"), "2000000.00");
    assert_eq!(amount("2025-RP-02"), "400000.00");
    assert_eq!(status("2025-RP-03"), Status::Ineligible);
    assert_eq!(amount("2025-TT-01"), "3000000.00");
    assert_eq!(amount("2025-TT-03"), "1000000.00");
    assert_eq!(amount("2025-AS-03"), "500000.00");
    assert_eq!(amount("2025-AS-04"), "200000.00");
    assert_eq!(status("2025-AS-02"), Status::Ineligible);
    assert_eq!(amount("2025-IN-02"), "250000.00");
    assert_eq!(amount("2025-HT-02"), "100000.00");
    assert_eq!(amount("2025-CA-02"), "30000.00");
    // Outside the city: nothing, whatever the clause.
    assert_eq!(status("2025-HT-03"), Status::Ineligible);
}

#[test]
fn yearly_limit_ranks_by_score_and_breaks_ties_by_id() {
    let (_, _, d) = decide();
    let awarded_2025: Vec<&str> = d
        .iter()
        .filter(|x| x.clause.as_deref() == Some("scenario-case"))
        .filter(|x| x.id.as_deref().is_some_and(|i| i.starts_with("2025")))
        .filter(|x| x.status == Status::Awarded)
        .filter_map(|x| x.id.as_deref())
        .collect();
    assert_eq!(awarded_2025.len(), 10);
    // SC-10 and SC-11 tie on 88.5 for the tenth place: the lower id wins it.
    assert!(awarded_2025.contains(&"2025-SC-10"));
    assert_eq!(decision(&d, "2025-SC-11").status, Status::Capped);
    assert_eq!(decision(&d, "2025-SC-11").amount.to_string(), "0.00");
    assert_eq!(decision(&d, "2025-SC-12").status, Status::Capped);
    // Another year has its own limit.
    assert_eq!(decision(&d, "2026-SC-01").status, Status::Awarded);
}

#[test]
fn bad_applications_are_errors_that_name_the_field() {
    let (_, _, d) = decide_file(&suzhou_malformed());
    let reasons = |id: &str| decision(&d, id).reasons.join(" | ");
    for (id, needle) in [
        ("2025-TR-0015", "`paid_amount`"),
        ("2025-TR-0016", "more than 2 decimals"),
        ("2025-TR-0017", "`contract_amount`"),
        ("2025-TT-04", "`tier`"),
        ("2025-XX-01", "did you mean `tech_transfer`"),
        ("2025-HT-04", "missing field `applicant.in_city`"),
        ("2025-HT-05", "found the text \"true\""),
        ("2025-IN-05", "did you mean `newly_recognized`"),
        ("2025-SC-14", "`score`"),
    ] {
        assert_eq!(decision(&d, id).status, Status::Error, "{id}");
        assert!(reasons(id).contains(needle), "{id}: {}", reasons(id));
    }
    // The duplicate: the first 2025-CA-04 is decided, the later one is an error.
    let dups: Vec<&Decision> = d
        .iter()
        .filter(|x| x.id.as_deref() == Some("2025-CA-04"))
        .collect();
    assert_eq!(dups.len(), 2);
    assert_eq!(dups[0].status, Status::Awarded);
    assert_eq!(dups[1].status, Status::Error);
    assert!(dups[1].reasons[0].contains("duplicate id"));
    // The application without an id still gets its decision.
    assert!(d
        .iter()
        .any(|x| x.id.is_none() && x.status == Status::Error));
    // Every one but the first of the duplicated id is an error.
    assert_eq!(d.len(), 12);
    assert_eq!(d.iter().filter(|x| x.status == Status::Error).count(), 11);
}

#[test]
fn decisions_snapshot() {
    let (engine, _, decisions) = decide();
    let totals = engine.totals(&decisions);
    insta::assert_yaml_snapshot!("decisions", (&decisions, &totals));
}

#[test]
fn malformed_decisions_snapshot() {
    let (engine, _, decisions) = decide_file(&suzhou_malformed());
    let totals = engine.totals(&decisions);
    insta::assert_yaml_snapshot!("malformed_decisions", (&decisions, &totals));
}

#[test]
fn explanation_snapshots() {
    let mut seen = HashSet::new();
    for file in [suzhou_examples(), suzhou_malformed()] {
        explain_each(&file, &mut seen);
    }
}

/// Snapshots the explanation of each application of a file whose id is not seen yet
fn explain_each(file: &std::path::Path, seen: &mut HashSet<String>) {
    let (engine, apps, _) = decide_file(file);
    for app in &apps {
        let Some(id) = app.id() else { continue };
        if !seen.insert(id.to_string()) {
            continue;
        }
        let explanation = engine.explain(&apps, id).expect("explained");
        insta::with_settings!({ snapshot_suffix => id.to_string(), prepend_module_to_snapshot => false }, {
            insta::assert_yaml_snapshot!("explain", explanation);
        });
    }
}

#[test]
fn same_input_same_bytes() {
    let args = [
        "run",
        "--pack",
        "policies/suzhou-future-industries",
        "--input",
        "policies/suzhou-future-industries/examples/applications.yaml",
        "--format",
        "json",
    ];
    let first = policy_tests::policy(&args);
    let second = policy_tests::policy(&args);
    assert_eq!(first, second);
}
