"""Uncertainty, leverage and speed: Monte Carlo forecasts, Sobol sensitivity, power indices, best moves.

Modules (one concept each):

- :mod:`~realpolitik.uncertainty.inputs` - the scenario's inputs as named slots of the model arrays;
- :mod:`~realpolitik.uncertainty.marginals` - inverse distribution functions of the input distributions;
- :mod:`~realpolitik.uncertainty.sampling` - reproducible, chunk-invariant joint samples of the inputs;
- :mod:`~realpolitik.uncertainty.montecarlo` - running a model over samples in bounded chunks;
- :mod:`~realpolitik.uncertainty.distribution` - medians, bands, outcome probabilities, small-N warnings;
- :mod:`~realpolitik.uncertainty.sensitivity` - Sobol indices (SALib) and one-at-a-time swings;
- :mod:`~realpolitik.uncertainty.power` - Shapley-Shubik and Banzhaf power of the actors;
- :mod:`~realpolitik.uncertainty.leverage` - removing actors, and the best move for an actor;
- :mod:`~realpolitik.presentation.uncertainty_plots` - PNG (matplotlib) and self-contained HTML (inline SVG) plots.

The scenario's ``correlations`` section (and its checks) lives in
:mod:`realpolitik.scenario.sections.correlations`. Nothing is imported here: importing the package has no side effects and stays cheap.
"""
