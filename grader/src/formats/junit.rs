//! JUnit XML, as GitLab, Jenkins, GitHub test reporters and most CI systems read it.
//!
//! One `<testsuite>` per subject and exercise, named `<exercise>/<subject>`; in it one
//! `<testcase>` per stage, named after the stage, with the class name
//! `racelab.<exercise>.<subject>`: names that stay the same from run to run, so CI can
//! follow a subject's history. A stage that found a bug, timed out, or could not run
//! because of the subject (it does not build, it was refused, there was nothing to
//! grade) is a `<failure>`; one the grader could not run is an `<error>`; one that was
//! not selected is `<skipped>`, unless it was required (`--require`), which makes it a
//! `<failure>`. A subject with no fix to judge (`missing`: nothing sent; `unchanged`:
//! sent as shipped) has every case `<skipped>`, with the reason, required or not:
//! neither is a failure of a fix. Every case that ran carries its evidence, replay command included, in
//! `<system-out>`. Suite properties record the verdict and what was graded (versions
//! and hashes). No timestamps: the same reports give the same file. `<testsuites>`
//! carries no `skipped` attribute, which Jenkins' schema does not have there; each
//! `<testsuite>` counts its own.

use super::{Graded, Outcome, stage_text};
use crate::render::{self, FORMAT_WIDTH};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

/// The JUnit XML of `graded`.
pub fn render(graded: &[Graded<'_>]) -> String {
    write(graded).unwrap_or_else(|e| unreachable!("writing XML to memory cannot fail: {e}"))
}

fn write(graded: &[Graded<'_>]) -> io::Result<String> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut totals = Counts::default();
    for g in graded {
        totals.add(&Counts::of(g));
    }
    let time: f64 = graded.iter().map(|g| seconds(g.report.duration_ms)).sum();
    writer
        .create_element("testsuites")
        .with_attributes(
            [
                ("name", "racelab".to_owned()),
                ("tests", totals.tests.to_string()),
                ("failures", totals.failures.to_string()),
                ("errors", totals.errors.to_string()),
                ("time", format!("{time:.3}")),
            ]
            .iter()
            .map(|(k, v)| (*k, v.as_str())),
        )
        .write_inner_content(|w| {
            for g in graded {
                suite(w, g)?;
            }
            Ok(())
        })?;
    let mut xml = writer.into_inner();
    xml.push(b'\n');
    Ok(String::from_utf8_lossy(&xml).into_owned())
}

#[derive(Debug, Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn of(g: &Graded<'_>) -> Counts {
        let mut counts = Counts::default();
        for stage in &g.report.stages {
            counts.tests += 1;
            match Outcome::of(g.report, stage) {
                Outcome::Passed => {}
                Outcome::Failed => counts.failures += 1,
                Outcome::Errored => counts.errors += 1,
                Outcome::Skipped => counts.skipped += 1,
            }
        }
        counts
    }

    fn add(&mut self, other: &Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
    }
}

fn suite(w: &mut Writer<Vec<u8>>, g: &Graded<'_>) -> io::Result<()> {
    let report = g.report;
    let counts = Counts::of(g);
    let name = format!("{}/{}", report.exercise, g.name);
    let class = format!(
        "racelab.{}.{}",
        report.exercise,
        g.name.replace(['.', ' '], "_")
    );
    let attributes = [
        ("name", clean(&name)),
        ("tests", counts.tests.to_string()),
        ("failures", counts.failures.to_string()),
        ("errors", counts.errors.to_string()),
        ("skipped", counts.skipped.to_string()),
        ("time", format!("{:.3}", seconds(report.duration_ms))),
    ];
    w.create_element("testsuite")
        .with_attributes(attributes.iter().map(|(k, v)| (*k, v.as_str())))
        .write_inner_content(|w| {
            let properties = [
                ("verdict", report.verdict.as_str().to_owned()),
                ("subject", report.subject.clone()),
                ("subject_hash", report.subject_hash.clone()),
                ("grader_version", report.grader_version.clone()),
                ("manifest_hash", report.manifest_hash.clone()),
                ("scenario_hash", report.scenario_hash.clone()),
                (
                    "required",
                    report
                        .required
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                ),
            ];
            w.create_element("properties").write_inner_content(|w| {
                for (name, value) in &properties {
                    w.create_element("property")
                        .with_attributes([("name", *name), ("value", clean(value).as_str())])
                        .write_empty()?;
                }
                Ok(())
            })?;
            for stage in &report.stages {
                let time = format!("{:.3}", seconds(stage.duration_ms));
                let case = w.create_element("testcase").with_attributes([
                    ("name", stage.name.as_str()),
                    ("classname", clean(&class).as_str()),
                    ("time", time.as_str()),
                ]);
                let outcome = Outcome::of(report, stage);
                let summary = clean(&stage.summary);
                match outcome {
                    Outcome::Skipped => {
                        case.write_inner_content(|w| {
                            w.create_element("skipped")
                                .with_attribute(("message", summary.as_str()))
                                .write_empty()?;
                            Ok(())
                        })?;
                    }
                    _ => {
                        case.write_inner_content(|w| {
                            let element = match outcome {
                                Outcome::Failed => Some("failure"),
                                Outcome::Errored => Some("error"),
                                _ => None,
                            };
                            if let Some(element) = element {
                                let evidence = &stage.evidence;
                                let trace = render::trace(evidence, FORMAT_WIDTH);
                                let body = [evidence.failure.as_deref(), trace.as_deref()]
                                    .into_iter()
                                    .flatten()
                                    .chain(evidence.compile_errors.iter().map(String::as_str))
                                    .chain(evidence.fault.as_deref())
                                    .collect::<Vec<_>>()
                                    .join("\n");
                                let body = if body.is_empty() {
                                    summary.clone()
                                } else {
                                    clean(&body)
                                };
                                w.create_element(element)
                                    .with_attributes([
                                        ("message", summary.as_str()),
                                        ("type", Outcome::kind(stage)),
                                    ])
                                    .write_text_content(BytesText::new(&body))?;
                            }
                            w.create_element("system-out")
                                .write_text_content(BytesText::new(&clean(&stage_text(stage))))?;
                            Ok(())
                        })?;
                    }
                }
            }
            Ok(())
        })?;
    Ok(())
}

fn seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

/// `text` with every character XML 1.0 forbids (control characters a subject may
/// print, like a terminal's colour codes) replaced by U+FFFD.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{clean, render};
    use crate::formats::Graded;
    use crate::formats::tests::caught;
    use crate::report::Status;
    use crate::verdict::Verdict;
    use quick_xml::Reader;
    use quick_xml::XmlVersion;
    use quick_xml::events::Event;

    /// Every element's name and attributes, in document order, checking the XML is
    /// well formed on the way.
    fn elements(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut reader = Reader::from_str(xml);
        let mut found = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) => {
                    let attributes = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            let value = a.normalized_value(XmlVersion::Implicit1_0).unwrap();
                            (a.key.as_ref().to_owned(), value.into_owned())
                        })
                        .collect();
                    found.push((e.name().as_ref().to_owned(), attributes));
                }
                Event::Eof => return found,
                _ => {}
            }
        }
    }

    fn attribute<'a>(element: &'a (String, Vec<(String, String)>), key: &str) -> &'a str {
        element
            .1
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {key} in {element:?}"))
    }

    #[test]
    fn one_suite_per_subject_one_case_per_stage_with_counts() {
        let report = caught();
        let xml = render(&[Graded {
            name: "alice",
            report: &report,
        }]);
        let found = elements(&xml);
        let suite = found.iter().find(|e| e.0 == "testsuite").unwrap();
        assert_eq!(attribute(suite, "name"), "ex01/alice");
        assert_eq!(attribute(suite, "tests"), "4");
        assert_eq!(attribute(suite, "failures"), "2");
        assert_eq!(attribute(suite, "skipped"), "1");
        // Jenkins' schema has no `skipped` on <testsuites>: only the suites say it.
        let suites = found.iter().find(|e| e.0 == "testsuites").unwrap();
        assert!(suites.1.iter().all(|(k, _)| k != "skipped"), "{suites:?}");
        let cases: Vec<_> = found
            .iter()
            .filter(|e| e.0 == "testcase")
            .map(|e| (attribute(e, "name"), attribute(e, "classname")))
            .collect();
        assert_eq!(
            cases,
            [
                ("loom", "racelab.ex01.alice"),
                ("shuttle", "racelab.ex01.alice"),
                ("stress", "racelab.ex01.alice"),
                ("tsan", "racelab.ex01.alice"),
            ]
        );
        assert!(
            xml.contains("replay: cargo xtask replay ex01 --stage loom"),
            "{xml}"
        );
        assert_eq!(
            xml,
            render(&[Graded {
                name: "alice",
                report: &report
            }])
        );
    }

    #[test]
    fn a_required_stage_that_was_skipped_is_a_failure() {
        let mut report = caught();
        report.required = vec![crate::StageId::Tsan];
        let xml = render(&[Graded {
            name: "alice",
            report: &report,
        }]);
        let found = elements(&xml);
        let kinds: Vec<_> = found
            .iter()
            .filter(|e| e.0 == "failure")
            .map(|e| attribute(e, "type"))
            .collect();
        assert_eq!(kinds, ["fail", "fail", "required-stage-skipped"]);
        assert!(!found.iter().any(|e| e.0 == "skipped"));
    }

    #[test]
    fn a_missing_or_unchanged_subject_is_skipped_even_where_required() {
        for verdict in [Verdict::Missing, Verdict::Unchanged] {
            let mut report = caught();
            report.verdict = verdict;
            report.required = vec![crate::StageId::Loom, crate::StageId::Tsan];
            for stage in &mut report.stages {
                stage.status = Status::Skipped;
                stage.summary = format!("{verdict}: nothing to judge");
            }
            let xml = render(&[Graded {
                name: "alice",
                report: &report,
            }]);
            let found = elements(&xml);
            let suite = found.iter().find(|e| e.0 == "testsuite").unwrap();
            assert_eq!(attribute(suite, "failures"), "0", "{xml}");
            assert_eq!(attribute(suite, "errors"), "0");
            assert_eq!(attribute(suite, "skipped"), "4");
            let skipped = found.iter().filter(|e| e.0 == "skipped").count();
            assert_eq!(skipped, 4, "{xml}");
            assert!(xml.contains(&format!("value=\"{verdict}\"")), "{xml}");
        }
    }

    #[test]
    fn what_a_subject_prints_cannot_break_the_xml() {
        let mut report = caught();
        report.stages[0].summary = "\u{1b}[31m<boom> & \"quotes\"\u{0}".into();
        report.stages[0].evidence.output_tail = Some("]]> </system-out> \u{7}".into());
        let xml = render(&[Graded {
            name: "a<b",
            report: &report,
        }]);
        let found = elements(&xml);
        let failure = found.iter().find(|e| e.0 == "failure").unwrap();
        assert_eq!(
            attribute(failure, "message"),
            "\u{FFFD}[31m<boom> & \"quotes\"\u{FFFD}"
        );
        assert_eq!(clean("tab\tok"), "tab\tok");
    }
}
