"""The report notebooks, shipped inside the package as `selfdata_kit.notebooks` (see
pyproject.toml: the wheel maps this folder there). Open them with `selfdata lab`."""
