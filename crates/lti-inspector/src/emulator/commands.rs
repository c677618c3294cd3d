//! Command handlers of the emulator (course, roster, tool registry, gradebook, launches). The
//! command table in `commands/mod.rs` names them; they are re-exported through its handlers.
