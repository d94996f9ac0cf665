//! What every stage stands on, and nothing else: errors, paths confined to the
//! repository, the secret patterns, formatting, the cache folder and the render memo. Nothing
//! here knows a stage: no module of `base` imports from outside `base`.

pub mod cache;
pub mod error;
pub mod format;
pub mod memo;
pub mod paths;
pub mod secrets;
pub mod shown;
