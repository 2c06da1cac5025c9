//! The memo (`engine/src/script/memo.rs`) answers a clause's outcome from the categorical facts
//! its script read before. Whatever it answers must be what running the script gives: for every
//! shipped pack, generated applications decided with the memo (twice, so that the second pass
//! is answered from it) and without it give the same decisions in every field, reasons, ranks
//! and the outcomes reached included.

mod generated;

use policy_engine::Engine;

use generated::{applications, assert_same, packs, raw};

#[test]
fn every_pack_decides_alike_with_and_without_the_memo() {
    for dir in packs() {
        let engine = Engine::load(&dir).expect("shipped pack loads");
        for seed in [1u64, 2] {
            let apps = applications(&engine, &dir, seed, 2500);
            let raws = raw(&apps);
            let plain = engine.without_memo().decide(&raws);
            let learning = engine.decide(&raws);
            let remembered = engine.decide(&raws);
            let what = |pass: &str| format!("{} seed {seed}: {pass}", dir.display());
            assert_same(&what("memo learning"), &apps, &learning, &plain);
            assert_same(&what("memo answering"), &apps, &remembered, &plain);
        }
    }
}

/// The memo is per engine: a variant with other parameters must not answer from the outcomes
/// its base remembered
#[test]
fn a_variant_does_not_answer_from_its_bases_memo() {
    let dir = policy_tests::suzhou_pack();
    let engine = Engine::load(&dir).expect("shipped pack loads");
    let apps = applications(&engine, &dir, 5, 1500);
    let raws = raw(&apps);
    let _ = engine.decide(&raws);
    let raised = engine
        .with_sets(&["rd-platform.provincial=60万".to_string()])
        .expect("a valid --set");
    let plain = raised.without_memo().decide(&raws);
    assert_same("variant", &apps, &raised.decide(&raws), &plain);
    assert!(
        plain
            .iter()
            .any(|d| d.amount == rust_decimal::Decimal::from(600_000)),
        "the raised amount is awarded somewhere"
    );
}
