//! Load the bundled Suzhou pack, decide two applications, and explain one.
//!
//! `cargo run -p policy-engine --example decide`

use policy_engine::{parse_applications, Engine, InputFormat};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pack = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../policies/suzhou-future-industries"
    );
    let engine = Engine::load(pack)?;
    let apps = parse_applications(
        r#"
- id: 2025-TR-0007
  year: 2025
  kind: tech_transfer
  applicant: { name: 宿州某新材料有限公司, in_city: true }
  seller_in_city: false
  contract_amount: 3000000
  paid_amount: "1234567.85"
- id: 2025-RP-0001
  year: 2025
  kind: rd_platform
  applicant: { name: 宿州某研发中心, in_city: true }
  level: city
  platform_type: enterprise_rd_center
  newly_recognized: true
"#,
        InputFormat::Yaml,
    )?;

    for d in engine.decide(&apps) {
        println!(
            "{} {} {} {}",
            d.id.unwrap_or_default(),
            d.status,
            d.amount,
            d.reasons.join("; ")
        );
    }
    if let Some(e) = engine.explain(&apps, "2025-TR-0007") {
        println!("arithmetic:");
        for step in &e.steps {
            println!("  {step}");
        }
    }
    Ok(())
}
