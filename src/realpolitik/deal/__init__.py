"""Deals: a multi-issue bilateral negotiation between two actors of a scenario.

Modules (one concept each):

- :mod:`~realpolitik.deal.domain` - issues, their values and the discretised outcome space;
- :mod:`~realpolitik.deal.utility` - linear additive utility functions and their draws;
- :mod:`~realpolitik.deal.scale` - one scale: where a package lies on a scenario issue;
- :mod:`~realpolitik.deal.domestic` - the domestic constraint: the collective forecast that
  shapes one party's acceptable set;
- :mod:`~realpolitik.deal.problem` - both parties' utilities and reserved values, per sample;
- :mod:`~realpolitik.deal.solutions` - Pareto frontier, Nash, Kalai-Smorodinsky, maximum welfare;
- :mod:`~realpolitik.deal.protocol` - the alternating-offers mechanism and negotiator strategies
  (complete information);
- :mod:`~realpolitik.deal.private` - the same under private information: beliefs over opponent
  types, Bayesian learning; :mod:`~realpolitik.deal.beliefs` draws the types;
- :mod:`~realpolitik.deal.breakdown` - outside shocks, the status quo's rising cost, calendar time;
- :mod:`~realpolitik.deal.api` - Monte Carlo over uncertain utilities;
  :mod:`~realpolitik.deal.result` - its result and tidy pandas tables;
- :mod:`~realpolitik.presentation.deal_plot` - the Pareto frontier with the agreements reached (matplotlib);
- :mod:`~realpolitik.deal.cli` - the ``realpolitik deal`` command.

The scenario's ``deal`` section (its models and whole-file checks) is part of the scenario
format: :mod:`realpolitik.scenario.sections.deal`. Nothing is imported here, so importing the
package stays cheap. Use ``from realpolitik.deal.api import negotiate``.
"""
