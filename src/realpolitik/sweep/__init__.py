"""Sweeps: grids or sampled designs over scenarios, models and inputs, resumable.

:mod:`~realpolitik.sweep.spec` reads the YAML spec and lays out design points and chunks;
:mod:`~realpolitik.sweep.check` checks the whole spec before anything is written;
:mod:`~realpolitik.sweep.run` runs the chunks (in this process or on Dask, through
:mod:`~realpolitik.sweep.drive`); :mod:`~realpolitik.sweep.store` saves each chunk atomically
with its checksum and verifies it on resume; :mod:`~realpolitik.sweep.results` reads the results
and streams the summary. Dask and pyarrow are optional (the ``distributed`` extra) and imported
only when a sweep runs.
"""
