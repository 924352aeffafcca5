"""Presentation: numbers, traces and tables in words for people (nothing here computes a forecast)."""
