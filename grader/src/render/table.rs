//! The side-by-side tables the reports draw: one column per thread, every column as
//! wide as the widest cell (ThreadSanitizer's conflicting accesses).

use crate::report::Conflict;

/// A table's column layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    columns: usize,
    width: usize,
}

impl Table {
    /// `columns` columns wide enough for every one of `cells` (headers included).
    pub fn new<'a>(columns: usize, cells: impl IntoIterator<Item = &'a str>) -> Table {
        let width = cells
            .into_iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0);
        Table { columns, width }
    }

    /// A row with `texts` in the columns from the first on.
    pub fn row<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> String {
        let mut texts = texts.into_iter();
        let width = self.width;
        let mut line = String::from("|");
        for _ in 0..self.columns {
            let text = texts.next().unwrap_or("");
            line.push_str(&format!(" {text:<width$} |"));
        }
        line
    }
}

/// The first report's conflicting operations side by side, one column per thread.
pub fn side_by_side(conflicts: &[Conflict]) -> String {
    let first: Vec<&Conflict> = conflicts.iter().filter(|c| c.report == 1).collect();
    let cells: Vec<(String, String)> = first
        .iter()
        .map(|c| {
            let place = c.location.as_deref().unwrap_or("?");
            (c.thread.clone(), format!("{} at {place}", c.operation))
        })
        .collect();
    let table = Table::new(
        cells.len(),
        cells.iter().flat_map(|(t, c)| [t.as_str(), c.as_str()]),
    );
    let mut lines = vec![
        table.row(cells.iter().map(|(t, _)| t.as_str())),
        table.row(cells.iter().map(|(_, c)| c.as_str())),
    ];
    if let Some(kind) = first.first().map(|c| &c.kind) {
        lines.push(format!("✗ ThreadSanitizer: {kind}"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::Table;

    #[test]
    fn columns_are_as_wide_as_the_widest_cell() {
        let table = Table::new(2, ["T1", "x → 1", "main"]);
        assert_eq!(table.row(["T1", "main"]), "| T1    | main  |");
        assert_eq!(table.row(["", "x → 1"]), "|       | x → 1 |");
    }
}
