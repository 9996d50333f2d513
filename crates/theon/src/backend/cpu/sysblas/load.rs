//! Finding and loading the system BLAS: `blas.ldflags` names a library
//! (a path, a name dlopen searches for, or Theano-style `-L<dir>
//! -l<name>` flags); its CBLAS symbols are resolved under the first
//! spelling in [`SPELLINGS`] that has `sgemm`. Loaded libraries are cached
//! by their flags and never unloaded.

use super::{error, IntWidth, Spelling, SystemBlas};
use crate::error::Result;
use std::sync::{Arc, Mutex};

/// The CBLAS symbol spellings recognised, in the order they are tried;
/// the spelling says the integer width.
pub const SPELLINGS: [Spelling; 4] = [
    Spelling {
        prefix: "cblas_",
        suffix: "",
        ints: IntWidth::Lp64,
    },
    Spelling {
        prefix: "scipy_cblas_",
        suffix: "",
        ints: IntWidth::Lp64,
    },
    Spelling {
        prefix: "scipy_cblas_",
        suffix: "64_",
        ints: IntWidth::Ilp64,
    },
    Spelling {
        prefix: "cblas_",
        suffix: "64_",
        ints: IntWidth::Ilp64,
    },
];

/// The libraries loaded so far, by the flags that named them.
static LOADED: Mutex<Vec<(String, Arc<SystemBlas>)>> = Mutex::new(Vec::new());

/// The system BLAS that `ldflags` names (see the module docs), loaded
/// once per process. Errors name the library and, when it loads but is
/// not a usable CBLAS, the symbol that is missing.
pub fn load(ldflags: &str) -> Result<Arc<SystemBlas>> {
    let ldflags = ldflags.trim();
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, blas)) = loaded.iter().find(|(flags, _)| flags == ldflags) {
        return Ok(blas.clone());
    }
    let candidates = candidates(ldflags);
    if candidates.is_empty() {
        return Err(error(format!(
            "blas.ldflags '{ldflags}' names no library (give a path or -l<name>)"
        )));
    }
    let mut failures = Vec::new();
    for path in &candidates {
        match open(path) {
            Ok(blas) => {
                let blas = Arc::new(blas);
                loaded.push((ldflags.to_string(), blas.clone()));
                return Ok(blas);
            }
            Err(e) => failures.push(e),
        }
    }
    match failures.len() {
        1 => Err(failures.remove(0)),
        _ => Err(error(format!(
            "no library named by blas.ldflags '{ldflags}' is a usable CBLAS: {}",
            failures
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}

/// The system BLAS the configuration names (`blas.ldflags`, or
/// `THEON_BLAS` when the flags name none), or `None` when it names none
/// (products then run on faer).
pub fn configured() -> Result<Option<Arc<SystemBlas>>> {
    let ldflags = crate::config::config().blas_ldflags;
    if ldflags.trim().is_empty() {
        return Ok(None);
    }
    load(&ldflags).map(Some)
}

/// The files to try for `ldflags`: the text itself when it has no `-l`
/// word, else `lib<name>.so` in each `-L` directory and then on dlopen's
/// search path, for each `-l<name>` in order.
fn candidates(ldflags: &str) -> Vec<String> {
    let words: Vec<&str> = ldflags.split_whitespace().collect();
    let names: Vec<&str> = words.iter().filter_map(|w| w.strip_prefix("-l")).collect();
    if names.is_empty() {
        return match ldflags {
            "" => vec![],
            _ => vec![ldflags.to_string()],
        };
    }
    let dirs: Vec<&str> = words.iter().filter_map(|w| w.strip_prefix("-L")).collect();
    let mut files = Vec::new();
    for name in names.into_iter().filter(|n| !n.is_empty()) {
        for dir in &dirs {
            files.push(format!("{}/lib{name}.so", dir.trim_end_matches('/')));
        }
        files.push(format!("lib{name}.so"));
    }
    files
}

#[cfg(not(feature = "system-blas"))]
fn open(path: &str) -> Result<SystemBlas> {
    Err(error(format!(
        "cannot use '{path}': theon was built without the `system-blas` feature \
         (build with `--features system-blas`, or clear blas.ldflags / THEON_BLAS)"
    )))
}

#[cfg(feature = "system-blas")]
fn open(path: &str) -> Result<SystemBlas> {
    use super::{Routines, Table, Tables};
    use libloading::Library;

    // SAFETY: loading a library runs its initialisers; the user named this
    // library as their BLAS (as Theano's ldflags links one), and a CBLAS's
    // initialisers only set up its own state.
    let library =
        unsafe { Library::new(path) }.map_err(|e| error(format!("cannot load '{path}': {e}")))?;
    let has = |name: &str| {
        // SAFETY: only looks the symbol up; the pointer is never used.
        unsafe { library.get::<*const std::ffi::c_void>(name) }.is_ok()
    };
    let Some(spelling) = SPELLINGS.into_iter().find(|s| has(&s.symbol("sgemm"))) else {
        let tried: Vec<String> = SPELLINGS.iter().map(|s| s.symbol("sgemm")).collect();
        return Err(error(format!(
            "'{path}' is not a CBLAS library: it has none of {}",
            tried.join(", ")
        )));
    };
    fn table<I: 'static>(lib: &Library, path: &str, s: Spelling) -> Result<Table<I>> {
        Ok(Table {
            single: Routines {
                gemm: symbol(lib, path, s, "sgemm")?,
                gemv: symbol(lib, path, s, "sgemv")?,
                ger: symbol(lib, path, s, "sger")?,
            },
            double: Routines {
                gemm: symbol(lib, path, s, "dgemm")?,
                gemv: symbol(lib, path, s, "dgemv")?,
                ger: symbol(lib, path, s, "dger")?,
            },
        })
    }
    let tables = match spelling.ints {
        IntWidth::Lp64 => Tables::Lp64(table::<i32>(&library, path, spelling)?),
        IntWidth::Ilp64 => Tables::Ilp64(table::<i64>(&library, path, spelling)?),
    };
    Ok(SystemBlas {
        path: path.to_string(),
        spelling,
        tables,
        _library: library,
    })
}

/// The function `routine` under `spelling`, as the pointer type `F`.
#[cfg(feature = "system-blas")]
fn symbol<F: Copy>(
    lib: &libloading::Library,
    path: &str,
    spelling: Spelling,
    routine: &str,
) -> Result<F> {
    let name = spelling.symbol(routine);
    // SAFETY: `F` is the CBLAS signature of `routine` with the integer
    // width this spelling declares (`table` picks it from the spelling).
    // The copied pointer stays valid while the library is loaded: the
    // `SystemBlas` holding it owns the library, and the cache never drops
    // a loaded one.
    unsafe { lib.get::<F>(name.as_str()) }
        .map(|f| *f)
        .map_err(|_| {
            error(format!(
                "'{path}' has {} but lacks {name}",
                spelling.symbol("sgemm")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldflags_name_files_in_order() {
        assert_eq!(candidates(""), Vec::<String>::new());
        assert_eq!(candidates("/opt/b/libblas.so.3"), ["/opt/b/libblas.so.3"]);
        assert_eq!(
            candidates("-L/opt/a/ -L/opt/b -lopenblas -lpthread"),
            [
                "/opt/a/libopenblas.so",
                "/opt/b/libopenblas.so",
                "libopenblas.so",
                "/opt/a/libpthread.so",
                "/opt/b/libpthread.so",
                "libpthread.so",
            ]
        );
        let e = load("-l").unwrap_err().to_string();
        assert!(e.contains("'-l' names no library"), "{e}");
        let e = load("-L/opt/none -lnoblas").unwrap_err().to_string();
        assert!(e.contains("/opt/none/libnoblas.so"), "{e}");
    }

    #[test]
    fn spellings_say_the_integer_width() {
        let names: Vec<String> = SPELLINGS.iter().map(|s| s.symbol("dgemm")).collect();
        assert_eq!(
            names,
            [
                "cblas_dgemm",
                "scipy_cblas_dgemm",
                "scipy_cblas_dgemm64_",
                "cblas_dgemm64_"
            ]
        );
        assert!(SPELLINGS
            .iter()
            .all(|s| (s.suffix == "64_") == (s.ints == IntWidth::Ilp64)));
    }
}
