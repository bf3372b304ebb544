//! Schema evolution: a shipped event is never edited; a new schema version
//! comes with an upcaster that turns the previous version's payload into it.
//!
//! Readers of the store always get the current version, whatever was stored.

use std::collections::HashMap;
use std::sync::Arc;

/// Turns the payload of `(event_type, from_version)` into `from_version + 1`.
pub type UpcastFn = Arc<dyn Fn(serde_json::Value) -> Result<serde_json::Value, String> + Send + Sync>;

/// Every known upcaster, keyed by event type and the version it upgrades from.
#[derive(Clone, Default)]
pub struct Upcasters {
    steps: HashMap<(String, u32), UpcastFn>,
}

impl std::fmt::Debug for Upcasters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys: Vec<_> = self.steps.keys().collect();
        keys.sort();
        f.debug_struct("Upcasters").field("steps", &keys).finish()
    }
}

/// Upgrading a chain of versions can never loop, but a limit keeps a bad
/// registry from spinning.
const MAX_STEPS: u32 = 64;

impl Upcasters {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the step from `from_version` to `from_version + 1` of `event_type`.
    pub fn register(
        mut self,
        event_type: impl Into<String>,
        from_version: u32,
        step: impl Fn(serde_json::Value) -> Result<serde_json::Value, String> + Send + Sync + 'static,
    ) -> Self {
        self.steps.insert((event_type.into(), from_version), Arc::new(step));
        self
    }

    /// Brings a stored payload (JSON text) to the current version; parses it
    /// only when a step applies.
    pub fn upcast_raw(
        &self,
        event_type: &str,
        version: u32,
        payload: Box<serde_json::value::RawValue>,
    ) -> Result<(u32, Box<serde_json::value::RawValue>), String> {
        if !self.steps.contains_key(&(event_type.to_owned(), version)) {
            return Ok((version, payload));
        }
        let value: serde_json::Value = serde_json::from_str(payload.get()).map_err(|e| e.to_string())?;
        let (version, value) = self.upcast(event_type, version, value)?;
        let text = serde_json::to_string(&value).map_err(|e| e.to_string())?;
        Ok((version, serde_json::value::RawValue::from_string(text).map_err(|e| e.to_string())?))
    }

    /// Applies every step registered from `version` on; returns the final version and payload.
    pub fn upcast(
        &self,
        event_type: &str,
        mut version: u32,
        mut payload: serde_json::Value,
    ) -> Result<(u32, serde_json::Value), String> {
        let mut steps = 0;
        while let Some(step) = self.steps.get(&(event_type.to_owned(), version)) {
            payload = step(payload).map_err(|e| format!("upcasting {event_type} v{version}: {e}"))?;
            version += 1;
            steps += 1;
            if steps > MAX_STEPS {
                return Err(format!("upcasting {event_type} took over {MAX_STEPS} steps"));
            }
        }
        Ok((version, payload))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chained_steps_bring_a_payload_to_the_latest_version() {
        let upcasters = Upcasters::new()
            .register("RoomAdded", 1, |mut p| {
                p["capacity"] = json!(p["places"].take());
                Ok(p)
            })
            .register("RoomAdded", 2, |mut p| {
                p["step_free"] = json!(false);
                Ok(p)
            });
        let (version, payload) = upcasters.upcast("RoomAdded", 1, json!({"places": 30})).unwrap();
        assert_eq!(version, 3);
        assert_eq!(payload, json!({"places": null, "capacity": 30, "step_free": false}));
    }

    #[test]
    fn events_without_upcasters_pass_unchanged() {
        let upcasters = Upcasters::new().register("RoomAdded", 1, Ok);
        let (version, payload) = upcasters.upcast("BookingRequested", 1, json!({"a": 1})).unwrap();
        assert_eq!((version, payload), (1, json!({"a": 1})));
    }
}
