//! `translations`: the table on stdout, the CSV asked for, the counts on stderr; `--diff`; or
//! `translations confirm`.

use guidepress::translations::{self, confirm};
use guidepress::{Error, Project};

use super::report::{Report, plural};
use super::{TranslationsAction, TranslationsArgs};

/// Runs `translations`.
pub fn run(project: &Project, args: &TranslationsArgs, report: &Report) -> Result<(), Error> {
    if let Some(TranslationsAction::Confirm(c)) = &args.action {
        let request = confirm::Confirmation {
            lang: &c.lang,
            chapter: &c.chapter,
            by: &c.by,
            on: c.on.as_deref(),
            today: guidepress::model::date::today_anywhere(),
        };
        let done = confirm::confirm(project, &request)?;
        report.line(format!(
            "recorded {} ({} before) as confirmed on {} in {}; the next build rebuilds {}",
            done.chapter,
            done.was,
            done.on,
            done.file,
            if done.editions.is_empty() { "no edition".into() } else { done.editions.join(", ") }
        ));
        return Ok(());
    }
    if let Some([lang, chapter]) = args.diff.as_deref() {
        print!("{}", translations::diff(project, lang, chapter)?);
        return Ok(());
    }
    let langs = translations::languages(project, &args.langs)?;
    let t = &project.translations;
    let csv = args.csv.as_ref().map(|_| translations::to_csv(t, &langs));
    print!("{}", translations::table(t, &langs));
    if let (Some(path), Some(bytes)) = (&args.csv, csv) {
        guidepress::output::write_atomic(path, &bytes)?;
        report.wrote(path, &format!("{} translated chapters", translations::counts(t, &langs).0));
    }
    let (all, current, behind) = translations::counts(t, &langs);
    report.line(format!(
        "{all} translated chapter{}: {current} current, {behind} to check again{}",
        plural(all),
        if behind > 0 { " (an edition printing one is a draft)" } else { "" }
    ));
    Ok(())
}
