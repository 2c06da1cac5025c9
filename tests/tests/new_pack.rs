//! `policy new pack`: a pack from nothing checks clean, passes its own tests with every outcome
//! reached, decides its examples; what cannot become a pack is refused and nothing is written.

use policy_tests::policy;

#[test]
fn a_new_pack_is_green_at_once() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path().join("p");
    let dir = dir.to_string_lossy().into_owned();
    let new = |d: &str| {
        policy(&[
            "new",
            "pack",
            d,
            "--id",
            "demo",
            "--title",
            "某市科技创新奖补办法",
            "--issuer",
            "某市科学技术局",
        ])
    };
    let (code, out, err) = new(&dir);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("source/policy.txt"), "{out}");
    let (code, out, err) = policy(&["check", &dir, "--deny-warnings"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = policy(&["test", &dir]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("2 of 2 clause outcomes reached (100.0%)"),
        "{out}"
    );
    let examples = format!("{dir}/examples/applications.yaml");
    let (code, out, err) = policy(&[
        "run", "--pack", &dir, "--input", &examples, "--format", "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(r#""amount": "100000.00""#), "{out}");
    // A second time over the same folder: refused, nothing overwritten.
    let before = std::fs::read_to_string(format!("{dir}/pack.yaml")).expect("read");
    let (code, _, err) = new(&dir);
    assert_eq!(code, 2);
    assert!(err.contains("is not empty"), "{err}");
    assert_eq!(
        std::fs::read_to_string(format!("{dir}/pack.yaml")).expect("read"),
        before
    );
}

#[test]
fn what_cannot_be_a_pack_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path().join("p");
    let d = dir.to_string_lossy().into_owned();
    for (args, says) in [
        (
            vec!["--id", "Demo_1", "--title", "t", "--issuer", "i"],
            "cannot be a pack id",
        ),
        (
            vec!["--id", "demo", "--title", "两行\n标题", "--issuer", "i"],
            "one line of text",
        ),
        (
            vec!["--id", "demo", "--title", "t", "--issuer", " "],
            "one line of text",
        ),
    ] {
        let mut all = vec!["new", "pack", d.as_str()];
        all.extend(args);
        let (code, _, err) = policy(&all);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(says), "{err}");
        assert!(!dir.exists(), "nothing is written");
    }
}

/// A `new clause` that cannot finish (here `tests` is a file, not a folder; a full disk alike)
/// leaves the pack as it found it: pack.yaml unchanged, no half-written clause, and the pack
/// still checks
#[test]
fn a_new_clause_that_fails_leaves_the_pack_as_it_was() {
    let pack = policy_tests::pack_copy();
    std::fs::remove_dir_all(pack.path().join("tests")).expect("rm tests");
    std::fs::write(pack.path().join("tests"), "").expect("a file named tests");
    let before = std::fs::read_to_string(pack.path().join("pack.yaml")).expect("pack.yaml");
    let meta =
        std::fs::read_to_string(pack.path().join("clauses/rd-platform.yaml")).expect("clause");
    let text = meta
        .lines()
        .find_map(|l| l.strip_prefix("text: "))
        .expect("text")
        .trim_matches('"')
        .to_string();
    let (code, _, err) = policy_tests::policy_on(
        &pack,
        &[
            "new",
            "clause",
            "<pack>",
            "demo-x",
            "--kind",
            "demo_x",
            "--article",
            "五",
            "--title",
            "示例",
            "--text",
            &text,
        ],
    );
    assert_eq!(code, 2, "{err}");
    let after = std::fs::read_to_string(pack.path().join("pack.yaml")).expect("pack.yaml");
    assert_eq!(before, after);
    assert!(!pack.path().join("clauses/demo-x.yaml").exists());
    assert!(!pack.path().join("clauses/demo-x.rhai").exists());
    let (code, out, err) = policy_tests::policy_on(&pack, &["check", "<pack>"]);
    assert_eq!(code, 0, "{out}{err}");
}
