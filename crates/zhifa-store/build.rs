//! Rebuilds the crate when a migration changes: `sqlx::migrate!` embeds the migration files,
//! and Cargo does not otherwise know that the crate depends on them.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
