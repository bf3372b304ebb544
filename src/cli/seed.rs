//! `salle seed --demo` and `salle seed --synthetic`.

use anyhow::Context;
use clap::Args;

use super::{GlobalArgs, open};
use crate::config::{DEFAULT_BIND, Settings};

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// The demo marketplace: the 97 public collèges of Isère with two rooms
    /// each, the département's tariff grid, a few associations and requests.
    /// Seeding twice changes nothing.
    #[arg(long, conflicts_with = "synthetic")]
    demo: bool,
    /// Synthetic data for benchmarks, deterministic from --seed.
    #[arg(long, requires = "scale")]
    synthetic: bool,
    /// How much synthetic data: `departement` (~2,000 rooms, ~300,000
    /// events) or `national` (100 départements, ~30 million events).
    #[arg(long, value_parser = ["departement", "national"])]
    scale: Option<String>,
    /// How many départements, overriding the scale's (national: 100);
    /// for measuring how figures grow with the data.
    #[arg(long, requires = "synthetic", value_parser = clap::value_parser!(u16).range(1..=100))]
    departements: Option<u16>,
    /// The seed of the synthetic generator.
    #[arg(long, default_value_t = 38)]
    seed: u64,
}

pub(super) async fn seed(g: &GlobalArgs, args: SeedArgs) -> anyhow::Result<()> {
    let SeedArgs { demo, synthetic, scale, departements, seed } = args;
    if !demo && !synthetic {
        anyhow::bail!("say what to seed: salle seed --demo, or salle seed --synthetic --scale departement");
    }
    let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
    let store = open(&settings).await?;
    store.migrate().await.context("applying the migrations")?;
    let calendar = crate::domain::calendar::Calendar::isere().map_err(anyhow::Error::msg)?;
    let calendar = std::sync::Arc::new(calendar);
    if synthetic {
        let commands = crate::commands::Commands::staged(store.clone(), calendar);
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg:>24} [{bar:40}] {pos}/{len} ({elapsed})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        let started = std::time::Instant::now();
        let (mut scale, mut name) = match scale.as_deref() {
            Some("national") => (crate::seed::synthetic::Scale::NATIONAL, "national".to_owned()),
            _ => (crate::seed::synthetic::Scale::DEPARTEMENT, "département".to_owned()),
        };
        if let Some(n) = departements {
            scale.departements = n.into();
            name = format!("{n}-département");
        }
        // Without a terminal the bar is hidden: each step is logged once instead.
        let step_logged = std::cell::RefCell::new(String::new());
        let generated = crate::seed::synthetic::generate(&commands, scale, seed, |step, done, total| {
            if bar.is_hidden() && *step_logged.borrow() != step {
                eprintln!("salle: {step} ({:.0} s)", started.elapsed().as_secs_f64());
                step.clone_into(&mut step_logged.borrow_mut());
            }
            bar.set_message(step.to_owned());
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
        bar.finish_and_clear();
        let events = store.count_after(salle_events::LogPosition::START).await?;
        eprintln!(
            "salle: synthetic {name} data (seed {seed}) in {:.1} s: {} establishments, {} rooms, \
             {} associations, {} series, {} bookings, {} payments; {events} events in the log",
            started.elapsed().as_secs_f64(),
            generated.establishments,
            generated.rooms,
            generated.associations,
            generated.series,
            generated.bookings,
            generated.payments
        );
    } else {
        let commands = crate::commands::Commands::new(store.clone(), calendar);
        let seeded = crate::seed::demo(&commands, chrono::Utc::now()).await?;
        eprintln!(
            "salle: demo seeded: {} establishments, {} rooms, {} associations, {} booking requests",
            seeded.establishments, seeded.rooms, seeded.associations, seeded.bookings
        );
        for (role, email, password) in crate::seed::DEMO_ACCOUNTS {
            eprintln!("salle: demo account {role:<12} {email:<28} {password}");
        }
    }
    store.close().await;
    Ok(())
}
