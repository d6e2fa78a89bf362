fn main() {
    // Migrations are embedded with include_dir!, which cannot tell cargo to watch them.
    println!("cargo:rerun-if-changed=../../../migrations");
}
