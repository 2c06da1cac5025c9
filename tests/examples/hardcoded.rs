//! The baseline of `scripts/bench.sh`: the eight money clauses of the Suzhou (宿州) draft
//! hard-coded in plain Rust (serde_json, rust_decimal, rayon), the "hand-written program" that
//! the engine's speed target is measured against (the shared benchmark's README).
//!
//! It reads a JSONL file of applications (POLICY.md section 2) whole, parses each line into a
//! serde struct and decides it on every core (rayon), applies the duplicate-id rule and the
//! yearly limit of scenario cases, and writes the decisions document of POLICY.md section 3 —
//! the same shape as `policy run --format json` — with serde_json. The rules are stated as in
//! `tests/tests/differential.rs`: amounts and caps are constants here, which is exactly what the
//! pack exists to avoid; this program is for timing, and its ids, statuses and amounts agree
//! with the engine's.
//!
//! ```sh
//! cargo run --release -p policy-tests --example hardcoded -- IN.jsonl OUT.json
//! ```
//!
//! Exit code 0 when every application was decided, 1 when some had errors (as `policy run`).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use rayon::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// 四(一)1: no more than this many scenario cases a year
const YEARLY_LIMIT: usize = 10;
/// 四(四)8: 10% of the amount paid, at most 50万 an item
const TRANSFER_RATE: Decimal = Decimal::from_parts(10, 0, 0, false, 2);
const TRANSFER_CAP: Decimal = Decimal::from_parts(500_000, 0, 0, false, 0);

/// An application (POLICY.md section 2): the fields every kind has, then the facts of each kind
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Application<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    year: Option<i64>,
    #[serde(borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    applicant: Option<Applicant<'a>>,
    #[serde(rename = "area")]
    _area: Option<Area>,
    selected: Option<bool>,
    /// Numbers stay text (serde_json's arbitrary_precision): read as exact decimals below
    score: Option<Value>,
    level: Option<Level>,
    platform_type: Option<PlatformType>,
    newly_recognized: Option<bool>,
    tier: Option<i64>,
    station_type: Option<StationType>,
    newly_approved: Option<bool>,
    seller_in_city: Option<bool>,
    contract_amount: Option<Value>,
    paid_amount: Option<Value>,
    recognition: Option<Recognition>,
    prize: Option<Prize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Applicant<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    in_city: Option<bool>,
    #[serde(borrow)]
    credit_code: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
enum Area {
    #[serde(rename = "通用智能")]
    GeneralIntelligence,
    #[serde(rename = "空天信息")]
    Aerospace,
    #[serde(rename = "低碳能源")]
    LowCarbonEnergy,
    #[serde(rename = "生命健康")]
    LifeAndHealth,
    #[serde(rename = "先进材料")]
    AdvancedMaterials,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Level {
    National,
    Provincial,
    City,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum PlatformType {
    KeyLab,
    TechInnovationCenter,
    EnterpriseRdCenter,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum StationType {
    Workstation,
    InnovationCenter,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Recognition {
    First,
    Repeat,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Prize {
    First,
    Second,
    Third,
}

/// A kind of application and the clause that decides it
struct Clause {
    kind: &'static str,
    id: &'static str,
    article: &'static str,
    title: &'static str,
    fields: &'static [&'static str],
}

const CLAUSES: [Clause; 8] = [
    Clause {
        kind: "scenario_case",
        id: "scenario-case",
        article: "四(一)1",
        title: "市级重大应用场景典型案例奖励",
        fields: &["selected", "score"],
    },
    Clause {
        kind: "rd_platform",
        id: "rd-platform",
        article: "四(二)3",
        title: "新认定国家级、省级研发平台奖励",
        fields: &["level", "platform_type", "newly_recognized"],
    },
    Clause {
        kind: "talent_team",
        id: "talent-team",
        article: "四(三)5",
        title: "市级高层次科技人才团队资金支持",
        fields: &["tier"],
    },
    Clause {
        kind: "academician_station",
        id: "academician-station",
        article: "四(三)5",
        title: "院士工作站、院士（专家）创新中心奖励",
        fields: &["level", "station_type", "newly_approved"],
    },
    Clause {
        kind: "tech_transfer",
        id: "tech-transfer",
        article: "四(四)8",
        title: "购买市外先进技术成果在宿转化补助",
        fields: &["seller_in_city", "contract_amount", "paid_amount"],
    },
    Clause {
        kind: "incubator",
        id: "incubator",
        article: "四(五)9",
        title: "新认定科技企业孵化器奖励",
        fields: &["level", "newly_recognized"],
    },
    Clause {
        kind: "high_tech_enterprise",
        id: "high-tech-enterprise",
        article: "四(五)10",
        title: "国家高新技术企业认定奖励",
        fields: &["recognition"],
    },
    Clause {
        kind: "competition_award",
        id: "competition-award",
        article: "四(六)12",
        title: "中国创新创业大赛宿州赛区获奖奖励",
        fields: &["prize"],
    },
];

/// The facts of each kind, once read and checked
enum Claim {
    ScenarioCase {
        selected: bool,
        score: Option<Decimal>,
    },
    RdPlatform {
        level: Level,
        newly_recognized: bool,
    },
    TalentTeam {
        tier: i64,
    },
    AcademicianStation {
        level: Level,
        station_type: StationType,
        newly_approved: bool,
    },
    TechTransfer {
        seller_in_city: bool,
        contract: Decimal,
        paid: Decimal,
    },
    Incubator {
        level: Level,
        newly_recognized: bool,
    },
    HighTechEnterprise {
        recognition: Recognition,
    },
    CompetitionAward {
        prize: Prize,
    },
}

#[derive(Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Status {
    Awarded,
    Ineligible,
    Capped,
    Error,
}

#[derive(Serialize)]
struct Decision<'a> {
    id: Option<Cow<'a, str>>,
    kind: Option<Cow<'a, str>>,
    clause: Option<&'static str>,
    status: Status,
    #[serde(serialize_with = "two_decimals")]
    amount: Decimal,
    reasons: Vec<String>,
    /// The year and score of a selected scenario case, which rank it under the yearly limit
    #[serde(skip)]
    rank: Option<(i64, Decimal)>,
}

#[derive(Serialize)]
struct Pack {
    id: &'static str,
    version: &'static str,
    fingerprint: &'static str,
}

#[derive(Serialize)]
struct Totals {
    applications: usize,
    awarded: usize,
    #[serde(serialize_with = "two_decimals")]
    amount: Decimal,
}

#[derive(Serialize)]
struct Document<'a> {
    pack: Pack,
    decisions: &'a [Decision<'a>],
    totals: Totals,
}

fn two_decimals<S: Serializer>(amount: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{amount:.2}"))
}

/// Yuan with thousands separators: 1234567.85 → 1,234,567.85
fn yuan(amount: Decimal) -> String {
    let text = amount.normalize().to_string();
    let (int_part, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A field the kind needs: its value, or an error saying it is missing
fn need<T: Copy>(errors: &mut Vec<String>, field: &str, value: Option<T>) -> Option<T> {
    if value.is_none() {
        errors.push(format!("missing field `{field}`"));
    }
    value
}

/// An exact decimal written as a number or a numeric text; with serde_json's
/// arbitrary_precision a number keeps the text it was written as, so no binary float is involved
fn decimal(errors: &mut Vec<String>, field: &str, value: Option<&Value>) -> Option<Decimal> {
    let text = match value? {
        Value::String(s) => s.as_str(),
        Value::Number(n) => n.as_str(),
        other => {
            errors.push(format!(
                "field `{field}`: expected a decimal number, found {other}"
            ));
            return None;
        }
    };
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str_exact(text)
    };
    match parsed {
        Ok(d) if d.is_sign_negative() && !d.is_zero() => {
            errors.push(format!("field `{field}`: `{text}` is negative"));
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(format!(
                "field `{field}`: expected a decimal number, found `{text}`"
            ));
            None
        }
    }
}

/// Yuan: required, not negative, whole fen
fn money(errors: &mut Vec<String>, field: &str, value: Option<&Value>) -> Option<Decimal> {
    let amount = decimal(errors, field, value);
    if value.is_none() {
        errors.push(format!(
            "missing field `{field}`: expected an amount in yuan"
        ));
    }
    match amount {
        Some(a) if a.normalize().scale() > 2 => {
            errors.push(format!(
                "field `{field}`: amount `{a}` has more than 2 decimals: amounts are whole fen"
            ));
            None
        }
        other => other,
    }
}

/// GB 32100-2015: 18 characters from a 31-symbol alphabet, the last a check character
fn check_credit_code(errors: &mut Vec<String>, code: &str) {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let values: Option<Vec<usize>> = code.chars().map(|c| ALPHABET.find(c)).collect();
    match values {
        Some(v) if v.len() == 18 => {
            let sum: usize = v.iter().zip(WEIGHTS).map(|(a, w)| a * w).sum();
            if v[17] != (31 - sum % 31) % 31 {
                errors.push(format!(
                    "field `applicant.credit_code`: `{code}` fails its check character"
                ));
            }
        }
        _ => errors.push(format!(
            "field `applicant.credit_code`: `{code}` is not an 18-character unified social credit code"
        )),
    }
}

/// Checks an application against its kind: the facts, or every error found
fn read_claim(app: &Application<'_>, clause: &Clause) -> Result<Claim, Vec<String>> {
    let mut errors = Vec::new();
    let e = &mut errors;
    if app.id.is_none() {
        e.push("missing `id`".into());
    }
    need(e, "year", app.year);
    match &app.applicant {
        None => e.push("missing field `applicant`".into()),
        Some(a) => {
            if a.name.is_none() {
                e.push("missing field `applicant.name`".into());
            }
            need(e, "applicant.in_city", a.in_city);
            if let Some(code) = &a.credit_code {
                check_credit_code(e, code);
            }
        }
    }
    // a field of another kind is an error too
    let present = [
        ("selected", app.selected.is_some()),
        ("score", app.score.is_some()),
        ("level", app.level.is_some()),
        ("platform_type", app.platform_type.is_some()),
        ("newly_recognized", app.newly_recognized.is_some()),
        ("tier", app.tier.is_some()),
        ("station_type", app.station_type.is_some()),
        ("newly_approved", app.newly_approved.is_some()),
        ("seller_in_city", app.seller_in_city.is_some()),
        ("contract_amount", app.contract_amount.is_some()),
        ("paid_amount", app.paid_amount.is_some()),
        ("recognition", app.recognition.is_some()),
        ("prize", app.prize.is_some()),
    ];
    for (field, _) in present
        .iter()
        .filter(|(f, p)| *p && !clause.fields.contains(f))
    {
        e.push(format!(
            "field `{field}` is not a field of kind `{}`",
            clause.kind
        ));
    }

    let claim = match clause.kind {
        "scenario_case" => need(e, "selected", app.selected).map(|selected| Claim::ScenarioCase {
            selected,
            score: decimal(e, "score", app.score.as_ref()),
        }),
        "rd_platform" => match (
            need(e, "level", app.level),
            need(e, "platform_type", app.platform_type),
            need(e, "newly_recognized", app.newly_recognized),
        ) {
            (Some(level), Some(_), Some(newly_recognized)) => Some(Claim::RdPlatform {
                level,
                newly_recognized,
            }),
            _ => None,
        },
        "talent_team" => match need(e, "tier", app.tier) {
            Some(tier @ 1..=3) => Some(Claim::TalentTeam { tier }),
            Some(tier) => {
                e.push(format!("field `tier`: `{tier}` is not 1, 2 or 3"));
                None
            }
            None => None,
        },
        "academician_station" => match (
            need(e, "level", app.level),
            need(e, "station_type", app.station_type),
            need(e, "newly_approved", app.newly_approved),
        ) {
            (Some(Level::National), _, _) => {
                e.push("field `level`: expected `provincial` or `city`, found `national`".into());
                None
            }
            (Some(level), Some(station_type), Some(newly_approved)) => {
                Some(Claim::AcademicianStation {
                    level,
                    station_type,
                    newly_approved,
                })
            }
            _ => None,
        },
        "tech_transfer" => match (
            need(e, "seller_in_city", app.seller_in_city),
            money(e, "contract_amount", app.contract_amount.as_ref()),
            money(e, "paid_amount", app.paid_amount.as_ref()),
        ) {
            (Some(seller_in_city), Some(contract), Some(paid)) => Some(Claim::TechTransfer {
                seller_in_city,
                contract,
                paid,
            }),
            _ => None,
        },
        "incubator" => match (
            need(e, "level", app.level),
            need(e, "newly_recognized", app.newly_recognized),
        ) {
            (Some(level), Some(newly_recognized)) => Some(Claim::Incubator {
                level,
                newly_recognized,
            }),
            _ => None,
        },
        "high_tech_enterprise" => need(e, "recognition", app.recognition)
            .map(|recognition| Claim::HighTechEnterprise { recognition }),
        _ => need(e, "prize", app.prize).map(|prize| Claim::CompetitionAward { prize }),
    };
    match claim {
        Some(claim) if errors.is_empty() => Ok(claim),
        _ => Err(errors),
    }
}

/// What the rule of a clause gives, before the yearly limit
enum Outcome {
    Award(Decimal, Vec<String>),
    Ineligible(&'static str),
    Error(&'static str),
}

/// An award of a fixed amount; `what` ends with the verb (奖励, 资金支持) the amount follows
fn award(yuan_amount: i64, what: &str) -> Outcome {
    let amount = Decimal::from(yuan_amount);
    Outcome::Award(amount, vec![format!("{what} {} 元", yuan(amount))])
}

/// The rules of the draft, clause by clause (POLICY.md section 1)
fn rule(claim: &Claim) -> Outcome {
    use Outcome::Ineligible;
    match *claim {
        // 四(一)1: 20万 per selected case; the yearly limit is applied afterwards
        Claim::ScenarioCase { selected, score } => match (selected, score) {
            (false, _) => Ineligible("未入选市级重大应用场景典型案例"),
            (true, None) => Outcome::Error(
                "field `score`: a selected case needs its score, which ranks it under the yearly limit",
            ),
            (true, Some(_)) => award(200_000, "入选市级重大应用场景典型案例，每项奖励"),
        },
        // 四(二)3: newly recognized national / provincial platforms, 200万 / 40万
        Claim::RdPlatform {
            level,
            newly_recognized,
        } => match (newly_recognized, level) {
            (false, _) => Ineligible("本条只奖励新认定的研发平台，本平台不是新认定"),
            (true, Level::National) => award(2_000_000, "新认定国家级研发平台，奖励"),
            (true, Level::Provincial) => award(400_000, "新认定省级研发平台，奖励"),
            (true, Level::City) => {
                Ineligible("本条只奖励国家级、省级研发平台，市级研发平台不予奖励")
            }
        },
        // 四(三)5: talent teams by tier, 300万 / 200万 / 100万
        Claim::TalentTeam { tier } => {
            let amount = match tier {
                1 => 3_000_000,
                2 => 2_000_000,
                _ => 1_000_000,
            };
            award(
                amount,
                &format!("获批市级高层次科技人才团队（{tier} 类），资金支持"),
            )
        }
        // 四(三)5: new provincial workstation 50万; new city innovation center 50万, workstation 20万
        Claim::AcademicianStation {
            level,
            station_type,
            newly_approved,
        } => match (newly_approved, level, station_type) {
            (false, _, _) => Ineligible("本条只奖励新获批的院士工作站、创新中心，本站不是新获批"),
            (true, Level::Provincial, StationType::Workstation) => {
                award(500_000, "新获批省级院士工作站，奖励")
            }
            (true, Level::Provincial, StationType::InnovationCenter) => {
                Ineligible("本条未列省级院士（专家）创新中心，不予奖励")
            }
            (true, _, StationType::InnovationCenter) => {
                award(500_000, "新获批市级院士（专家）创新中心，奖励")
            }
            (true, _, StationType::Workstation) => {
                award(200_000, "新获批市级院士（专家）工作站，奖励")
            }
        },
        // 四(四)8: 10% of min(paid, contract), at most 50万 an item, half-up to the fen
        Claim::TechTransfer {
            seller_in_city,
            contract,
            paid,
        } => {
            if seller_in_city {
                return Ineligible("技术成果卖方在市内：本条只补助购买市外先进技术成果");
            }
            let base = paid.min(contract);
            if base.is_zero() {
                return Ineligible(
                    "补助基数（实际支付额与合同成交额中较小者）为 0，没有可补助的金额",
                );
            }
            let basis = if paid > contract {
                format!(
                    "实际支付额 {} 元超过合同成交额，按合同成交额 {} 元计",
                    yuan(paid),
                    yuan(base)
                )
            } else {
                format!("按实际支付额 {} 元计", yuan(base))
            };
            let share = base * TRANSFER_RATE;
            let mut reasons = Vec::with_capacity(3);
            reasons.push(format!("{basis}，补助 10%，计 {} 元", yuan(share)));
            let capped = share.min(TRANSFER_CAP);
            if share > TRANSFER_CAP {
                reasons.push(format!(
                    "计算金额 {} 元超过单项上限 {} 元（tech-transfer.cap），按上限核定",
                    yuan(share),
                    yuan(TRANSFER_CAP)
                ));
            }
            let amount = capped.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            if amount != capped {
                reasons.push(format!(
                    "金额 {} 元四舍五入到分为 {} 元",
                    yuan(capped),
                    yuan(amount)
                ));
            }
            Outcome::Award(amount, reasons)
        }
        // 四(五)9: new incubators, national 50万, provincial 25万, city 15万
        Claim::Incubator {
            level,
            newly_recognized,
        } => match (newly_recognized, level) {
            (false, _) => Ineligible("本条只奖励新认定的科技企业孵化器，本孵化器不是新认定"),
            (true, Level::National) => award(500_000, "新认定国家级科技企业孵化器，奖励"),
            (true, Level::Provincial) => award(250_000, "新认定省级科技企业孵化器，奖励"),
            (true, Level::City) => award(150_000, "新认定市级科技企业孵化器，奖励"),
        },
        // 四(五)10: high-tech enterprises, first 20万, again 10万
        Claim::HighTechEnterprise { recognition } => match recognition {
            Recognition::First => award(200_000, "首次认定国家高新技术企业，奖励"),
            Recognition::Repeat => award(100_000, "再次认定国家高新技术企业，奖励"),
        },
        // 四(六)12: competition prizes, 5万 / 3万 / 1万
        Claim::CompetitionAward { prize } => match prize {
            Prize::First => award(50_000, "获中国创新创业大赛宿州赛区一等奖，奖励"),
            Prize::Second => award(30_000, "获中国创新创业大赛宿州赛区二等奖，奖励"),
            Prize::Third => award(10_000, "获中国创新创业大赛宿州赛区三等奖，奖励"),
        },
    }
}

impl<'a> Decision<'a> {
    fn new(
        id: Option<Cow<'a, str>>,
        kind: Option<Cow<'a, str>>,
        clause: Option<&'static str>,
    ) -> Self {
        Decision {
            id,
            kind,
            clause,
            status: Status::Ineligible,
            amount: Decimal::ZERO,
            reasons: Vec::new(),
            rank: None,
        }
    }

    fn error(mut self, reasons: Vec<String>) -> Self {
        self.status = Status::Error;
        self.amount = Decimal::ZERO;
        self.reasons = reasons;
        self.rank = None;
        self
    }
}

/// A line that does not fit the struct (a mistyped field, an unknown field, not JSON):
/// an error decision, with the id and kind when the line is JSON at all
fn unreadable(line: &str, error: &serde_json::Error) -> Decision<'static> {
    let value: Value = serde_json::from_str(line).unwrap_or_default();
    let text = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(|s| Cow::Owned(s.to_owned()))
    };
    let (id, kind) = (text("id"), text("kind"));
    let clause = kind
        .as_deref()
        .and_then(|k| CLAUSES.iter().find(|c| c.kind == k))
        .map(|c| c.id);
    Decision::new(id, kind, clause).error(vec![error.to_string()])
}

/// One line of the input: parse, check, decide
fn decide(line: &str) -> Decision<'_> {
    let app: Application<'_> = match serde_json::from_str(line) {
        Ok(app) => app,
        Err(e) => return unreadable(line, &e),
    };
    let Some(clause) = app
        .kind
        .as_deref()
        .and_then(|k| CLAUSES.iter().find(|c| c.kind == k))
    else {
        let reason = match &app.kind {
            Some(k) => format!("field `kind`: unknown kind `{k}`"),
            None => "missing field `kind`".into(),
        };
        return Decision::new(app.id, app.kind, None).error(vec![reason]);
    };
    let claim = read_claim(&app, clause);
    let in_city = app.applicant.as_ref().and_then(|a| a.in_city) == Some(true);
    let year = app.year.unwrap_or_default();
    let decision = Decision::new(app.id, app.kind, Some(clause.id));
    let claim = match claim {
        Ok(claim) => claim,
        Err(errors) => return decision.error(errors),
    };
    decide_claim(decision, clause, &claim, in_city, year)
}

fn decide_claim<'a>(
    mut decision: Decision<'a>,
    clause: &Clause,
    claim: &Claim,
    in_city: bool,
    year: i64,
) -> Decision<'a> {
    // 本方案只支持在宿单位: an applicant outside the city gets nothing from any clause
    if !in_city {
        decision.reasons = vec![
            "申报单位不在宿州市内（applicant.in_city 为 false），本方案各条款均不予支持".into(),
        ];
        return decision;
    }
    let cite = |text: &str| format!("{} {}：{text}", clause.article, clause.title);
    match rule(claim) {
        Outcome::Award(amount, mut reasons) => {
            if let Some(first) = reasons.first_mut() {
                *first = cite(first);
            }
            decision.status = Status::Awarded;
            decision.amount = amount;
            decision.reasons = reasons;
            if let Claim::ScenarioCase {
                score: Some(score), ..
            } = *claim
            {
                decision.rank = Some((year, score));
            }
            decision
        }
        Outcome::Ineligible(reason) => {
            decision.reasons = vec![cite(reason)];
            decision
        }
        Outcome::Error(reason) => decision.error(vec![reason.into()]),
    }
}

/// A duplicate id: the first application with it is decided, every later one is an error
fn reject_duplicates(decisions: &mut [Decision<'_>]) {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(decisions.len());
    let mut duplicates = Vec::new();
    for (i, d) in decisions.iter().enumerate() {
        if let Some(id) = d.id.as_deref() {
            if let Some(&earlier) = first.get(id) {
                duplicates.push((i, earlier));
            } else {
                first.insert(id, i);
            }
        }
    }
    for (i, earlier) in duplicates {
        let d = &mut decisions[i];
        let reason = format!(
            "duplicate id `{}`: application #{} has it already; only the first is decided",
            d.id.as_deref().unwrap_or_default(),
            earlier + 1
        );
        d.status = Status::Error;
        d.amount = Decimal::ZERO;
        d.reasons = vec![reason];
        d.rank = None;
    }
}

/// 四(一)1 每年评选不超过10项: the selected cases of a year ranked by score (highest first),
/// ties by id; those past the limit are capped
fn apply_yearly_limit(decisions: &mut [Decision<'_>]) {
    let mut by_year: BTreeMap<i64, Vec<(Decimal, usize)>> = BTreeMap::new();
    for (i, d) in decisions.iter().enumerate() {
        if let (Status::Awarded, Some((year, score))) = (d.status, d.rank) {
            by_year.entry(year).or_default().push((score, i));
        }
    }
    for (year, mut members) in by_year {
        members.sort_by(|(sx, x), (sy, y)| {
            sy.cmp(sx)
                .then_with(|| decisions[*x].id.cmp(&decisions[*y].id))
        });
        let count = members.len();
        for (place, (score, i)) in members.into_iter().enumerate() {
            let d = &mut decisions[i];
            let ranked = format!(
                "四(一)1：year={year} 组内按 score（本项 {}）从高到低排名、同分按编号，本项第 {} 名，共 {count} 项",
                score.normalize(),
                place + 1
            );
            if place < YEARLY_LIMIT {
                d.reasons
                    .push(format!("{ranked}，在限额 {YEARLY_LIMIT} 项之内"));
            } else {
                d.status = Status::Capped;
                d.amount = Decimal::ZERO;
                d.reasons.push(format!(
                    "{ranked}，超过每年不超过 {YEARLY_LIMIT} 项的限额，不予奖励"
                ));
            }
        }
    }
}

fn main() -> Result<ExitCode, Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = args.as_slice() else {
        eprintln!("usage: hardcoded IN.jsonl OUT.json");
        return Ok(ExitCode::from(2));
    };

    let text = std::fs::read_to_string(input)?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut decisions: Vec<Decision<'_>> = lines.par_iter().map(|line| decide(line)).collect();
    reject_duplicates(&mut decisions);
    apply_yearly_limit(&mut decisions);

    let mut totals = Totals {
        applications: decisions.len(),
        awarded: 0,
        amount: Decimal::ZERO,
    };
    let mut errors = 0;
    for d in &decisions {
        match d.status {
            Status::Awarded => {
                totals.awarded += 1;
                totals.amount += d.amount;
            }
            Status::Error => errors += 1,
            Status::Ineligible | Status::Capped => {}
        }
    }
    let document = Document {
        pack: Pack {
            id: "suzhou-future-industries",
            version: "hardcoded",
            fingerprint: "none: the rules are hard-coded in tests/examples/hardcoded.rs",
        },
        decisions: &decisions,
        totals,
    };
    let mut out = BufWriter::new(File::create(output)?);
    serde_json::to_writer_pretty(&mut out, &document)?;
    out.write_all(b"\n")?;
    out.flush()?;

    if errors > 0 {
        eprintln!(
            "{errors} of {} applications had errors; every other application was decided",
            decisions.len()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
