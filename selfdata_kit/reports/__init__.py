"""One module per report notebook, each defining `TOPIC` (see `selfdata_kit.report`)."""
