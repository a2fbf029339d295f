//! The demo world kept between commands (`demo-world.json` in the state directory, next to the
//! demo's trail): each behavior's target and the rollouts under way, the router's store and pieces,
//! the stage's deployment, and the world's clock. A command resumes the world where the last one
//! left it, its clock on by the real time since then at the world's speed, so that a switch made by
//! one command is seen rolling out, then done, by the next ones. Written whole to a temporary file
//! and renamed over the old one; a file that does not read, or from a newer cutover, is an error
//! that names it: a world is never silently made afresh.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::world::World;
use super::{Scenario, SimBackend, SimOptions, stage};
use crate::backend::{Fault, FaultSet};
use crate::clock::Clock;

/// The file's name in the state directory.
pub const FILE_NAME: &str = "demo-world.json";

/// Bumped when a field changes meaning or goes away: an older cutover refuses a newer file.
pub const SCHEMA_VERSION: u32 = 1;

/// How a fresh world is made (`cutover demo --reset`, or the first `--demo` command).
#[derive(Clone, Copy, Debug)]
pub struct Fresh {
    pub scenario: Scenario,
    pub seed: u64,
    pub speed: f64,
    pub routes: usize,
    /// Where its clock starts.
    pub start: Timestamp,
}

/// The file's content.
#[derive(Serialize, Deserialize)]
pub struct KeptWorld {
    pub schema_version: u32,
    /// When it was written, by the real clock.
    pub saved_at: Timestamp,
    /// The world's clock when it was written.
    pub simulated_now: Timestamp,
    /// How many times faster than real time the world's clock runs, between commands too.
    pub speed: f64,
    pub scenario: Scenario,
    pub seed: u64,
    /// How many routes the distribution has (`cutover demo --routes`).
    pub routes: usize,
    /// The world's time zero: the scenario's story is told from it.
    pub start: Timestamp,
    /// The deployment the API Gateway stage serves.
    pub stage_deployment: String,
    /// The distribution, its rollouts, the router's store and pieces.
    pub world: serde_json::Value,
}

/// Why the kept world could not be read or written; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum KeptError {
    #[error(
        "the demo world file {path} does not read ({why}); delete it, or run `cutover demo --reset` to start a fresh demo world"
    )]
    Corrupt { path: PathBuf, why: String },
    #[error(
        "the demo world file {path} was written by a newer cutover (schema {found}, this one reads {SCHEMA_VERSION}); delete it, or run `cutover demo --reset` to start a fresh demo world"
    )]
    Newer { path: PathBuf, found: u64 },
    #[error("the demo world cannot be kept in {path} ({source}); make its directory writable and run it again")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("there is no home directory to keep the demo world in; set HOME (or XDG_STATE_HOME) and run it again")]
    NoStateDir,
}

/// `<state dir>/demo-world.json`; `None` without a home directory.
pub fn default_path() -> Option<PathBuf> {
    crate::logging::log_dir().map(|dir| dir.join(FILE_NAME))
}

/// The kept world at `path`, `None` when there is none.
pub fn load(path: &Path) -> Result<Option<KeptWorld>, KeptError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(KeptError::Corrupt { path: path.to_path_buf(), why: error.to_string() }),
    };
    let corrupt = |why: String| KeptError::Corrupt { path: path.to_path_buf(), why };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
    let found = value.get("schema_version").and_then(serde_json::Value::as_u64);
    match found {
        None => return Err(corrupt("it has no schema_version".into())),
        Some(found) if found > u64::from(SCHEMA_VERSION) => {
            return Err(KeptError::Newer { path: path.to_path_buf(), found });
        }
        Some(_) => {}
    }
    let kept: KeptWorld = serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
    // The world itself is read now, so that a broken one is this error and not a panic later.
    serde_json::from_value::<World>(kept.world.clone()).map_err(|e| corrupt(format!("its world: {e}")))?;
    if !(kept.speed.is_finite() && kept.speed > 0.0) {
        return Err(corrupt(format!("its speed {} is not a positive number", kept.speed)));
    }
    Ok(Some(kept))
}

/// Write `kept` to `path`: a temporary file beside it, synced, then renamed over it.
pub fn save(path: &Path, kept: &KeptWorld) -> Result<(), KeptError> {
    let failed = |source| KeptError::Write { path: path.to_path_buf(), source };
    let text = serde_json::to_string(kept).map_err(|e| failed(std::io::Error::other(e)))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::private_files::create_dir(dir).map_err(failed)?;
    }
    let temporary = path.with_extension(format!("json.{}.tmp", std::process::id()));
    let written = (|| {
        use std::io::Write as _;
        let _ = std::fs::remove_file(&temporary);
        let mut file = crate::private_files::open_append(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_data()?;
        std::fs::rename(&temporary, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written.map_err(failed)
}

/// Remove the kept world at `path`: whether there was one.
pub fn remove(path: &Path) -> Result<bool, KeptError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(KeptError::Write { path: path.to_path_buf(), source }),
    }
}

impl SimBackend {
    /// A fresh world, its clock starting at `fresh.start`.
    pub fn fresh(fresh: Fresh) -> SimBackend {
        let clock = Clock::simulated(fresh.start, fresh.speed);
        let options = SimOptions { scenario: fresh.scenario, seed: fresh.seed, faults: FaultSet::NONE };
        SimBackend::new(clock, options).with_routes(fresh.routes)
    }

    /// The world as it is now, to keep. Injected faults are not kept: a router failing by the
    /// `router-errors` fault stops failing now.
    pub fn keep(&self) -> KeptWorld {
        let now = self.clock.now();
        let mut world = self.world();
        if self.faults().contains(Fault::RouterErrors) {
            world.set_router_failing(now, false);
        }
        let value = serde_json::to_value(&*world).expect("the demo world is plain data");
        KeptWorld {
            schema_version: SCHEMA_VERSION,
            saved_at: Timestamp::now(),
            simulated_now: now,
            speed: self.clock.speed(),
            scenario: self.options.scenario,
            seed: self.options.seed,
            routes: self.routes.len(),
            start: self.start,
            stage_deployment: self.stage_current().clone(),
            world: value,
        }
    }

    /// The kept world, resumed: its clock where it was plus the real time since (at its speed, or
    /// at `speed` when given, from now on).
    pub fn resume(kept: KeptWorld, speed: Option<f64>) -> Result<SimBackend, String> {
        let world: World = serde_json::from_value(kept.world).map_err(|e| e.to_string())?;
        let elapsed = Timestamp::now().duration_since(kept.saved_at).max(SignedDuration::ZERO);
        let simulated =
            SignedDuration::try_from_secs_f64(elapsed.as_secs_f64() * kept.speed).unwrap_or(SignedDuration::ZERO);
        let now = kept.simulated_now.checked_add(simulated).map_err(|e| e.to_string())?;
        let clock = Clock::simulated(now, speed.unwrap_or(kept.speed));
        let options = SimOptions { scenario: kept.scenario, seed: kept.seed, faults: FaultSet::NONE };
        let mut backend = SimBackend::new(clock, options).with_routes(kept.routes);
        backend.start = kept.start;
        backend.routed = world.store().routed().map(str::to_string).collect();
        backend.world = Mutex::new(world);
        backend.stage = stage::SimStage::serving(kept.stage_deployment);
        Ok(backend)
    }

    /// The world's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::ControlPlane;
    use crate::backend::share::ShareStore;

    #[tokio::test]
    async fn a_kept_world_resumes_with_its_targets_shares_stage_and_streams() {
        let fresh = Fresh { scenario: Scenario::BadDeploy, seed: 5, speed: 10.0, routes: 9, start: Timestamp::now() };
        let world = SimBackend::fresh(fresh);
        let id = world.distribution_id().to_string();
        let (mut config, etag) = world.get_config(&id).await.unwrap();
        config.behaviors.iter_mut().find(|b| b.path_pattern == "/orders/*").unwrap().target_origin_id =
            super::super::catalog::LEGACY_ORIGIN_ID.into();
        world.update_config(&id, config, &etag).await.unwrap();
        let store = world.read().await.unwrap();
        let mut record = store.records["/search/*"].clone();
        record.share = 30;
        world.put(&[("/search/*".to_string(), record)], &store.etag).await.unwrap();
        let kept = world.keep();
        let text = serde_json::to_string(&kept).unwrap();

        let back = SimBackend::resume(serde_json::from_str(&text).unwrap(), None).unwrap();
        assert!(back.clock().now() >= kept.simulated_now, "the clock goes on");
        assert_eq!(back.get_config(&id).await.unwrap(), world.get_config(&id).await.unwrap());
        assert_eq!(back.read().await.unwrap().records, world.read().await.unwrap().records);
        assert_eq!(back.world().status(kept.simulated_now), world.world().status(kept.simulated_now));
        // The streams go on where they were: the next ETags are the same in both.
        let next = |w: &SimBackend| {
            let (config, etag) = w.world().config();
            w.world().update(kept.simulated_now, config, &etag).unwrap().0
        };
        assert_eq!(next(&back), next(&world));
    }

    #[test]
    fn a_broken_or_newer_file_is_an_error_naming_it_and_a_missing_one_is_none() {
        let dir = std::env::temp_dir().join(format!("cutover-kept-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(FILE_NAME);
        assert!(load(&path).unwrap().is_none());
        std::fs::write(&path, "{not json").unwrap();
        let broken = load(&path).err().unwrap().to_string();
        assert!(broken.contains(&path.display().to_string()) && broken.contains("cutover demo --reset"), "{broken}");
        std::fs::write(&path, r#"{"schema_version": 99}"#).unwrap();
        assert!(matches!(load(&path), Err(KeptError::Newer { found: 99, .. })));
        let world = SimBackend::fresh(Fresh {
            scenario: Scenario::Calm,
            seed: 1,
            speed: 10.0,
            routes: 9,
            start: Timestamp::now(),
        });
        save(&path, &world.keep()).unwrap();
        assert!(load(&path).unwrap().is_some());
        assert!(remove(&path).unwrap() && !remove(&path).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
