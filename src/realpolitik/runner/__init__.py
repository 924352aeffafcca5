"""The one caller of model functions (see :mod:`realpolitik.runner.run`)."""
