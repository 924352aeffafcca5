"""Presentation: numbers, traces in words, tables, HTML/SVG, plots and progress bars for the interfaces (nothing here computes a forecast)."""
