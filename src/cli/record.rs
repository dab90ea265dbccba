//! The commands of the record: `printed`, `shipments` (`void`, `forget`), `stock`,
//! `records backup`, and `ship --reprint`.

use guidepress::model::date::{Date, parse_date};
use guidepress::model::record::ShipmentFilter;
use guidepress::{Error, Project};

use super::report::Report;
use super::{Cli, PrintedArgs, RecordsAction, ShipmentsAction, ShipmentsArgs};

/// A `YYYY-MM-DD` option as a date, or a usage error naming the option.
pub fn date_option(option: &str, text: &str) -> Result<Date, Error> {
    let day = parse_date(text).ok_or_else(|| {
        Error::Usage(format!("{option} `{text}` is not a date; write it YYYY-MM-DD, e.g. 2026-12-07"))
    })?;
    Ok(Date::from_days(day))
}

/// `printed EDITION --copies N`.
pub fn printed(cli: &Cli, project: &Project, args: &PrintedArgs, report: &Report) -> Result<(), Error> {
    let on = match &args.on {
        Some(text) => date_option("--on", text)?,
        None => Date::now(),
    };
    if on.days() > guidepress::model::date::today_anywhere() {
        return Err(Error::Usage(format!("--on {on} is in the future; give the day the copies were printed")));
    }
    let done = guidepress::press::printed(
        project,
        cli.out.as_deref(),
        &args.edition,
        args.copies,
        on,
        &args.note,
        args.draft,
    )?;
    let r = &done.run;
    report.line(format!(
        "recorded {} cop{} of {} ({}) printed {}{}",
        r.copies,
        if r.copies == 1 { "y" } else { "ies" },
        r.print_code,
        r.edition,
        r.date,
        if r.draft { ", a draft" } else { "" }
    ));
    if done.new_release {
        report.line(format!("{} is new in the record, with its contacts as printed", r.print_code));
    }
    Ok(())
}

/// `shipments [--edition ID] [--print-code CODE] [--csv FILE]`, `shipments void`, `shipments forget`.
pub fn shipments(project: &Project, args: &ShipmentsArgs, report: &Report) -> Result<(), Error> {
    match &args.action {
        Some(ShipmentsAction::Void { batch, why }) => {
            guidepress::shipments::void(project, batch, why, Date::now())?;
            report
                .line(format!("batch {batch} voided: its lines no longer count as shipped; the next ship sends them"));
        }
        Some(ShipmentsAction::Forget { before }) => {
            let before = date_option("--before", before)?;
            let n = guidepress::shipments::forget(project, before)?;
            report.line(format!(
                "{n} line{} shipped before {before} reduced to counts (order, edition, print code, country, copies)",
                if n == 1 { "" } else { "s" }
            ));
        }
        None => {
            if let Some(id) = &args.edition {
                project.select(std::slice::from_ref(id))?;
            }
            let filter = ShipmentFilter { edition: args.edition.clone(), print_code: args.print_code.clone() };
            let rows = guidepress::shipments::shipments(project, &filter)?;
            let csv = args.csv.as_ref().map(|_| guidepress::shipments::table::shipments_csv(&rows)).transpose()?;
            print!("{}", guidepress::shipments::table::shipments(&rows));
            if let (Some(path), Some(bytes)) = (&args.csv, csv) {
                guidepress::output::write_atomic(path, &bytes)?;
                report.wrote(path, &format!("{} shipment lines", rows.len()));
            }
        }
    }
    Ok(())
}

/// `stock`.
pub fn stock(project: &Project) -> Result<(), Error> {
    let lines = guidepress::shipments::stock(project)?;
    print!("{}", guidepress::shipments::table::stock(&lines));
    Ok(())
}

/// `records backup FILE`.
pub fn records(project: &Project, action: &RecordsAction, report: &Report) -> Result<(), Error> {
    let RecordsAction::Backup { file } = action;
    guidepress::shipments::backup(project, file)?;
    report.wrote(file, &format!("a copy of {}", project.record_path().display()));
    Ok(())
}

/// `ship --reprint BATCH`: the batch's files again, byte for byte, from the record.
pub fn reprint(project: &Project, batch: &str, report: &Report) -> Result<(), Error> {
    let files = guidepress::shipments::reprint(project, batch)?;
    for (path, bytes) in files {
        report.wrote(&path, &format!("{} bytes, as recorded for batch {batch}", bytes));
    }
    Ok(())
}
