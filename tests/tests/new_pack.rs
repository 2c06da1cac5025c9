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
