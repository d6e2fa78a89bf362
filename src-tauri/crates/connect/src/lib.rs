//! switchboard-connect (being built).
