//! Finds the ops theon defines: every `impl Op for <Name>` in `src/`,
//! except in test-only code, which never reaches users (a test may define
//! an op to probe the executor or the optimizer). Test-only code is
//!
//! - any file under a directory named `tests` (`src/rewrite/tests/`),
//! - any file a `#[cfg(test)] mod name;` declares (honouring
//!   `#[path = "..."]`, as `ops/products/gemm_tests.rs` is included),
//! - any inline `#[cfg(test)] mod name { ... }` block, which ends at the
//!   first `}` line at the `mod` line's indentation (rustfmt's layout).

use std::path::{Path, PathBuf};

/// Every op struct defined outside test-only code under `src/`, sorted.
pub fn ops_defined_in(src: &Path) -> Vec<String> {
    let files = rust_files(src);
    let test_files: Vec<PathBuf> = files
        .iter()
        .flat_map(|f| test_module_files(f, &std::fs::read_to_string(f).unwrap()))
        .collect();
    let mut found = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(src).expect("under src/");
        let in_tests_dir = relative
            .parent()
            .is_some_and(|dir| dir.components().any(|c| c.as_os_str() == "tests"));
        if in_tests_dir || test_files.contains(file) {
            continue;
        }
        found.extend(ops_in_text(&std::fs::read_to_string(file).unwrap()));
    }
    found.sort();
    found
}

/// The `.rs` files under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut files = Vec::new();
    for path in entries {
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The attribute lines directly above line `at`, nearest first.
fn attributes_above<'a>(lines: &[&'a str], at: usize) -> Vec<&'a str> {
    lines[..at]
        .iter()
        .rev()
        .map(|l| l.trim())
        .take_while(|l| l.starts_with("#["))
        .collect()
}

fn is_cfg_test(attributes: &[&str]) -> bool {
    attributes.contains(&"#[cfg(test)]")
}

/// The name `line` declares as a module, and whether it opens an inline
/// body (`mod name {`) rather than naming a file (`mod name;`).
fn module_declaration(line: &str) -> Option<(&str, bool)> {
    let line = line.trim();
    let rest = line
        .strip_prefix("mod ")
        .or_else(|| line.strip_prefix("pub mod "))
        .or_else(|| line.strip_prefix("pub(crate) mod "))?;
    let name_end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (name, tail) = rest.split_at(name_end);
    match tail.trim() {
        ";" => Some((name, false)),
        "{" => Some((name, true)),
        _ => None,
    }
}

/// The files `file` includes as `#[cfg(test)] mod name;`.
fn test_module_files(file: &Path, text: &str) -> Vec<PathBuf> {
    let dir = file.parent().expect("a file has a directory");
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    // `mod x;` in `a/mod.rs` or `lib.rs` is `a/x.rs`; in `a/b.rs`, `a/b/x.rs`.
    let module_dir = if matches!(stem, "mod" | "lib" | "main") {
        dir.to_path_buf()
    } else {
        dir.join(stem)
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let Some((name, false)) = module_declaration(line) else {
            continue;
        };
        let attributes = attributes_above(&lines, at);
        if !is_cfg_test(&attributes) {
            continue;
        }
        let path_attribute = attributes.iter().find_map(|a| {
            let quoted = a.strip_prefix("#[path = \"")?.strip_suffix("\"]")?;
            Some(dir.join(quoted))
        });
        match path_attribute {
            Some(path) => found.push(path),
            None => {
                found.push(module_dir.join(format!("{name}.rs")));
                found.push(module_dir.join(name).join("mod.rs"));
            }
        }
    }
    found
}

/// The `impl Op for <Name>` names in `text`, skipping inline
/// `#[cfg(test)]` module blocks.
pub fn ops_in_text(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut skip_until: Option<String> = None;
    for (at, line) in lines.iter().enumerate() {
        if let Some(end) = &skip_until {
            if line == end {
                skip_until = None;
            }
            continue;
        }
        if let Some((_, true)) = module_declaration(line) {
            if is_cfg_test(&attributes_above(&lines, at)) {
                let indent = line.len() - line.trim_start().len();
                skip_until = Some(format!("{}}}", &line[..indent]));
                continue;
            }
        }
        if let Some(rest) = line.trim_start().strip_prefix("impl Op for ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push(name);
        }
    }
    found
}

#[test]
fn the_scan_skips_inline_test_modules_only() {
    let text = "impl Op for Kept {\n}\n\
                #[cfg(test)]\n#[allow(dead_code)]\nmod tests {\n    impl Op for Hidden {\n    }\n\
                \x20   mod inner {\n        impl Op for AlsoHidden {}\n    }\n}\n\
                mod after {\n    impl Op for KeptToo {}\n}\n";
    assert_eq!(ops_in_text(text), vec!["Kept", "KeptToo"]);
}

#[test]
fn the_scan_skips_test_files_and_test_directories() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    // `Probe` is defined in `src/rewrite/tests/inplace_tests.rs`.
    let probe_file = src.join("rewrite/tests/inplace_tests.rs");
    let probe_text = std::fs::read_to_string(&probe_file).unwrap();
    assert!(ops_in_text(&probe_text).contains(&"Probe".to_string()));
    let defined = ops_defined_in(&src);
    assert!(!defined.contains(&"Probe".to_string()), "{defined:?}");
    assert!(defined.contains(&"Gemm".to_string()), "{defined:?}");
    // `gemm_tests.rs` is a `#[cfg(test)] #[path = ...] mod tests;`.
    let gemm = src.join("ops/products/gemm.rs");
    let included = test_module_files(&gemm, &std::fs::read_to_string(&gemm).unwrap());
    assert_eq!(included, vec![src.join("ops/products/gemm_tests.rs")]);
}
