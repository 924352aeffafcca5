"""Deals: a multi-issue bilateral negotiation between two actors of a scenario.

Modules (one concept each):

- :mod:`~realpolitik.deal.schema` - the scenario's optional ``deal`` section and its checks;
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

Nothing is imported here: the scenario schema imports :mod:`realpolitik.deal.schema`, so this
package must stay free of imports that lead back to it. Use
``from realpolitik.deal.api import negotiate``.
"""
