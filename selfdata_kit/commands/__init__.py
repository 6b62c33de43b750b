"""Multi-step commands (report, demo, workshop, lab, export): what `cli.py` dispatches to.
Each prints its progress and returns an exit code."""
