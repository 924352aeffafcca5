"""Deals: a multi-issue bilateral negotiation between two actors of a scenario.

Modules (one concept each):

- :mod:`~realpolitik.deal.domain` - issues, their values and the discretised outcome space;
- :mod:`~realpolitik.deal.utility` - linear additive utility functions and their draws;
- :mod:`~realpolitik.deal.domestic` - the domestic constraint: the collective forecast that
  shapes one party's acceptable set;
- :mod:`~realpolitik.deal.problem` - both parties' utilities and reserved values, per sample;
- :mod:`~realpolitik.deal.solutions` - Pareto frontier, Nash, Kalai-Smorodinsky, maximum welfare;
- :mod:`~realpolitik.deal.protocol` - the alternating-offers mechanism and negotiator strategies;
- :mod:`~realpolitik.deal.api` - Monte Carlo over uncertain utilities, tidy pandas tables;
- :mod:`~realpolitik.presentation.deal_plot` - the Pareto frontier with the agreements reached (matplotlib);
- :mod:`~realpolitik.deal.cli` - the ``realpolitik deal`` command.

The scenario's ``deal`` section (its models and whole-file checks) is part of the scenario
format: :mod:`realpolitik.scenario.sections.deal`. Nothing is imported here, so importing the
package stays cheap. Use ``from realpolitik.deal.api import negotiate``.
"""
