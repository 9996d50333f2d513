//! The one explicit configuration object (`floatX`, default mode, ...),
//! read once from `THEON_FLAGS` (falling back to `THEANO_FLAGS`) and
//! settable at run time from Rust and Python.

use crate::dtype::DType;
use std::sync::{OnceLock, RwLock};

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Default float dtype for constructors and casts (`floatX`).
    pub float_x: DType,
    /// Default compile mode name (`FAST_RUN`, `FAST_COMPILE`, ...).
    pub mode: String,
    /// Rewrites or tags excluded from every mode.
    pub optimizer_excluding: Vec<String>,
    /// Rewrites or tags added to every mode.
    pub optimizer_including: Vec<String>,
    /// Collect per-node profiles for every function.
    pub profile: bool,
    /// The system BLAS that products run on (Theano's `blas.ldflags`): a
    /// shared library's path or name, or `-L<dir> -l<name>` flags; empty
    /// means faer. Needs the `system-blas` feature (see
    /// `backend::cpu::sysblas`).
    pub blas_ldflags: String,
    /// The most bytes of freed large buffers kept for reuse
    /// (`tensor::pool`; 0 turns the pool off).
    pub buffer_pool_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            float_x: DType::F64,
            mode: "FAST_RUN".into(),
            optimizer_excluding: vec![],
            optimizer_including: vec![],
            profile: false,
            blas_ldflags: String::new(),
            buffer_pool_bytes: crate::tensor::pool::DEFAULT_CAPACITY,
        }
    }
}

impl Config {
    /// Parses `key=value,key=value` flags over the defaults; unknown keys
    /// and bad values are reported, never silently ignored.
    pub fn from_flags(flags: &str) -> Result<Config, String> {
        let mut config = Config::default();
        for item in flags.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) = item
                .split_once('=')
                .ok_or_else(|| format!("flag '{item}' is not key=value"))?;
            config.set(key.trim(), value.trim())?;
        }
        Ok(config)
    }

    /// Sets one flag by its Theano name.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let list = |v: &str| {
            v.split(':')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        };
        match key {
            "floatX" => {
                self.float_x = match value {
                    "float16" | "float32" | "float64" => DType::parse(value).expect("known float"),
                    _ => {
                        return Err(format!(
                            "floatX must be float16, float32 or float64, got '{value}'"
                        ))
                    }
                }
            }
            "mode" => self.mode = value.to_string(),
            "optimizer_excluding" => self.optimizer_excluding = list(value),
            "optimizer_including" => self.optimizer_including = list(value),
            "profile" => self.profile = matches!(value, "True" | "true" | "1"),
            "blas.ldflags" | "blas__ldflags" => self.blas_ldflags = value.to_string(),
            "buffer_pool_bytes" => {
                self.buffer_pool_bytes = value.parse().map_err(|_| {
                    format!("buffer_pool_bytes must be a byte count (0 or more), got '{value}'")
                })?
            }
            "device" | "optimizer" | "warn_float64" | "on_opt_error" => {}
            _ => return Err(format!("unknown flag '{key}'")),
        }
        Ok(())
    }
}

fn global() -> &'static RwLock<Config> {
    static CONFIG: OnceLock<RwLock<Config>> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let flags = std::env::var("THEON_FLAGS")
            .or_else(|_| std::env::var("THEANO_FLAGS"))
            .unwrap_or_default();
        let mut config = Config::from_flags(&flags).unwrap_or_else(|e| {
            eprintln!("theon: ignoring THEON_FLAGS: {e}");
            Config::default()
        });
        // THEON_BLAS names the system BLAS when the flags do not.
        if config.blas_ldflags.is_empty() {
            config.blas_ldflags = std::env::var("THEON_BLAS").unwrap_or_default();
        }
        RwLock::new(config)
    })
}

/// A snapshot of the current configuration.
pub fn config() -> Config {
    global().read().expect("config lock").clone()
}

/// Changes the configuration (affects graphs and functions built
/// afterwards; a new `buffer_pool_bytes` applies to the pool at once).
pub fn update_config(f: impl FnOnce(&mut Config)) {
    let pool_bytes = {
        let mut config = global().write().expect("config lock");
        f(&mut config);
        config.buffer_pool_bytes
    };
    crate::tensor::pool::set_capacity(pool_bytes);
}

/// The current `floatX`.
pub fn float_x() -> DType {
    config().float_x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_theano_style_flags() {
        let c = Config::from_flags(
            "floatX=float32, mode=FAST_COMPILE,optimizer_excluding=fusion:inplace",
        )
        .unwrap();
        assert_eq!(c.float_x, DType::F32);
        assert_eq!(c.mode, "FAST_COMPILE");
        assert_eq!(c.optimizer_excluding, vec!["fusion", "inplace"]);
        assert_eq!(c.blas_ldflags, "");
        let c = Config::from_flags("blas.ldflags=/opt/lib/libopenblas.so").unwrap();
        assert_eq!(c.blas_ldflags, "/opt/lib/libopenblas.so");
        let c = Config::from_flags("blas__ldflags=-L/opt/lib -lopenblas").unwrap();
        assert_eq!(c.blas_ldflags, "-L/opt/lib -lopenblas");
        assert!(Config::from_flags("floatX=int8").is_err());
        assert!(Config::from_flags("nonsense=1").is_err());
        assert_eq!(
            Config::from_flags("buffer_pool_bytes=1048576")
                .unwrap()
                .buffer_pool_bytes,
            1 << 20
        );
        let bad = Config::from_flags("buffer_pool_bytes=-1").unwrap_err();
        assert!(bad.contains("buffer_pool_bytes"), "{bad}");
        assert!(Config::from_flags("novalue").is_err());
    }
}
