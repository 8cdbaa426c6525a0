//! The symbols an executable or an archive defines, read in-process from its symbol
//! tables (the `object` crate): what `nm --defined-only` would list, without running
//! a command.

use object::read::archive::ArchiveFile;
use object::{Object, ObjectSymbol};
use std::path::Path;

/// How a defined symbol binds, as far as overriding goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// Global and not weak: it overrides a weak definition of the same name.
    Strong,
    /// Weak: another object's strong definition replaces it.
    Weak,
    /// Local to its object file.
    Local,
}

/// One defined symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defined {
    /// Its (mangled) name.
    pub name: String,
    /// How it binds.
    pub binding: Binding,
}

/// Every symbol `file` defines: an object file or executable (its static and dynamic
/// symbol tables), or an archive (every member's). `Err` says why it cannot be read.
pub fn defined(file: &Path) -> Result<Vec<Defined>, String> {
    let data = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let unreadable =
        |e: object::Error| format!("cannot read the symbols of {}: {e}", file.display());
    let Ok(archive) = ArchiveFile::parse(&*data) else {
        return in_object(&data).map_err(unreadable);
    };
    let mut symbols = Vec::new();
    for member in archive.members() {
        let member = member.map_err(unreadable)?;
        let bytes = member.data(&*data).map_err(unreadable)?;
        // Not every member is an object file (an archive's own symbol index is not).
        if let Ok(found) = in_object(bytes) {
            symbols.extend(found);
        }
    }
    Ok(symbols)
}

/// The defined symbols of one object file.
fn in_object(data: &[u8]) -> Result<Vec<Defined>, object::Error> {
    let file = object::File::parse(data)?;
    Ok(file
        .symbols()
        .chain(file.dynamic_symbols())
        .filter(|symbol| symbol.is_definition() || symbol.is_common())
        .filter_map(|symbol| {
            let binding = if symbol.is_weak() {
                Binding::Weak
            } else if symbol.is_global() {
                Binding::Strong
            } else {
                Binding::Local
            };
            let name = symbol.name().ok().filter(|n| !n.is_empty())?;
            Some(Defined {
                name: name.to_owned(),
                binding,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{Binding, defined};
    use std::path::Path;

    /// Defined here with a global name, as a subject's hook would be.
    #[unsafe(no_mangle)]
    pub extern "C" fn racelab_symbols_test_strong() -> u32 {
        7
    }

    #[test]
    fn an_executable_s_strong_global_definitions_are_found() {
        assert_eq!(racelab_symbols_test_strong(), 7);
        let symbols = defined(&std::env::current_exe().unwrap()).unwrap();
        let ours = symbols
            .iter()
            .find(|s| s.name == "racelab_symbols_test_strong")
            .expect("the test's own symbol");
        assert_eq!(ours.binding, Binding::Strong);
        assert!(
            symbols.iter().any(|s| s.binding == Binding::Local),
            "local symbols are listed too, as such"
        );
    }

    #[test]
    fn a_file_that_is_no_object_is_an_error_not_an_empty_list() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not an object file").unwrap();
        assert!(defined(&text).unwrap_err().contains("notes.txt"));
        assert!(defined(Path::new("/nonexistent/runner")).is_err());
    }
}
