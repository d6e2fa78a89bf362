//! switchboard-emulator (being built).
