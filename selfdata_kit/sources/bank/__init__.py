"""Bank statement formats (OFX, QIF, camt, French bank CSV exports)."""
