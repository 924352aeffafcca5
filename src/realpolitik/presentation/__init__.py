"""Presentation: numbers, traces in words, tables, HTML/SVG and plots for the interfaces."""
