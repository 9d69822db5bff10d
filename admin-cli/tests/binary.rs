//! The built binary answers `--help` with its examples and exit codes. (Having an integration
//! test also makes `cargo test --workspace` build `target/<profile>/stinger-admin`, which the
//! end-to-end tests run.)

#[test]
fn the_binary_explains_itself() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stinger-admin"))
        .arg("--help")
        .output()
        .expect("stinger-admin runs");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("Exit codes"), "{help}");
    assert!(help.contains("stinger-admin edits approve"), "{help}");
}
