"""Bueno de Mesquita's expected utility model of group decisions (the "EUM").

References
----------
* Bueno de Mesquita, B. (1994). "Political forecasting: an expected utility method." In Bueno de
  Mesquita and Stokman (eds.), *European Community Decision Making*, Yale University Press, ch. 4.
* Bueno de Mesquita, B. (2002). *Predicting Politics*. Ohio State University Press.
* Scholz, J. B., Calbert, G. J. and Smith, G. A. (2011). "Unravelling Bueno De Mesquita's group
  decision model." *Journal of Theoretical Politics* 23(4): 510-531 (the explicit statement of the
  model followed here; "SCS" below).

Each issue is bargained over on its own (a one-dimensional model). Positions are first mapped to
[0, 1] by the issue's scale, so every result is invariant to an affine change of the scale. In
each round, with ``w_k = c_k s_k``:

* votes ``v_k(i, j) = w_k (|x_k - x_j| - |x_k - x_i|)`` (k's support for i over j);
* probability that i prevails over j, ``P_ij = sum_k max(v_k(i,j), 0) / sum_k |v_k(i,j)|``
  (all k, including i and j; 1/2 where nobody has a vote to give);
* ``mu`` = the capability x salience weighted median (the position that beats every other in
  pairwise votes), computed as in :mod:`realpolitik.models.median`;
* utilities with i's risk exponent ``r_i`` and ``d_ij = |x_i - x_j|``::

      U_s  = 2 - 4 (0.5 - 0.5 d_ij) ** r_i           U_f = 2 - 4 (0.5 + 0.5 d_ij) ** r_i
      U_b  = 2 - 4 (0.5 - 0.25 (|x_i - mu| + d_ij)) ** r_i
      U_w  = 2 - 4 (0.5 + 0.25 (|x_i - mu| + d_ij)) ** r_i
      U_sq = 2 - 4 (0.5) ** r_i

* i's expected utility of challenging j::

      E_ij = s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s - Q U_sq - (1 - Q)(T U_b + (1 - T) U_w)

* risk: with every ``r = 1``, the security of k's position is ``S_k = sum_{j != k} E_jk``;
  ``R_i = (2 S_i - max S - min S) / (max S - min S)`` and ``r_i = (1 - R_i/3) / (1 + R_i/3)``
  (so ``r`` lies in [1/2, 2]); the expected utilities are then recomputed with these ``r``.

Perspectives: every actor judges a pair with its *own* risk exponent, for its own expected
utility and for its estimate of the other's (SCS, following BDM; ``E^i_ij`` and ``E^i_ji``).
i challenges j when ``E^i_ij > 0``. Seen from i, the pair is a *conflict* when both expect to
gain from challenging, a *compromise* when only i does and ``|E^i_ji| < E^i_ij``, a
*capitulation* when only i does and ``|E^i_ji| >= E^i_ij``, and a *stalemate* when neither does;
j may see the same pair differently. Seen from the receiver j, i's challenge is an *offer* j
must heed when ``E^j_ij > 0`` and ``E^j_ij > E^j_ji`` (j loses the conflict, or must compromise
or capitulate). The offer asks j to move to ``x_i``, or, in a compromise
(``0 <= -E^j_ji < E^j_ij``), to ``x_j + (x_i - x_j) |E^j_ji / E^j_ij|``. Each actor accepts at
most one offer per round: the one that needs the smallest change of its position (SCS; BDM
2002), ties going to the most credible sender (largest ``E^j_ij``); ``offer_rule="credible"``
swaps the two keys. All accepted offers take effect at once and the next round starts.
A batch element has settled on an issue when no actor moves by ``tol`` (a fraction of the
issue's range) or more in a round; ``max_rounds`` bounds the rounds.

Choices where the literature is ambiguous (see ``docs/models/eum.md``):

* ``Q`` (the chance that, unchallenged, j's position stays put) is 1 as in SCS; BDM's other
  applications use 0.5. ``T`` (the chance that such an unforced change helps i) defaults to 1.
  Both are parameters (``q``, ``t``). With ``Q = 1`` neither ``T`` nor ``mu`` affects the play.
* The numerator of ``P_ij`` counts only positive votes (SCS's reading of BDM 1994), so
  ``P_ij + P_ji = 1``; the votes are linear in distance (no risk exponent).
* Nobody challenges an actor at its own position: ``E_ij = 0`` where ``|x_i - x_j|`` is within
  ``sqrt(machine epsilon)`` of the range, so that round-off never separates actors that stand
  together (with ``Q < 1`` the formula does not vanish as ``x_j -> x_i``).
* The risk exponents compare the security of every actor's current position with the others'
  (SCS), computed afresh each round with ``r = 1``.
* The forecast is the weighted median (BDM's predicted outcome) of the final positions; the
  weighted mean is also returned in ``extra["mean"]``. Where every weight of an issue is zero the
  status quo is returned and flagged in ``extra["undefined"]`` (as in the median model).
* Decisions compare expected utilities with a tolerance of ``sqrt(machine epsilon)``, so that
  round-off never decides a challenge or a tie; offers tied on both keys (they come from actors
  at one position) are averaged.

Computation (none of it changes the model; the numbers agree with a direct evaluation of the
formulas up to floating-point rounding): every (batch element, issue) is one game; a working
set of games is bargained at once and settled games are replaced by waiting ones. In a round
the actors of each game are sorted by position, so that ``P_ij`` follows from prefix sums of
``w`` and ``w x`` and a count of the voters below each pair's midpoint (O(n^2 log n) per round
instead of O(n^3)). With ``Q = 1``, ``E_ij - E_ji = (resist_ji - resist_ij)(U_s - U_f)`` with
j's exponent, so j can only heed i's challenge when ``resist_ji > resist_ij``: one direction
per pair is evaluated (two powers per pair instead of four).

On numpy inputs with ``Q = 1`` the rounds run in a numba kernel
(:mod:`~realpolitik.models.eum.compiled`, ``engine="auto"``, the default) that follows the array
implementation's arithmetic step by step; the array implementation (``engine="array"``) is the
reference, the path of other backends and of ``Q < 1``. Both take the same decisions (tested on
random games of 3-60 actors and on Monte Carlo samples of iraq-2024).

Modules, by concept: :mod:`~realpolitik.models.eum.frame` (the sorted frame and its index
tables), :mod:`~realpolitik.models.eum.probability` (votes and ``P_ij``),
:mod:`~realpolitik.models.eum.utility` (utilities, expected utilities, risk exponents, how
actors see their pairs), :mod:`~realpolitik.models.eum.offers` (offers and acceptance),
:mod:`~realpolitik.models.eum.rounds` (one round), :mod:`~realpolitik.models.eum.tracing` (the
numeric trace) and :mod:`~realpolitik.models.eum.game` (the driver, :func:`eum` and ``SPEC``).
"""

from __future__ import annotations

from realpolitik.models.eum.game import SPEC, default_block, eum
from realpolitik.models.eum.probability import votes, win_probability
from realpolitik.models.eum.rounds import Round, bargaining_round
from realpolitik.models.eum.utility import (
    CAPITULATE,
    CAPITULATION,
    COMPROMISE,
    CONCEDE,
    CONFLICT,
    STALEMATE,
    OfferRule,
    classify,
    expected_utility,
    risk_exponent,
    utilities,
)

__all__ = [
    "CAPITULATE",
    "CAPITULATION",
    "COMPROMISE",
    "CONCEDE",
    "CONFLICT",
    "SPEC",
    "STALEMATE",
    "OfferRule",
    "Round",
    "bargaining_round",
    "classify",
    "default_block",
    "eum",
    "expected_utility",
    "risk_exponent",
    "utilities",
    "votes",
    "win_probability",
]
