//! `policy new clause`: a new clause's YAML, script and test, entered in `pack.yaml`.
//!
//! The files are ready to edit; the clause (and its kind, if new) is added to the pack, in the
//! order of the articles. Its `--text` is checked against the pack's source document before
//! anything is written, and its test passes on the clause as written.

use std::cmp::Ordering;
use std::fs;

use policy_engine::{text_in_source, Engine, FieldType, Kind, Lang, Pack, TextFormat, Value};

use super::Io;
use crate::args::NewClauseArgs;
use crate::exit::EXIT_OK;
use crate::messages as m;
use crate::render::diagnostics::{load_errors_in, ErrorFormat};

/// `policy new clause`
pub fn clause(io: &mut Io<'_>, args: &NewClauseArgs) -> Result<u8, String> {
    let lang = crate::messages::resolve(io.lang, policy_engine::pack_language(&args.pack));
    let written = new_clause(args, io.error_format, lang)?;
    io.emit(&format!(
        "{}\n{}\n",
        crate::messages::NEW_WROTE.fill(lang, &[&written.join(lang.pick("、", ", "))]),
        crate::messages::NEW_CLAUSE_NEXT.get(lang)
    ));
    Ok(EXIT_OK)
}

/// A YAML double-quoted scalar (JSON's string syntax is valid YAML)
pub(super) fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Whether a text can be an id: lower-case letters, digits and `-`, not starting with `-`
pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
}

/// The id an entry of a block list names: `  - rd-platform   # 四(二)3` → `rd-platform`
fn list_entry(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("- ")?;
    let rest = rest.split('#').next().unwrap_or_default().trim();
    Some(rest.trim_matches(|c| c == '"' || c == '\''))
}

/// Adds `- item` to the block list under `key:` at the top level of a YAML text, after the last
/// entry for which `sorts_before` holds (first in the list when none does), with a `# note` in
/// line with the comment of the entry beside it, if that one has one. `None` if the text has no
/// such block list.
fn insert_in_list(
    text: &str,
    key: &str,
    item: &str,
    note: &str,
    sorts_before: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end() == format!("{key}:"))?;
    let mut entries = Vec::new();
    for (i, l) in lines.iter().enumerate().skip(start + 1) {
        if l.trim_start().starts_with("- ") {
            entries.push(i);
        } else if !l.trim().is_empty() && !l.starts_with(' ') && !l.starts_with('#') {
            break;
        }
    }
    let after = entries
        .iter()
        .rev()
        .find(|i| list_entry(lines[**i]).is_some_and(sorts_before))
        .copied();
    let (at, beside) = match (after, entries.first()) {
        (Some(i), _) => (i + 1, Some(i)),
        (None, Some(first)) => (*first, Some(*first)),
        (None, None) => (start + 1, None),
    };
    let beside = beside.map(|i| lines[i]);
    let indent: String = beside
        .map(|l| l.chars().take_while(|c| *c == ' ').collect())
        .unwrap_or_else(|| "  ".into());
    let mut entry = format!("{indent}- {item}");
    if let Some(column) = beside.and_then(|l| l.find('#')) {
        let pad = column.saturating_sub(entry.len()).max(1);
        entry = format!("{entry}{}# {note}", " ".repeat(pad));
    }
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out.insert(at, entry);
    Some(out.join("\n") + "\n")
}

/// The value of one Chinese numeral (一 … 九十九 and on: 十, 百, 千 as multipliers), or `None`
/// for a character that is not part of one
fn chinese_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn chinese_unit(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

/// A run of Chinese numerals as a number: 四 → 4, 十 → 10, 十二 → 12, 二十三 → 23, 一百零五 → 105
fn chinese_number(run: &str) -> u64 {
    let (mut total, mut digit) = (0, 0);
    for c in run.chars() {
        if let Some(d) = chinese_digit(c) {
            digit = d;
        } else if let Some(u) = chinese_unit(c) {
            total += digit.max(1) * u;
            digit = 0;
        }
    }
    total + digit
}

/// An article's numbers, in order, for placing a clause among the others: `四(二)3` → [4, 2, 3],
/// `四（五）10` → [4, 5, 10], `三、7` → [3, 7]. Each run of Chinese numerals and each run of
/// digits is one number; parentheses (either width), `、`, `.` and any other mark only separate
/// them.
fn article_key(article: &str) -> Vec<u64> {
    let mut key = Vec::new();
    let (mut digits, mut chinese) = (String::new(), String::new());
    let flush = |digits: &mut String, chinese: &mut String, key: &mut Vec<u64>| {
        if !digits.is_empty() {
            key.push(digits.parse().unwrap_or(u64::MAX));
            digits.clear();
        }
        if !chinese.is_empty() {
            key.push(chinese_number(chinese));
            chinese.clear();
        }
    };
    for c in article.chars() {
        if c.is_ascii_digit() {
            if !chinese.is_empty() {
                flush(&mut digits, &mut chinese, &mut key);
            }
            digits.push(c);
        } else if chinese_digit(c).is_some() || chinese_unit(c).is_some() {
            if !digits.is_empty() {
                flush(&mut digits, &mut chinese, &mut key);
            }
            chinese.push(c);
        } else {
            flush(&mut digits, &mut chinese, &mut key);
        }
    }
    flush(&mut digits, &mut chinese, &mut key);
    key
}

/// The natural order of two articles: number by number (so `四(五)10` comes after `四(五)9` and
/// `十二` after `九`, which comparing the texts would not give); when one article's numbers
/// begin the other's, the shorter first (`四` before `四(一)1`). An article without numbers
/// (`附则`) comes after every numbered one, as supplementary provisions close a document;
/// two of them compare as texts.
fn compare_articles(a: &str, b: &str) -> Ordering {
    let (ka, kb) = (article_key(a), article_key(b));
    match (ka.is_empty(), kb.is_empty()) {
        (true, true) => a.cmp(b),
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => ka.cmp(&kb),
    }
}

/// Adds a kind with no fields of its own at the end of the top-level `kinds:` mapping
fn append_kind(text: &str, kind: &str, title: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.trim_end() == "kinds:")?;
    let mut end = lines.len();
    for (i, l) in lines.iter().enumerate().skip(start + 1) {
        if !l.trim().is_empty() && !l.starts_with(' ') && !l.starts_with('#') {
            end = i;
            break;
        }
    }
    // Back over blank and comment lines that belong to the next block.
    while end > start + 1 && {
        let l = lines[end - 1];
        l.trim().is_empty() || l.starts_with('#')
    } {
        end -= 1;
    }
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out.insert(
        end,
        format!("  {kind}:\n    title: {title}\n    fields: {{}}"),
    );
    Some(out.join("\n") + "\n")
}

/// A credit code (统一社会信用代码) whose check character is right
const EXAMPLE_CREDIT_CODE: &str = "91341302MA2T12345E";

fn example_value(ty: &FieldType) -> String {
    match ty {
        FieldType::Bool => "true".into(),
        FieldType::Integer { min, .. } => min.map(|m| m.to_string()).unwrap_or_else(|| "1".into()),
        FieldType::Decimal { min, .. } => min.map(|m| m.to_string()).unwrap_or_else(|| "1".into()),
        FieldType::Money { max } => max
            .filter(|m| *m < rust_decimal::Decimal::from(100_000))
            .map(|m| m.to_string())
            .unwrap_or_else(|| "100000".into()),
        FieldType::Text {
            format: Some(TextFormat::CreditCode),
        } => EXAMPLE_CREDIT_CODE.into(),
        FieldType::Text { .. } => "示例".into(),
        FieldType::OneOf { values } => values.first().cloned().unwrap_or_default(),
        FieldType::Date { min, .. } => min
            .map(|m| m.to_string())
            .unwrap_or_else(|| "2025-01-01".into()),
    }
}

/// A precondition's value as YAML
fn yaml_value(v: &Value) -> String {
    match v {
        Value::Text(t) => quote(t),
        other => other.to_string(),
    }
}

/// One example application of a kind, in flow YAML, with every required field and every field
/// a precondition of the pack tests, each with a value that passes
fn example_application(kind: &Kind, id: &str, pack: &Pack) -> String {
    let mut top: Vec<(String, String)> =
        vec![("id".into(), id.into()), ("kind".into(), kind.name.clone())];
    let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let precondition = |name: &str| pack.preconditions.iter().find(|p| p.field == name);
    for f in kind
        .fields
        .iter()
        .filter(|f| f.required || precondition(&f.name).is_some())
    {
        let mut value = example_value(&f.ty);
        if Some(f.name.as_str()) == pack.period.as_deref() {
            value = "2025".into();
        }
        if let Some(p) = precondition(&f.name) {
            value = yaml_value(&p.equals);
        }
        match f.name.split_once('.') {
            Some((group, leaf)) => match groups.iter_mut().find(|(g, _)| g == group) {
                Some((_, members)) => members.push((leaf.into(), value)),
                None => groups.push((group.into(), vec![(leaf.into(), value)])),
            },
            None => top.push((f.name.clone(), value)),
        }
    }
    let mut parts: Vec<String> = top.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
    for (g, members) in groups {
        let inner: Vec<String> = members
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        parts.push(format!("{g}: {{ {} }}", inner.join(", ")));
    }
    format!("{{ {} }}", parts.join(", "))
}

/// The sentences of a source document: cut after 。！？；, and at line ends; without their
/// surrounding whitespace, empty ones left out
fn sentences(source: &str) -> Vec<&str> {
    source
        .split_inclusive(['。', '！', '？', '；', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The pairs of neighbouring characters of a text, whitespace left out
fn bigrams(text: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// The source sentence nearest a text: the one sharing the most pairs of neighbouring
/// characters with it, in proportion to both lengths (Dice's coefficient); the first of equals
fn nearest_sentence<'a>(source: &'a str, text: &str) -> Option<&'a str> {
    let wanted = bigrams(text);
    let mut best: Option<(f64, &str)> = None;
    for sentence in sentences(source) {
        let mut have = bigrams(sentence);
        let total = wanted.len() + have.len();
        if total == 0 {
            continue;
        }
        let mut shared = 0;
        for pair in &wanted {
            if let Some(i) = have.iter().position(|p| p == pair) {
                have.swap_remove(i);
                shared += 1;
            }
        }
        let score = 2.0 * shared as f64 / total as f64;
        if score > 0.0 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, sentence));
        }
    }
    best.map(|(_, s)| s)
}

/// The pack's source document, if it carries one
fn source_document(pack: &Pack) -> Result<Option<(String, String)>, String> {
    let Some(file) = &pack.source.file else {
        return Ok(None);
    };
    let path = pack.dir.join(file);
    let text = fs::read_to_string(&path).map_err(|e| format!("error: {}: {e}", path.display()))?;
    Ok(Some((file.clone(), text)))
}

/// Refuses a `--text` that the pack's source document does not hold word for word (the rule the
/// loader applies: whitespace does not count), naming the nearest sentence of the source; a
/// pack with a source document needs the text
fn check_text(pack: &Pack, text: Option<&str>, lang: Lang) -> Result<(), String> {
    let Some((file, source)) = source_document(pack)? else {
        return Ok(());
    };
    let Some(text) = text else {
        return Err(format!(
            "{} {file}",
            lang.pick(
                "错误：本政策包带有原文，请用 --text 给出本条款所依据的原文句子，须能在原文中逐字找到：",
                "error: this pack carries its source document: give --text, the exact sentence \
                 the clause encodes, as it is written in"
            )
        ));
    };
    if text_in_source(&source, text) {
        return Ok(());
    }
    let mut message = format!(
        "{} {file}",
        lang.pick(
            "错误：--text 在原文中找不到（逐字比对，空白不计）：",
            "error: --text is not found word for word (whitespace aside) in the source document"
        )
    );
    if let Some(nearest) = nearest_sentence(&source, text) {
        message.push_str(&format!(
            "\n{} {nearest}",
            lang.pick(
                "原文中最接近的句子：",
                "the nearest sentence of the source:"
            )
        ));
    }
    message.push_str(&format!(
        "\n{}",
        lang.pick(
            "请从原文中复制这句话，不要改写。",
            "copy the sentence from the source document as it is written"
        )
    ));
    Err(message)
}

/// Writes the clause; returns the paths written, for the message
fn new_clause(n: &NewClauseArgs, format: ErrorFormat, lang: Lang) -> Result<Vec<String>, String> {
    if !valid_id(&n.id) {
        return Err(m::NEW_CLAUSE_ID.fill(lang, &[&n.id]));
    }
    let engine = Engine::load(&n.pack).map_err(|e| load_errors_in(&e, format, Some(lang)))?;
    let pack = engine.pack();
    if pack.clause(&n.id).is_some() {
        return Err(m::NEW_CLAUSE_EXISTS.fill(lang, &[&n.id]));
    }
    if let Some(c) = pack.clause_for_kind(&n.kind) {
        return Err(m::NEW_CLAUSE_KIND_TAKEN.fill(lang, &[&n.kind, &c.id]));
    }
    check_text(pack, n.text.as_deref(), lang)?;
    let pack_yaml = n.pack.join("pack.yaml");
    let mut pack_text = fs::read_to_string(&pack_yaml).map_err(|e| format!("error: {e}"))?;
    if pack.kind(&n.kind).is_none() {
        pack_text = append_kind(&pack_text, &n.kind, &n.title)
            .ok_or("error: pack.yaml has no top-level `kinds:` block to add the kind to")?;
    }
    if pack_text.lines().any(|l| l.trim_end() == "clauses:") {
        // In the order of the articles: after the last clause listed whose article comes
        // before the new one's or is the same (by `compare_articles`), so a list already in
        // article order stays so, and a list in another order is left as its author keeps it
        // but for the one line; first when every listed clause's article comes after it.
        let sorts_before = |id: &str| {
            pack.clause(id)
                .is_some_and(|c| compare_articles(&c.article, &n.article) != Ordering::Greater)
        };
        pack_text = insert_in_list(&pack_text, "clauses", &n.id, &n.article, &sorts_before)
            .ok_or("error: cannot add the clause to the `clauses:` list of pack.yaml")?;
    }
    let meta = n.pack.join("clauses").join(format!("{}.yaml", n.id));
    let script = n.pack.join("clauses").join(format!("{}.rhai", n.id));
    let test = n.pack.join("tests").join(format!("{}.yaml", n.id));
    for p in [&meta, &script, &test] {
        if p.exists() {
            return Err(m::NEW_FILE_EXISTS.fill(lang, &[&p.display()]));
        }
    }
    let original = fs::read_to_string(&pack_yaml).map_err(|e| format!("error: {e}"))?;
    let written = write_clause(n, &pack_yaml, &pack_text, [&meta, &script, &test], pack);
    if written.is_err() {
        // Nothing half done is left behind (a full disk, say): the new files go, and pack.yaml
        // is as it was, so the pack still checks as before.
        for p in [&meta, &script, &test] {
            let _ = fs::remove_file(p);
        }
        let _ = crate::atomic::write_atomically(&pack_yaml, original.as_bytes());
    }
    written?;
    Ok([&pack_yaml, &meta, &script, &test]
        .iter()
        .map(|p| p.display().to_string())
        .collect())
}

/// Writes the new clause's files and then pack.yaml, which names them, and last the test,
/// which needs the kind as pack.yaml now declares it
fn write_clause(
    n: &NewClauseArgs,
    pack_yaml: &std::path::Path,
    pack_text: &str,
    [meta, script, test]: [&std::path::PathBuf; 3],
    pack: &Pack,
) -> Result<(), String> {
    let write = |path: &std::path::Path, text: &str| {
        fs::write(path, text).map_err(|e| format!("error: {}: {e}", path.display()))
    };
    write(meta, &clause_yaml(n))?;
    write(script, &clause_script(n))?;
    crate::atomic::write_atomically(pack_yaml, pack_text.as_bytes())?;
    // The test needs the kind as the pack now declares it.
    let reloaded = Engine::load(&n.pack);
    let kind = match &reloaded {
        Ok(e) => e.pack().kind(&n.kind).cloned(),
        Err(_) => Engine::load(&n.pack)
            .ok()
            .and_then(|e| e.pack().kind(&n.kind).cloned()),
    };
    let app = match &kind {
        Some(k) => example_application(k, &format!("{}-1", n.id.to_uppercase()), pack),
        None => format!("{{ id: {}-1, kind: {} }}", n.id.to_uppercase(), n.kind),
    };
    fs::create_dir_all(n.pack.join("tests")).map_err(|e| format!("error: {e}"))?;
    write(test, &clause_test(n, &app))?;
    // Written whole, or the caller undoes all of it.
    let size = |p: &std::path::Path| fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    if [meta, script, test].iter().any(|p| size(p) == 0) {
        return Err(format!("error: {}: not written whole", n.pack.display()));
    }
    Ok(())
}

/// The sentence the clause encodes, or where to put it
fn source_text(n: &NewClauseArgs) -> &str {
    n.text
        .as_deref()
        .unwrap_or("TODO: paste the exact sentence of the source document this clause encodes")
}

/// The clause's YAML, with an example parameter
fn clause_yaml(n: &NewClauseArgs) -> String {
    let text = source_text(n);
    format!(
        "id: {id}\ntitle: {title}\narticle: {article}\ntext: {text}\nkind: {kind}\nparameters:\n  amount:\n    value: 100000\n    unit: yuan\n    description: 奖励金额（示例，请按原文修改）\n",
        id = n.id,
        // Quoted: a title or text may hold `:` or `#`, which YAML would read otherwise.
        title = quote(&n.title),
        article = quote(&n.article),
        text = quote(text),
        kind = n.kind
    )
}

/// The clause's script: its article and text as a comment, and an award to edit
fn clause_script(n: &NewClauseArgs) -> String {
    let text = source_text(n);
    format!(
        "// {article} {title}\n// {text}\n\n// 用 app.<字段> 读取申报的事实，用 params.<名称> 读取参数；\n// 最后写 award(金额, 理由) 给予奖励，或 ineligible(理由) 不予支持。\naward(params.amount, `奖励 ${{yuan(params.amount)}} 元`)\n",
        article = n.article,
        title = n.title,
    )
}

/// A test of the clause: one application it awards
fn clause_test(n: &NewClauseArgs, app: &str) -> String {
    format!(
        "name: {article} {title}\ncases:\n  - name: 示例：符合条件的申报获得奖励\n    applications:\n      - {app}\n    expect:\n      - {{ id: {id}-1, status: awarded, amount: 100000.00, clause: {clause} }}\n",
        article = n.article,
        title = n.title,
        id = n.id.to_uppercase(),
        clause = n.id
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_compare_by_their_numbers() {
        assert_eq!(article_key("四(二)3"), [4, 2, 3]);
        assert_eq!(article_key("四（五）10"), [4, 5, 10]);
        assert_eq!(article_key("三、7"), [3, 7]);
        assert_eq!(article_key("十二(二十三)105"), [12, 23, 105]);
        assert_eq!(article_key("一百零五"), [105]);
        let mut articles = vec!["四(五)10", "四(一)1", "四(五)9", "四(二)3", "三、7", "四"];
        articles.sort_by(|a, b| compare_articles(a, b));
        assert_eq!(
            articles,
            ["三、7", "四", "四(一)1", "四(二)3", "四(五)9", "四(五)10"]
        );
        assert_eq!(compare_articles("四(三)5", "四(三)5"), Ordering::Equal);
        assert_eq!(compare_articles("附则", "四(六)12"), Ordering::Greater);
    }

    #[test]
    fn a_clause_goes_after_the_last_that_comes_before_it() {
        let text = "id: x\nclauses:\n  - a        # 四(一)1\n  - b        # 四(三)5\n  - c        # 四(三)5\n\nkinds: {}\n";
        let article = |id: &str| match id {
            "a" => "四(一)1",
            _ => "四(三)5",
        };
        let before = |new: &'static str| {
            move |id: &str| compare_articles(article(id), new) != Ordering::Greater
        };
        let at = |new: &'static str| {
            insert_in_list(text, "clauses", "n", new, &before(new)).expect("a list")
        };
        assert_eq!(
            at("四(二)3"),
            "id: x\nclauses:\n  - a        # 四(一)1\n  - n        # 四(二)3\n  - b        # 四(三)5\n  - c        # 四(三)5\n\nkinds: {}\n"
        );
        // After both clauses of the same article; first when it comes before them all.
        assert!(at("四(三)5").contains("  - c        # 四(三)5\n  - n        # 四(三)5\n\n"));
        assert!(at("三、1").starts_with("id: x\nclauses:\n  - n        # 三、1\n  - a"));
        // An empty list gets its first entry.
        assert_eq!(
            insert_in_list("clauses:\nkinds: {}\n", "clauses", "n", "一", &|_| true),
            Some("clauses:\n  - n\nkinds: {}\n".into())
        );
    }

    #[test]
    fn the_nearest_sentence_is_the_one_sharing_most() {
        let source = "一、总则\n对新认定的国家级孵化器给予50万元奖励。对首次认定的高新技术企业，给予20万元奖励。\n";
        assert_eq!(
            nearest_sentence(source, "对首次认定的高新技术企业给予30万元奖励"),
            Some("对首次认定的高新技术企业，给予20万元奖励。")
        );
        assert!(text_in_source(
            source,
            "对新认定的国家级孵化器 给予50万元奖励。"
        ));
    }
}
