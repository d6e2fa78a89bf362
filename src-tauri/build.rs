fn main() {
    // Capabilities and the app's command permissions live under src-tauri/ so the top
    // level keeps the product's shape; both are listed explicitly.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/permissions");
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/*.json")
        .app_manifest(
            tauri_build::AppManifest::new()
                .permissions_path_pattern("./src-tauri/permissions/*.toml"),
        );
    tauri_build::try_build(attrs).expect("tauri-build failed");
}
