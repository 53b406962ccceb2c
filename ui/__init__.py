"""Presentation helpers shared by the pages: cached loaders, widget groups and charts."""
