"""The ``realpolitik report`` command.

The report's data come from :mod:`realpolitik.api.report`, its HTML and figures from
:mod:`realpolitik.presentation.html` and :mod:`realpolitik.presentation.report_plots`.
"""
