"""The sample personas, shipped inside the package as `selfdata_kit.sample_data` (see
pyproject.toml); `selfdata demo` imports them. Regenerate with `selfdata synth` (README.md)."""
