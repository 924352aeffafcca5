"""Distributed sweeps: grids or sampled designs over scenarios, models and inputs, on Dask.

:mod:`~realpolitik.sweep.spec` reads the YAML spec and lays out design points and chunks;
:mod:`~realpolitik.sweep.run` runs the chunks (on Dask or in process), streams them to Parquet
and resumes an interrupted sweep. Dask and pyarrow are optional (the ``distributed`` extra) and
imported only when a sweep runs.
"""
