"""The ipywidgets explorer: `model` (the queries and what the widgets show, testable without a
browser) and `views` (the widgets). A notebook calls `explorer(store)`."""

from .model import Explorer, explorer, glance_panel, import_panel

__all__ = ["Explorer", "explorer", "glance_panel", "import_panel"]
