"""KTAB's Spatial Model of Politics (SMP): turn-based bargaining over positions in [0, 1]^d.

References
----------
* Wise, B., Lester, L. and Efird, B. "An Introduction to the KAPSARC Toolkit for Behavioral
  Analysis (KTAB) Using Nash Bargaining", KAPSARC Discussion Paper (2015).
* Wise, B., Lester, L. and Efird, B. "Multidimensional Bargaining Using KTAB", KAPSARC
  Discussion Paper (2016).
* Efird, B., Lester, L., Wise, B. and Hicks, J. "Modeling Collective Decision-Making Processes
  with the KAPSARC Toolkit for Behavioral Analysis", ACM (2017).
* KTAB's reference implementation (MIT licence, github.com/KAPSARC/KTAB): ``examples/smp/libsrc/
  smp.cpp``, ``smpbcn.cpp`` and ``KTAB/kmodel/libsrc/kmodel.cpp``; we follow its default
  settings and read its source to settle what the papers leave open (this is our own code).

One turn, for every batch element at once (positions normalised to [0, 1] per issue):

1. *Utility.* ``D[a, b]`` is the salience-weighted distance from actor ``a``'s position to
   ``b``'s, ``sqrt(sum_k s_ak^2 d_k^2 / sum_k s_ak^2)``; the utility is ``(1 - D)(1 + D R)``
   with risk attitude ``R`` in [-1/2, 1] (KTAB's ``bsUtil`` and ``bvDiff``).
2. *Risk attitudes.* Every actor votes with its capability over every pair of positions
   (risk-neutral utilities); coalition strengths give the probability ``P_i`` that each
   position prevails (a probabilistic Condorcet election: ``conditional`` by default,
   ``markov-incentive`` and ``markov-uniform`` as options); the actor with the least likely
   position is risk-acceptant (R = -1/2), the most likely one risk-averse (R = +1), linearly
   between (KTAB's "Mid" range). Actor ``h`` estimates ``i``'s attitude as
   ``(2 R_h + R_i) / 3`` (KTAB's "one third" adjustment).
3. *Challenges.* Each actor ``i`` estimates, for every ``j``, the probability ``p_ij`` that
   it prevails against ``j``: the principals weigh in with ``salience x capability`` times
   their utility difference, every third party joins the side it prefers in the little
   contest (KTAB's semi-committed third parties), and ``p_ij = C_ij / (C_ij + C_ji)``. The
   expected gain of challenging is ``(1 - s_j) 2 + s_j (2 p_ij + 2 (1 - p_ij) u_ij) - (1 + u_ij)``;
   ``i`` targets the ``j`` with the largest gain, if it exceeds 1e-5.
4. *Bargains.* The challenger proposes that both move to the point interpolated per issue
   with weights ``s_ik^2 p_ij^2`` and ``s_jk^2 (1 - p_ij)^2`` (KTAB's S2P2 rule, an
   approximation of the Nash bargaining solution); the proposal is rounded to 4 decimals on
   [0, 1] as KTAB does.
5. *Acceptance.* Each actor ``k`` compares its candidate states: keeping the status quo, its
   own proposal and every proposal addressed to it. All actors vote (capability x utility
   difference of the whole state, averaged over actors) and the same election gives each
   candidate a probability; ``k`` adopts the most probable one (an exact tie keeps the status
   quo), or draws one with those probabilities when ``transitions="stochastic"``.
6. *Stopping.* With ``delta_t`` the summed distance moved by all actors in turn ``t``, the
   run stops after turn ``t >= 2`` when ``delta_t < 0.02 (delta_1 + 1e-4)``, or after
   ``max_turns`` (100) turns.

The forecast is the effective-power (capability x salience) weighted mean of the final
positions per issue (the status quo where every weight is zero, flagged in
``extra["undefined"]``). ``extra`` also holds KTAB's end-of-run probability that each actor's
final position prevails (``position_probability``, (B, n)) and the probability-weighted
outcome (``expected_outcome``, (B, d)), plus the final risk attitudes (``risk``, (B, n)).

Where our inputs go beyond KTAB's: zero capability or salience is allowed (KTAB rejects it);
an actor whose saliences sum to more than 1 has them rescaled to sum to 1 (KTAB rejects such
files); an actor with all saliences zero measures distance with equal weights; when every
position is equally likely the risk attitudes are 0. See ``docs/models/smp.md``.

Modules: :mod:`~realpolitik.models.smp.elements` (settings and KTAB's elementary functions),
:mod:`~realpolitik.models.smp.turn` (one turn) and :mod:`~realpolitik.models.smp.game` (the
run, its numeric trace and ``SPEC``).
"""

from __future__ import annotations

from realpolitik.models.smp.elements import (
    BARGAIN_MODELS,
    INTERPOLATION,
    PCE_MODELS,
    RISK_ADJUST,
    RISK_RANGES,
    THIRD_PARTY,
    TRANSITIONS,
    VICTORY_POWERS,
    VOTING_RULES,
    Settings,
    coalitions,
    election,
    risk_from_probability,
    utility,
    victory,
    vote,
    weighted_distance,
)
from realpolitik.models.smp.game import SPEC, smp
from realpolitik.models.smp.turn import Turn, final_probabilities

__all__ = [
    "BARGAIN_MODELS",
    "INTERPOLATION",
    "PCE_MODELS",
    "RISK_ADJUST",
    "RISK_RANGES",
    "SPEC",
    "THIRD_PARTY",
    "TRANSITIONS",
    "VICTORY_POWERS",
    "VOTING_RULES",
    "Settings",
    "Turn",
    "coalitions",
    "election",
    "final_probabilities",
    "risk_from_probability",
    "smp",
    "utility",
    "victory",
    "vote",
    "weighted_distance",
]
