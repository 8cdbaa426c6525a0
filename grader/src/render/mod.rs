//! Drawing a report for a reader: the report page and the class page (`page`).

pub mod page;
