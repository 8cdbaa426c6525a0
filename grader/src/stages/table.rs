//! The side-by-side tables the reports draw: one column per thread, every column as
//! wide as the widest cell (ThreadSanitizer's conflicting accesses).

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
