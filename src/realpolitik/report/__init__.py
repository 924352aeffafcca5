"""The analyst's view: a self-contained HTML report and the data behind it.

Modules (one concept each):

- :mod:`~realpolitik.report.analysis` - runs every available subsystem on a scenario (forecasts
  per model with Monte Carlo bands, the ensemble, drivers and pivotal actors, policy options over
  time, the deal) and returns plain results; a subsystem that is absent gives a section that says
  so. The dashboard uses the same functions;
- :mod:`~realpolitik.report.edits` - changes of positions, saliences and capabilities applied to a
  scenario's data (never to a file of a built-in scenario);
- :mod:`~realpolitik.report.plots` - matplotlib figures as inline SVG;
- :mod:`~realpolitik.report.html` - the single HTML file (inline styles and images, no network);
- :mod:`~realpolitik.report.cli` - the ``realpolitik report`` command.

Nothing is imported here: importing the package has no side effects.
"""
